"""Translate a toolmemo interface spec (spec-format.md, version 1) into a real nipype
``CommandLine`` class, and render command lines with it.

This is the reference peer: instead of re-implementing nipype's rules we build the
same traits nipype's own interfaces declare and let nipype 1.12 do the work, so any
disagreement with the conformance cases points at the translation (or at a case that
depends on an interface's hand-written Python), not at a re-implementation.

    render(spec, inputs) -> ("ok", cmdline) | ("error", kind)

Kinds are those of the spec's error contract: mandatory, xor, requires, type, exists,
version, deprecated, spec.
"""

import json
import logging
import os

# Both must be set before nipype is imported: FSL-style interfaces read FSLOUTPUTTYPE,
# and without NIPYPE_NO_ET every interface instantiation may try an etelemetry
# network request (and the first one is slow even when offline).
os.environ.setdefault("FSLOUTPUTTYPE", "NIFTI_GZ")
os.environ.setdefault("NIPYPE_NO_ET", "1")

import traits.api as traits  # noqa: E402
from traits.api import TraitError  # noqa: E402

import nipype  # noqa: E402
from nipype.interfaces.base import (  # noqa: E402
    CommandLine,
    CommandLineInputSpec,
    Directory,
    File,
    InputMultiPath,
    TraitedSpec,
    Tuple,
)

# nipype logs a warning for every multi-item name_source etc.; the peer's answer is
# the return value, not the log.
logging.getLogger("nipype.interface").setLevel(logging.ERROR)
# traits logs every exception raised in a notification handler (nipype's xor check
# is one) before re-raising it; render() reports it as a kind instead.
logging.getLogger("traits").setLevel(logging.CRITICAL)

NIPYPE_VERSION = nipype.__version__

# Input metadata that is passed to the trait unchanged: the spec's names are nipype's.
# "default" and "type" are handled separately.
PASSTHROUGH_METADATA = (
    "desc",
    "argstr",
    "position",
    "mandatory",
    "xor",
    "requires",
    "sep",
    "name_source",
    "name_template",
    "keep_extension",
    "genfile",
    "output_name",
    "hash_files",
    "copyfile",
    "usedefault",
    "min_ver",
    "max_ver",
    "deprecated",
    "new_name",
)


class SpecError(Exception):
    """The spec itself cannot be turned into an interface."""


# --------------------------------------------------------------------------- traits


def make_trait(t, default=None, has_default=False, exists=True, **metadata):
    """Build the traits object for spec type ``t``.

    ``default`` is handed to the trait constructor as nipype's interfaces do, which
    is why it stays "as written" (traits does not validate constructor defaults).
    ``exists=False`` drops every File/Directory existence check; it is used to tell an
    ``exists`` failure from a ``type`` failure (see ``_classify_trait_error``).
    """
    d = (default,) if has_default else ()
    inner = lambda u: make_trait(u, exists=exists)  # noqa: E731

    if isinstance(t, str):
        simple = {
            "Any": traits.Any,
            "Bool": traits.Bool,
            "Int": traits.Int,
            "Float": traits.Float,
            # nipype monkeypatches traits.Str to its unicode-only Str.
            "Str": traits.Str,
            "File": File,
            "Directory": Directory,
        }
        if t not in simple:
            raise SpecError("unknown type %r" % t)
        return simple[t](*d, **metadata)

    if not isinstance(t, dict) or len([k for k in t if k not in ("minlen", "maxlen")]) != 1:
        raise SpecError("malformed type %r" % (t,))
    kind = next(k for k in t if k not in ("minlen", "maxlen"))
    arg = t[kind]

    if kind == "File":
        return File(
            *d,
            exists=exists and bool(arg.get("exists", False)),
            extensions=arg.get("extensions"),
            **metadata,
        )
    if kind == "Directory":
        return Directory(*d, exists=exists and bool(arg.get("exists", False)), **metadata)
    if kind == "Enum":
        if not arg:
            raise SpecError("empty Enum")
        trait = traits.Enum(*arg, **metadata)
        if has_default:
            # traits.Enum takes its default from the first value; a spec default
            # that is another member (mrtrix's inputmodel) is set afterwards.
            trait.default_value = default
        return trait
    if kind == "Range":
        low, high = arg.get("low"), arg.get("high")
        if low is None and high is None:
            # traits.Range refuses this too (TraitError at class creation).
            raise SpecError("Range needs low or high")
        kw = dict(
            low=low,
            high=high,
            exclude_low=bool(arg.get("exclude_low", False)),
            exclude_high=bool(arg.get("exclude_high", False)),
        )
        if has_default:
            kw["value"] = default
        return traits.Range(**kw, **metadata)
    if kind == "List":
        kw = {}
        if "minlen" in t:
            kw["minlen"] = t["minlen"]
        if "maxlen" in t:
            kw["maxlen"] = t["maxlen"]
        if has_default:
            kw["value"] = default
        return traits.List(inner(arg), **kw, **metadata)
    if kind == "MultiPath":
        kw = {"value": default} if has_default else {}
        return InputMultiPath(inner(arg), **kw, **metadata)
    if kind == "Tuple":
        # nipype's own Tuple (what its interfaces use since 1.9) also accepts a list,
        # which is how a JSON array arrives.
        items = [inner(u) for u in arg]
        if has_default:
            return Tuple(tuple(default), *items, **metadata)
        return Tuple(*items, **metadata)
    if kind == "Either":
        trait = traits.Either(*[inner(u) for u in arg], **metadata)
        if has_default:
            trait.default_value = default
        return trait
    if kind == "Dict":
        kw = {"value": default} if has_default else {}
        return traits.Dict(traits.Str, inner(arg), **kw, **metadata)
    raise SpecError("unknown type %r" % kind)


