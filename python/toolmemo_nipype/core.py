"""Exporting one nipype CommandLine interface as a spec-format v1 spec, or refusing it."""

import importlib
import inspect
import logging
import os
import re

from nipype.interfaces.base import core as nbc
from nipype.interfaces.base import specs as nbs
from nipype.interfaces.base.traits_extension import isdefined

from . import infer
from .types import Unsupported, convert_type, accepts_bool, to_json

SPM_REASON = "SPM interface: MATLAB batch script, not a command line"

# Owners allowed to define each method that shapes the command line.
_CL = "nipype.interfaces.base.core.CommandLine"
_BI = "nipype.interfaces.base.core.BaseInterface"
_STRICT = {
    "cmdline": {_CL},
    "cmd": {_CL},
    "_cmd_prefix": {_CL},
    "_parse_inputs": {_CL},
    "_filename_from_source": {_CL},
    "_check_mandatory_inputs": {_BI},
    "_check_requires": {_BI},
    "_check_xor": {_BI},
    "_check_version_requirements": {_BI},
}
# NiftyRegCommand._format_arg only records omp_core_val before calling the base.
_SAFE_FORMAT_ARG = {_CL, "nipype.interfaces.niftyreg.base.NiftyRegCommand"}
_SEM = "nipype.interfaces.base.core.SEMLikeCommandLine"

_SPEC_METHODS_OK = {"nipype.interfaces.base.specs.BaseTraitedSpec",
                    "traits.has_traits.HasTraits", "traits.has_traits.HasStrictTraits",
                    "builtins.object"}

# metadata read by the importer; anything else that can change rendering is refused
_KNOWN_META = {
    "type", "desc", "argstr", "position", "sep", "mandatory", "xor", "requires",
    "usedefault", "name_source", "name_template", "keep_extension", "genfile",
    "output_name", "hash_files", "copyfile", "min_ver", "max_ver", "deprecated",
    "new_name", "nohash", "units", "default", "parent", "copy", "extensions",
    "field", "descr", "suffix", "array", "default_value", "instance_handler",
    "allow_none", "trait", "inner_traits", "kind", "label",
}

log = logging.getLogger("toolmemo_nipype")


def qualname(cls):
    return f"{cls.__module__}.{cls.__name__}"


def load_class(name):
    mod, _, cls = name.rpartition(".")
    if not mod:
        raise ValueError(f"not a qualified class name: {name!r}")
    return getattr(importlib.import_module(mod), cls)


def owner(cls, attr):
    for k in cls.__mro__:
        if attr in k.__dict__:
            return qualname(k)
    return None


def is_spm(cls):
    return any(qualname(k).startswith(("nipype.interfaces.spm.", "nipype.interfaces.matlab."))
               or k.__name__ in ("SPMCommand", "MatlabCommand") for k in cls.__mro__)


def one_line(text, limit=200):
    if not isinstance(text, str):
        return None
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _name_source(trait):
    ns = trait.name_source
    while isinstance(ns, (list, tuple)):
        if len(ns) != 1:
            raise Unsupported(f"name_source with {len(ns)} names")
        ns = ns[0]
    if not isinstance(ns, str):
        raise Unsupported("name_source is not a name")
    return ns


def _template_always_has_ext(template):
    """A generated name from this template always has an extension of its own."""
    if not template or "%s" not in template:
        return False
    tail = template.rsplit("%s", 1)[1]
    if "/" in tail or "%" in tail:
        return False
    dot = tail.rfind(".")
    return dot > 0 and dot < len(tail) - 1


def export_class(cls):
    """Return (spec, None) or (None, reason)."""
    try:
        return _export(cls), None
    except Unsupported as e:
        return None, str(e)
    except Exception as e:  # noqa: BLE001  (anything unforeseen is refused, never guessed)
        return None, f"importer cannot read it: {type(e).__name__}: {one_line(str(e), 120)}"


