"""Recognizing what nipype computes in Python, as spec-format 1.1 keys.

Source code and method owners only point at candidates; every key written here is inferred
from what nipype itself returns for sample inputs, and the whole spec is then checked by
probe.probe_spec (any difference refuses it).
"""

import ast
import inspect
import os
import re
import tempfile
import textwrap
import warnings

from nipype.interfaces.base import core as nbc
from nipype.interfaces.base.traits_extension import isdefined

from . import probe
from .types import Unsupported

# one printf conversion, as Python's % operator reads it
_CONV = re.compile(r"%[-#0 +]*(\d+|\*)?(\.\d+)?[diouxXeEfFgGcrsa]")


def trivial_override(func):
    """Whether a method only calls super() with its own arguments (so the base decides)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return False
    fn = tree.body[0]
    if not isinstance(fn, ast.FunctionDef):
        return False
    body = [b for b in fn.body if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]
    if len(body) != 1 or not isinstance(body[0], ast.Return):
        return False
    call = body[0].value
    params = [a.arg for a in fn.args.args[1:]]
    return (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr == fn.name and isinstance(call.func.value, ast.Call)
            and isinstance(call.func.value.func, ast.Name) and call.func.value.func.id == "super"
            and not call.func.value.args and not call.keywords
            and [a.id if isinstance(a, ast.Name) else None for a in call.args] == params)


def deciding_owner(cls, meth):
    """The class whose `meth` decides, skipping overrides that only call super()."""
    for k in cls.__mro__:
        if meth in k.__dict__:
            if trivial_override(k.__dict__[meth]):
                continue
            return k
    return None


def _replacement(argstr, want):
    """A value X with argstr % X == want (one conversion in argstr), else raise."""
    if want == "":
        return None
    convs = [m for m in _CONV.finditer(argstr)]
    if len(convs) != 1 or argstr.replace("%%", "").count("%") != 1:
        raise Unsupported("argstr without exactly one conversion")
    m = convs[0]
    pre, post = argstr[: m.start()].replace("%%", "%"), argstr[m.end():].replace("%%", "%")
    if not (want.startswith(pre) and want.endswith(post) and len(want) >= len(pre) + len(post)):
        raise Unsupported("no replacement value")
    mid = want[len(pre): len(want) - len(post)]
    cands = [mid]
    for conv in (int, float):
        try:
            cands.append(conv(mid))
        except ValueError:
            pass
    for x in cands:
        try:
            if argstr % x == want and (not isinstance(x, float) or str(x) == mid or m.group()[-1] != "s"):
                return x
        except (TypeError, ValueError):
            continue
    raise Unsupported("no replacement value")


def value_tables(cls, spec):
    """value_map per input for a _format_arg that only looks values up in tables.

    Returns {input: map}; raises Unsupported naming the inputs it cannot explain."""
    k = deciding_owner(cls, "_format_arg")
    src = inspect.getsource(k.__dict__["_format_arg"])
    if re.search(r"\bself\b", src.split(")", 1)[1]):
        raise Unsupported("reads the interface")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        iface = cls()
    traits = {n: iface.inputs.trait(n) for n in spec["inputs"]}
    named = set(re.findall(r"""["']([A-Za-z_][A-Za-z0-9_]*)["']""", src))
    maps, bad = {}, []
    for n, d in sorted(spec["inputs"].items()):
        if d.get("argstr") is None:
            continue
        finite = probe._enum_values(d["type"])
        if finite:
            samples = finite
        else:
            samples = []
            for r in range(4):
                try:
                    samples.append(probe._sample(d["type"], n, r))
                except probe._Skip:
                    pass
            samples = [probe._py(v) if isinstance(v, list) else v for v in samples]
        table = {}
        for v in samples:
            def call(f):
                try:
                    return ("ok", f(iface, n, traits[n], v))
                except Exception as e:  # noqa: BLE001
                    return ("error", type(e).__name__)
            got, base = call(k.__dict__["_format_arg"]), call(nbc.CommandLine._format_arg)
            if got == base:
                continue
            if not finite or got[0] != "ok" or not isinstance(got[1], str) or (
                    d["type"] == "Bool" and "%" not in d["argstr"]):
                bad.append(n)
                break
            try:
                table[probe.value_key(v)] = _replacement(d["argstr"], got[1])
            except Unsupported:
                bad.append(n)
                break
        else:
            if table:
                maps[n] = table
            elif n in named and not finite:
                bad.append(n)  # named in the code, but its values cannot all be tried
    if bad:
        raise Unsupported(f"inputs: {', '.join(sorted(set(bad)))}")
    if not maps:
        raise Unsupported("no value table found")
    return maps


def _stem(v):
    while isinstance(v, (list, tuple)):
        if not v:
            return None
        v = v[0]
    return probe._split_ext(v)[0] if isinstance(v, str) else None


def genfile_templates(cls, spec, targets):
    """genfile_template (+ absolute) for inputs nipype names in _gen_filename.

    Returns {input: {"genfile_template": ..., "absolute"?: True}}; raises Unsupported."""
    ins = spec["inputs"]
    cands = {n: None for n in targets}  # None: not yet observed
    observed = {n: 0 for n in targets}
    old = os.getcwd()
    try:
        for values in probe._cases(spec, every=True):
            with tempfile.TemporaryDirectory() as d:
                os.chdir(d)
                cwd = os.getcwd()
                files = []
                for n, v in values.items():
                    probe._files_for(ins[n]["type"], v, files)
                for f in files:
                    p = os.path.join(d, f)
                    if f.endswith("/"):
                        os.makedirs(p, exist_ok=True)
                    else:
                        os.makedirs(os.path.dirname(p), exist_ok=True)
                        open(p, "w").close()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        iface = probe._set_nipype(cls, values)
                        iface.cmdline
                    except Exception:  # noqa: BLE001
                        continue
                    for n in targets:
                        if n in values:
                            continue
                        try:
                            got = iface._gen_filename(n)
                        except Exception:  # noqa: BLE001
                            raise Unsupported(f"inputs: {n}")
                        here = set()
                        stems = {s: _stem(getattr(iface.inputs, s)) for s in ins
                                 if s in values and isdefined(getattr(iface.inputs, s))}
                        if got is None or not isdefined(got):
                            # only sources unset here stay possible: mark with a wildcard
                            here = {("*unset*", tuple(sorted(stems)))}
                        elif isinstance(got, str):
                            absolute = got.startswith(cwd + "/")
                            rel = got[len(cwd) + 1:] if absolute else got
                            if os.path.isabs(rel):
                                raise Unsupported(f"inputs: {n}")
                            for s, stem in stems.items():
                                if s != n and stem and stem in rel:
                                    t = rel.replace("%", "%%").replace(stem.replace("%", "%%"), "%s", 1)
                                    here.add((s, t, absolute))
                        else:
                            raise Unsupported(f"inputs: {n}")
                        observed[n] += 1
                        cur = cands[n]
                        if cur is None:
                            cur = None if any(h[0] == "*unset*" for h in here) else here
                        elif not any(h[0] == "*unset*" for h in here):
                            cur = cur & here
                        else:
                            setnames = next(h[1] for h in here)
                            cur = {c for c in cur if c[0] not in setnames}
                        cands[n] = cur
    finally:
        os.chdir(old)
    out = {}
    for n in targets:
        if not observed[n] or not cands[n]:
            raise Unsupported(f"inputs: {n}")
        s, t, absolute = sorted(cands[n])[0]
        d = {"genfile_template": {"source": s, "template": t}}
        if absolute:
            d["absolute"] = True
        out[n] = d
    return out