def _input_trait(ispec, exists=True):
    if "type" not in ispec:
        raise SpecError("input without type")
    md = {k: ispec[k] for k in PASSTHROUGH_METADATA if k in ispec}
    return make_trait(
        ispec["type"],
        default=ispec.get("default"),
        has_default="default" in ispec,
        exists=exists,
        **md,
    )


# ----------------------------------------------------------------------- interfaces


def resolve_extends(spec, specs=None):
    """Merge inherited inputs/outputs (``extends``); the child's keys win."""
    if "extends" not in spec:
        return spec
    chain, seen = [spec], {spec.get("name")}
    while "extends" in chain[-1]:
        parent_name = chain[-1]["extends"]
        if parent_name in seen or not specs or parent_name not in specs:
            raise SpecError("cannot resolve extends %r" % parent_name)
        seen.add(parent_name)
        chain.append(specs[parent_name])
    merged = dict(spec)
    merged["inputs"], merged["outputs"] = {}, {}
    for s in reversed(chain):
        merged["inputs"].update(s.get("inputs", {}))
        merged["outputs"].update(s.get("outputs", {}))
    merged.pop("extends", None)
    return merged


def _overload_extension(self, value, name=None):
    # What nipype's FSLCommand does with its output_type, applied to the spec's fixed
    # output_extension: CommandLine._filename_from_source calls this on every
    # generated name except when keep_extension already supplied one.
    return value + self._output_extension


def build_interface(spec, specs=None):
    """Return a new ``CommandLine`` subclass for ``spec``."""
    spec = resolve_extends(spec, specs)
    for key in ("name", "command", "inputs"):
        if key not in spec:
            raise SpecError("spec without %r" % key)
    name = str(spec["name"])

    try:
        fields = {k: _input_trait(v) for k, v in spec["inputs"].items()}
        # The InputSpec's name feeds nipype's deprecation message
        # ("Input x in interface <name> is deprecated").
        input_spec = type(name + "InputSpec", (CommandLineInputSpec,), fields)
        out_fields = {
            k: make_trait(v.get("type", "Any"), desc=v.get("desc"))
            for k, v in spec.get("outputs", {}).items()
        }
        output_spec = type(name + "OutputSpec", (TraitedSpec,), out_fields)
    except TraitError as exc:
        raise SpecError(str(exc)) from exc

    for iname, ispec in spec["inputs"].items():
        new = ispec.get("new_name")
        if new is not None and new not in input_spec.class_trait_names():
            raise SpecError("input %r: new_name %r does not exist" % (iname, new))

    attrs = {
        "_cmd": spec["command"],
        "input_spec": input_spec,
        "output_spec": output_spec,
        # BaseInterface.version returns _version; nipype compares min_ver/max_ver with it.
        "_version": spec.get("version"),
        "_spec_inputs": spec["inputs"],
    }
    if spec.get("output_extension"):
        attrs["_output_extension"] = spec["output_extension"]
        attrs["_overload_extension"] = _overload_extension
    return type(name, (CommandLine,), attrs)