def _export(cls):
    if inspect.isclass(cls) and is_spm(cls):
        from . import spm  # SPMCommand subclasses: a spec with a `matlab` object, or a refusal
        if spm.is_spm_command(cls):
            return spm.export_spm(cls)
        raise Unsupported(SPM_REASON)
    if not (inspect.isclass(cls) and issubclass(cls, nbc.CommandLine)):
        raise Unsupported("not a nipype CommandLine interface")
    if inspect.isabstract(cls) or cls.input_spec is None:
        raise Unsupported("no input_spec")

    problems = []
    # -- methods that decide the command line
    skips = {}  # _parse_inputs(skip=...): input -> omit_when conditions, or None (always)
    raises = []  # _parse_inputs raising for some set inputs: [(inputs, test)]
    for meth, allowed in _STRICT.items():
        o = owner(cls, meth)
        if meth == "_parse_inputs" and o not in allowed:
            try:
                skips, raises = _parse_inputs_skips(cls)
                continue
            except Unsupported:
                pass
        if o not in allowed:
            what = "cmdline property overridden" if meth == "cmdline" else f"overrides {meth}"
            problems.append(what + f" ({o.rsplit('.', 1)[-1]})" if o else what)

    spec_cls = cls.input_spec
    for k in spec_cls.__mro__:
        if qualname(k) in _SPEC_METHODS_OK or k.__module__.startswith("traits."):
            continue
        for attr, val in k.__dict__.items():
            if callable(val) and not isinstance(val, type) and not attr.startswith("__"):
                problems.append(f"input spec defines method {attr}")
            if attr in ("__init__", "__setattr__", "__getattribute__"):
                problems.append(f"input spec overrides {attr}")

    try:
        iface = cls()
    except Exception as e:  # noqa: BLE001
        raise Unsupported("; ".join(problems + [
            f"cannot instantiate: {type(e).__name__}: {one_line(str(e), 120)}"]))
    inputs = iface.inputs
    names = sorted(inputs.copyable_trait_names())
    traits = {n: inputs.trait(n) for n in names}

    # -- which inputs reach the command line, and which generated names do
    argstr_names = [n for n in names if traits[n].argstr is not None
                    and not (n in skips and skips[n] is None)]
    gen_reached = set()
    todo = [n for n in argstr_names if traits[n].name_source]
    while todo:
        n = todo.pop()
        if n in gen_reached:
            continue
        gen_reached.add(n)
        ns = _name_source(traits[n])
        if ns not in traits:
            problems.append(f"name_source of {n} names unknown input {ns}")
            continue
        if traits[ns].name_source:
            todo.append(ns)
    for n in sorted(gen_reached):  # toolmemo refuses a spec whose name_source chain loops
        seen, x = [], n
        while x in traits and traits[x].name_source and x not in seen:
            seen.append(x)
            try:
                x = _name_source(traits[x])
            except Unsupported:
                break
        if x in seen:
            problems.append(f"name_source chain loops (inputs: {' -> '.join(seen + [x])})")
            break
    # base _parse_inputs calls _gen_filename for an unset genfile input without name_source;
    # a mandatory input without xor partners is always set when rendering succeeds
    genfile_plain = [n for n in argstr_names if traits[n].genfile and not traits[n].name_source
                     and not (traits[n].mandatory and not traits[n].xor)]

    # 1.1 keys: added to the converted inputs; deferred ones are inferred by probing nipype
    extra = {}      # input -> {key: value}
    deferred = []   # (refusal reason if it fails, function(draft spec) -> {input: {key: value}})
    fk = infer.deciding_owner(cls, "_format_arg")
    fa = qualname(fk) if fk else None
    if fa not in _SAFE_FORMAT_ARG:
        if fa == _SEM:
            # true: the fixed name of _outputs_filenames made absolute; false: ""
            bad = sorted(n for n in getattr(cls, "_outputs_filenames", {}) or {}
                         if n in traits and traits[n].argstr is not None
                         and accepts_bool(traits[n].trait_type))
            for n in bad:
                fname = cls._outputs_filenames[n]
                if (not isinstance(fname, str) or os.path.isabs(fname)
                        or type(traits[n].trait_type).__name__ == "Bool"):
                    problems.append("Bool-or-file outputs named from _outputs_filenames "
                                    f"as absolute paths (inputs: {n})")
                    continue
                extra.setdefault(n, {}).update(
                    {"absolute": True, "value_map": {"true": fname, "false": None}})
        else:
            src = ""
            try:
                src = inspect.getsource(getattr(cls, "_format_arg"))
            except (OSError, TypeError):
                pass
            used = sorted(set(re.findall(r"""["']([A-Za-z_][A-Za-z0-9_]*)["']""", src)) & set(names))
            detail = f" (inputs: {', '.join(used)})" if used else ""
            deferred.append((f"overrides _format_arg{detail}",
                             lambda draft: infer.value_tables(cls, draft)))
    output_extension = None
    ov = owner(cls, "_overload_extension")
    ext_by = {"nipype.interfaces.fsl.base.FSLCommand": ("output_type", "append"),
              "nipype.interfaces.afni.base.AFNICommand": ("outputtype", "replace")}
    ext_table = None  # the extension the owner's _overload_extension (and FSL _gen_fname) adds
    if ov in ext_by:
        # the extension table is the owner's module's Info.ftypes, read now
        inp, mode = ext_by[ov]
        table = getattr(getattr(importlib.import_module(ov.rsplit(".", 1)[0]), "Info", None),
                        "ftypes", None)
        values = list(getattr(traits[inp].trait_type, "values", None) or ()) if inp in traits else []
        if (isinstance(table, dict) and values and all(v in table for v in values)
                and all(isinstance(x, str) for x in table.values())):
            ext_table = {"input": inp, "mode": mode, "map": {str(k): v for k, v in table.items()}}
    needs_overload = sorted(
        n for n in gen_reached
        if not (traits[n].keep_extension and _template_always_has_ext(traits[n].name_template))
    )
    if ov != _CL and needs_overload:
        if ext_table is not None:
            output_extension = ext_table
        elif ov in ext_by:
            problems.append(f"generated name extension follows {ext_by[ov][0]} "
                            f"(inputs: {', '.join(needs_overload)})")
        else:
            problems.append(f"overrides _overload_extension (inputs: {', '.join(needs_overload)})")

    if genfile_plain:
        g = owner(cls, "_gen_filename")
        if g != _CL:
            deferred.append((f"overrides _gen_filename (inputs: {', '.join(genfile_plain)})",
                             lambda draft: _genfile_keys(
                                 cls, draft, genfile_plain,
                                 draft.get("output_extension") or ext_table)))
        else:
            deferred.append((f"genfile without name_source (inputs: {', '.join(genfile_plain)})",
                             lambda draft: _never_generated(cls, draft, genfile_plain)))
    problems.extend(_handler_problems(iface, traits))
    if getattr(iface, "_cmd_prefix", "") != "":
        problems.append("command prefix set by __init__")

    try:
        cmd = iface.cmd
    except Exception as e:  # noqa: BLE001
        problems.append(f"no command: {e}")
        cmd = None
    if cmd is not None and (not isinstance(cmd, str) or not cmd):
        problems.append("no command")

    base_spec = nbs.CommandLineInputSpec()
    spec_inputs = {}
    unsettable = _unsettable(inputs, traits)
    for n in names:
        tr = traits[n]
        if n in ("args", "environ") and _same_as_base(tr, base_spec.trait(n)):
            continue
        if n in unsettable:
            continue
        try:
            spec_inputs[n] = _convert_input(n, tr, inputs, traits, iface, dropped=unsettable)
        except Unsupported as e:
            problems.append(str(e))
    for n, keys in extra.items():
        if n in spec_inputs:
            spec_inputs[n].update(keys)
    for n, conds in skips.items():
        if n in spec_inputs and spec_inputs[n].get("argstr") is not None:
            if conds is None:  # always skipped: never on the command line
                del spec_inputs[n]["argstr"]
                continue
            for c in conds:
                (x,) = c.values()
                if x not in traits:
                    problems.append(f"overrides _parse_inputs (skip condition on unknown input {x})")
            spec_inputs[n]["omit_when"] = conds
    problems.extend(_requires_from_raises(raises, traits, spec_inputs))
    if problems:
        raise Unsupported("; ".join(dict.fromkeys(problems + [r for r, _ in deferred])))
    draft = {"name": cls.__name__, "command": cmd, "inputs": spec_inputs}
    if output_extension:
        draft["output_extension"] = output_extension
    for reason, find in deferred:
        try:
            for n, keys in find(draft).items():
                spec_inputs[n].update(keys)
                gt = keys.get("genfile_template")
                alts = gt if isinstance(gt, list) else [gt] if gt else []
                if any(a.get("extension") for a in alts) and not output_extension:
                    output_extension = draft["output_extension"] = ext_table
        except Unsupported:
            problems.append(reason)
        except Exception as e:  # noqa: BLE001
            problems.append(f"{reason} (inference failed: {type(e).__name__})")
    if problems:
        raise Unsupported("; ".join(dict.fromkeys(problems)))

    spec = {"name": cls.__name__, "command": cmd}
    try:
        version = iface.version
    except Exception:  # noqa: BLE001
        version = None
    if version:
        spec["version"] = str(version)
    if output_extension:
        spec["output_extension"] = output_extension
    spec["inputs"] = spec_inputs
    spec["outputs"] = _outputs(cls)
    return spec


def _parse_inputs_skips(cls):
    """The deciding _parse_inputs only adds to `skip` (and may raise) before the base's:
    ({input: conds|None}, raises) as infer.parse_inputs_rules gives them."""
    k = infer.deciding_owner(cls, "_parse_inputs")
    if k is None or qualname(k) == _CL:
        return {}, []
    after = cls.__mro__[cls.__mro__.index(k) + 1:]
    nxt = next((c for c in after if "_parse_inputs" in c.__dict__), None)
    if nxt is None or qualname(nxt) != _CL:
        raise Unsupported("chained _parse_inputs overrides")
    known = set(cls.input_spec().copyable_trait_names())
    return infer.parse_inputs_rules(k.__dict__["_parse_inputs"], known)


def _requires_from_raises(raises, traits, spec_inputs):
    """Adds the `requires` that make the spec fail where _parse_inputs raises; problems."""
    if not raises:
        return []
    try:
        req = infer.requires_for_raises(raises)
    except Unsupported:
        return ["overrides _parse_inputs (raises)"]
    problems = []
    for x, ys in sorted(req.items()):
        if x not in spec_inputs or any(y not in traits for y in ys):
            problems.append(f"overrides _parse_inputs (raise on unknown input {x})")
        elif traits[x].mandatory is False or traits[x].name_source or traits[x].genfile:
            # requires is skipped on mandatory=False, and stops a generated name
            problems.append(f"overrides _parse_inputs (raises on {x})")
        else:
            have = spec_inputs[x].setdefault("requires", [])
            have.extend(y for y in ys if y not in have)
    return problems