_CLASS_CACHE = {}


def interface_class(spec, specs=None):
    """``build_interface`` memoized on the spec's content (cases share specs).

    The key keeps key order: the order inputs are declared in decides which error
    nipype reports first (see FINDINGS.md), so reordered specs are different classes.
    """
    key = json.dumps(spec)
    cls = _CLASS_CACHE.get(key)
    if cls is None:
        cls = _CLASS_CACHE[key] = build_interface(spec, specs)
    return cls


# -------------------------------------------------------------------------- errors


class _Probe(traits.HasTraits):
    pass


def _classify_trait_error(iface, name, value):
    """type or exists: nipype words both the same way ("must be a pathlike object
    ... representing an existing file, but a value of ..."), so re-validate the value
    against the same type with every existence check dropped."""
    ispec = iface._spec_inputs.get(name)
    if ispec is None:
        return "type"
    try:
        relaxed = _input_trait(
            {"type": ispec["type"]}, exists=False
        ).as_ctrait()
        probe = _Probe()
        probe.add_trait("x", relaxed)
        probe.x = value
    except Exception:
        return "type"
    return "exists"


def classify(exc, iface=None, name=None, value=None):
    """Map a nipype exception to an error kind. nipype has no error codes, so this
    goes by exception type and message; ``iface``/``name``/``value`` identify the
    assignment that failed, if it was one."""
    msg = str(exc)
    if isinstance(exc, SpecError):
        return "spec"
    if isinstance(exc, OSError) and "mutually exclusive" in msg:
        return "xor"  # TraitedSpec._xor_warn, raised on assignment
    if isinstance(exc, TraitError):
        if "Replacement trait" in msg:
            return "spec"  # deprecated input whose new_name does not exist
        if "is deprecated" in msg:
            return "deprecated"  # TraitedSpec._deprecated_warn
        if iface is not None and name is not None:
            return _classify_trait_error(iface, name, value)
        return "type"
    if isinstance(exc, ValueError):
        if "because '" in msg and "is set" in msg:
            return "requires"  # BaseInterface._check_requires
        if "requires a value for" in msg:
            return "mandatory"  # _check_mandatory_inputs / _check_xor
        if "Error formatting command line argument" in msg:
            return "type"  # argstr % value failed, e.g. "%d" with a string
    if msg.startswith("Trait ") and "version" in msg:
        return "version"  # BaseInterface._check_version_requirements
    # Everything else is a spec nipype cannot render: genfile without name_source
    # (NotImplementedError), a name_source cycle (NipypeInterfaceError), a name that
    # names no input (AttributeError), traits choking on a type (TypeError).
    return "spec"


def render(spec, inputs, specs=None):
    """Render ``spec`` with ``inputs`` the way nipype does.

    Checks run in the order ``BaseInterface.run`` would run them before executing:
    assignment-time checks (type, exists, xor, deprecated), then mandatory/requires,
    then min_ver/max_ver (``.cmdline`` alone never checks versions), then the
    command line itself.
    """
    try:
        cls = interface_class(spec, specs)
    except SpecError:
        return ("error", "spec")
    try:
        iface = cls()
    except Exception as exc:  # noqa: BLE001
        return ("error", classify(exc))
    names = set(iface.inputs.copyable_trait_names())
    for k, v in inputs.items():
        if k not in names:
            return ("error", "spec")  # an input the spec does not declare
        if v is None:
            continue
        try:
            setattr(iface.inputs, k, v)
        except Exception as exc:  # noqa: BLE001 - every failure maps to a kind
            return ("error", classify(exc, iface, k, v))
    try:
        iface._check_mandatory_inputs()
        iface._check_version_requirements(iface.inputs)
        return ("ok", iface.cmdline)
    except Exception as exc:  # noqa: BLE001
        return ("error", classify(exc))