def _genfile_keys(cls, draft, targets, ext):
    """genfile_template per input: one source's `%s` template, else a list of alternatives,
    else `mandatory` where nipype can never make a name."""
    out = {}
    for n in targets:
        try:
            out.update(infer.genfile_templates(cls, draft, [n], ext))
        except Unsupported:
            try:
                out.update(infer.genfile_alternatives(cls, draft, [n], ext))
            except Unsupported:
                out.update(_never_generated(cls, draft, [n]))
    return out


def _never_generated(cls, draft, targets):
    """{input: {"mandatory": True}} for genfile inputs whose _gen_filename raises
    NotImplementedError for every sample (CommandLine's own, StdOutCommandLine's without
    _gen_outfilename): nipype renders no command line without them, nor does the spec."""
    out = {}
    for n in targets:
        d = draft["inputs"][n]
        # an xor partner, a skip or a version bound would let nipype render without it
        if any(d.get(k) for k in ("xor", "requires", "omit_when", "usedefault",
                                  "min_ver", "max_ver")):
            raise Unsupported(f"inputs: {n}")
        if not infer.gen_filename_never(cls, draft, n):
            raise Unsupported(f"inputs: {n}")
        out[n] = {"mandatory": True}
    return out


_SAFE_HANDLERS = {
    "nipype.interfaces.base.specs.BaseTraitedSpec._xor_warn",
    "nipype.interfaces.base.specs.BaseTraitedSpec._deprecated_warn",
}


def _relevant(traits):
    """Inputs whose value can change the command line or its checks."""
    rel = set()
    for n, tr in traits.items():
        if tr.argstr is not None or tr.mandatory or tr.xor or tr.requires:
            rel.add(n)
        for key in ("xor", "requires"):
            rel.update(getattr(tr, key) or ())
        if tr.name_source:
            ns = tr.name_source
            rel.update([ns] if isinstance(ns, str) else list(ns))
    return rel


def _handler_problems(iface, traits):
    """Trait-change handlers that write inputs which matter for rendering."""
    problems = []
    rel = _relevant(traits)
    inputs = iface.inputs
    for n in traits:
        for x in inputs._trait(n, 0)._notifiers(False) or ():
            name = getattr(x, "name", None)
            ref = getattr(x, "object", None)
            obj = ref() if callable(ref) else None
            if not name or obj is None:
                problems.append(f"input {n}: unknown change handler")
                continue
            o = owner(type(obj), name)
            if f"{o}.{name}" in _SAFE_HANDLERS:
                continue
            try:
                src = inspect.getsource(getattr(type(obj), name))
            except (OSError, TypeError):
                problems.append(f"input {n}: change handler {name} without source")
                continue
            written = set(re.findall(r"self\.inputs\.(\w+)\s*=(?!=)", src))
            written |= set(re.findall(r"self\.inputs\.(\w+)\[", src))
            dynamic = re.search(r"trait_set|setattr|\bset\(|raise\b|self\._cmd\b", src)
            if dynamic or written & rel:
                what = ", ".join(sorted(written & rel)) or "inputs"
                problems.append(f"setting {n} changes {what} (handler {name})")
    return problems


def _same_as_base(tr, base):
    keys = ("argstr", "position", "sep", "mandatory", "xor", "requires", "usedefault",
            "name_source", "genfile")
    return type(tr.trait_type) is type(base.trait_type) and all(
        getattr(tr, k) == getattr(base, k) for k in keys)


def _unsettable(inputs, traits):
    """Inputs nipype cannot take: an optional input whose xor names an input the interface
    does not have (minc Calc's output_nan: "output_illegal_value"; AFNI ClipLevel's
    xor="grad", a string: "g", "r"...) raises in nipype's _xor_warn whenever it is set, so
    the spec leaves it out (setting it is an error there too). Only when it is unset by
    default and no other input requires or names it."""
    out = set()
    for n, tr in traits.items():
        # nipype iterates the xor as it is: a string ("grad") by its characters
        if (tr.xor and any(x not in traits for x in tr.xor)
                and not tr.mandatory and not isdefined(getattr(inputs, n))):
            out.add(n)
    for n, tr in traits.items():
        if n in out:
            continue
        ns = tr.name_source
        ns = [ns] if isinstance(ns, str) else list(ns or ())
        if set(ns) & out or set(tr.requires or ()) & out or tr.new_name in out:
            return set()
    return out


def _convert_input(n, tr, inputs, traits, iface, convert=convert_type, deprecated=False,
                   dropped=()):
    """The spec of input n; `dropped`: inputs left out as unsettable, dropped from xor lists
    (never set, they exclude nothing)."""
    meta = {k for k in tr.__dict__}
    unknown = meta - _KNOWN_META
    if unknown:
        raise Unsupported(f"input {n}: metadata {', '.join(sorted(unknown))}")
    if tr.transient and tr.requires:
        raise Unsupported(f"input {n}: transient with requires")
    try:
        typ = convert(tr.trait_type, f"input {n}")
    except Unsupported:
        raise
    d = {"type": typ}
    desc = one_line(tr.desc)
    if desc:
        d["desc"] = desc
    if tr.argstr is not None:
        if not isinstance(tr.argstr, str):
            raise Unsupported(f"input {n}: argstr is not a string")
        d["argstr"] = tr.argstr
        if isinstance(typ, dict) and "Dict" in typ:
            raise Unsupported(f"input {n}: Dict on the command line")
    if tr.position is not None:
        try:
            d["position"] = int(tr.position)
        except (TypeError, ValueError):
            raise Unsupported(f"input {n}: position {tr.position!r}")
    if tr.sep is not None:
        d["sep"] = str(tr.sep)
    if tr.mandatory is not None:
        d["mandatory"] = bool(tr.mandatory)
    for key in ("xor", "requires"):
        v = getattr(tr, key)
        if v is not None:
            if isinstance(v, str):
                raise Unsupported(f"input {n}: {key} is a string, not a list")
            v = [x for x in v if key != "xor" or x not in dropped]
            for x in v:
                if x not in traits:
                    raise Unsupported(f"input {n}: {key} names unknown input {x}")
            d[key] = v
    value = getattr(inputs, n)
    if isdefined(value):
        # set by the trait default (usedefault) or by the interface's __init__
        # (FSL output_type, ANTs/AFNI num_threads): either way nipype treats it as set
        try:
            d["default"] = to_json(value, f"input {n} default")
        except Unsupported:
            raise
        d["usedefault"] = True
        if value is None:
            raise Unsupported(f"input {n}: None default")
    elif tr.usedefault:
        pass  # usedefault without a default value: stays unset
    if tr.name_source:
        d["name_source"] = [_name_source(tr)]
        if tr.name_template is not None:
            d["name_template"] = tr.name_template
        if tr.keep_extension is not None:
            d["keep_extension"] = bool(tr.keep_extension)
    if tr.genfile:
        d["genfile"] = True
    if tr.output_name is not None:
        d["output_name"] = tr.output_name
    if tr.hash_files is not None:
        d["hash_files"] = bool(tr.hash_files)
    if tr.copyfile is not None:
        d["copyfile"] = bool(tr.copyfile)
    for key in ("min_ver", "max_ver"):
        v = getattr(tr, key)
        if v is not None:
            d[key] = str(v)
    if tr.deprecated is not None:
        # `deprecated` compares with the spec's version (the tool's), nipype with its own;
        # the same only for a spec without version (deprecated=True: the caller writes none)
        if not deprecated:
            raise Unsupported(f"input {n}: deprecated (nipype {tr.deprecated})")
        d["deprecated"] = str(tr.deprecated)
        if tr.new_name is not None:
            if tr.new_name not in traits:
                raise Unsupported(f"input {n}: new_name names unknown input {tr.new_name}")
            d["new_name"] = tr.new_name
    return d


def _outputs(cls):
    out = {}
    if not cls.output_spec:
        return out
    spec = cls.output_spec()
    for n in sorted(spec.copyable_trait_names()):
        tr = spec.trait(n)
        try:
            typ = convert_type(tr.trait_type, f"output {n}")
        except Unsupported:
            typ = "Any"
        d = {"type": typ}
        desc = one_line(tr.desc)
        if desc:
            d["desc"] = desc
        out[n] = d
    return out
