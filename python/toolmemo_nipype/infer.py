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
from unittest import mock

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


PATH_FORMS = ("basename", "absolute", "relative")


def value_tables(cls, spec):
    """Run _value_tables in a temporary folder (overrides may write files: MPRtoMNI305)."""
    old = os.getcwd()
    with tempfile.TemporaryDirectory() as d:
        os.chdir(d)
        try:
            return _value_tables(cls, spec)
        finally:
            os.chdir(old)


def _value_tables(cls, spec):
    """value_map / path_form per input for a _format_arg that only looks values up in tables
    or writes a path value's basename, abspath or relpath.

    Returns {input: {key: value}}; raises Unsupported naming the inputs it cannot explain."""
    k = deciding_owner(cls, "_format_arg")
    src = inspect.getsource(k.__dict__["_format_arg"])
    body = src.split(")", 1)[1]
    # self._list_outputs() alone may give a fixed output name (LTAConvert: True -> "out.lta");
    # self.inputs.X (a few named inputs) may fill argstr (argstr_inputs, below);
    # whatever else it reads is refused, and the names are checked by the probe on samples
    rest = re.sub(r"\bself\._list_outputs\(\)", "", body)
    # (reading one the interface does not have raises: seen as a difference, unexplained)
    reads = sorted(set(re.findall(r"\bself\.inputs\.(\w+)\b", rest)) & set(spec["inputs"]))
    if re.search(r"\bself\b", re.sub(r"\bself\.inputs\.\w+\b", "", rest)) or (
            reads and ("_list_outputs" in body or len(reads) > 3)):
        raise Unsupported("reads the interface")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        iface = cls()
    traits = {n: iface.inputs.trait(n) for n in spec["inputs"]}
    states = _read_states(spec, reads)
    named = set(re.findall(r"""["']([A-Za-z_][A-Za-z0-9_]*)["']""", src))
    cwd = os.getcwd()
    found, bad = {}, []

    reads_outputs = "_list_outputs" in body

    def call(f, n, v):
        it = iface
        if reads_outputs:  # _list_outputs reads the input itself: set it (when nipype takes it)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                it = cls()
                try:
                    setattr(it.inputs, n, v)
                except Exception:  # noqa: BLE001
                    it = iface
        try:
            return ("ok", f(it, n, traits[n], v))
        except Exception as e:  # noqa: BLE001
            return ("error", type(e).__name__)

    for n, d in sorted(spec["inputs"].items()):
        if d.get("argstr") is None:
            continue
        finite = _finite_values(d["type"])
        if finite:
            samples = finite
        else:
            samples = []
            for r in range(4):
                try:
                    samples.append(probe._sample(d["type"], n, r))
                except probe._Skip:
                    pass
            # a path inside the rendering folder, written absolute: tells relpath from as-is
            inside = os.path.join(cwd, "sub", f"in_{n}.nii")
            if any(isinstance(v, str) for v in samples):
                samples.append(inside)
            elif any(isinstance(v, list) and v and all(isinstance(e, str) for e in v) for v in samples):
                samples.append([inside, "x.nii"])
            samples = [probe._py(v) if isinstance(v, list) else v for v in samples]
            # the values of Bool/Enum branches (Either(Bool, File): True and False)
            samples += [x for x in probe._enum_values(d["type"])
                        if not any(type(x) is type(y) and x == y for y in samples)]
        if d["type"] == "Int":
            samples += [x for x in (1, -1) if x not in samples]
        table = {}
        pairs = [(v, call(k.__dict__["_format_arg"], n, v), call(nbc.CommandLine._format_arg, n, v))
                 for v in samples]
        if reads:
            # what the override gives with the inputs it reads set: the same (it does not
            # read them for this input), or argstr % (value, those inputs): argstr_inputs
            uses = _argstr_inputs(cls, spec, k.__dict__["_format_arg"], n, samples, states, pairs)
            if uses is None:
                bad.append(n)
                continue
            if uses:
                found[n] = {"argstr_inputs": uses}
                continue
        # a value replaced by the host's CPU count (nipype's nthreads=0: cpu_count())
        host = {}
        for v, got, base in pairs:
            if got != base and _host_count(k.__dict__["_format_arg"], iface, n, traits[n], v, got):
                host[probe.value_key(v)] = dict(HOST_CPU_COUNT)
        if host:
            pairs = [p for p in pairs if probe.value_key(p[0]) not in host]
            table.update(host)
        partial = probe._enum_values(d["type"])
        diff_vals = [v for v, got, base in pairs if got != base]
        # only values of Bool/Enum branches differ: a value table (Bool-or-file outputs)
        finite_diffs = bool(partial) and all(
            any(type(v) is type(x) and v == x for x in partial) for v in diff_vals)
        if not finite and diff_vals and not finite_diffs:
            # a path written as its basename / abspath / relpath, then formatted as usual
            forms = []
            for form in PATH_FORMS:
                ok = True
                for v, got, _ in pairs:
                    pv = _path_value(v)
                    if pv is None or got[0] != "ok":
                        ok = False
                        break
                    if call(nbc.CommandLine._format_arg, n, probe.path_formed(form, pv, cwd)) != got:
                        ok = False
                        break
                if ok:
                    forms.append(form)
            if forms:
                found[n] = {"path_form": forms[0]}
                continue
            items = _item_format(k.__dict__["_format_arg"], iface, n, traits[n], d, pairs)
            if items:
                found[n] = items
            else:
                bad.append(n)
            continue
        flag = d["type"] == "Bool" and "%" not in d["argstr"]
        for v, got, base in pairs:
            if got == base:
                continue
            if flag and got[0] == "ok" and (got[1] is None or isinstance(got[1], str)):
                table[probe.value_key(v)] = got[1]  # on a flag: the argument itself, null: none
                continue
            if not (finite or finite_diffs) or got[0] != "ok" or not isinstance(got[1], str) or flag:
                bad.append(n)
                break
            try:
                table[probe.value_key(v)] = _replacement(d["argstr"], got[1])
            except Unsupported:
                bad.append(n)
                break
        else:
            # names in the rendering folder: relative, with `absolute`
            absl = [isinstance(x, str) and x.startswith(cwd + "/") for x in table.values()]
            if any(absl) and not all(absl):
                bad.append(n)
                continue
            if any(absl):
                table = {key: x[len(cwd) + 1:] for key, x in table.items()}
                found[n] = {"value_map": table, "absolute": True}
            elif table:
                found[n] = {"value_map": table}
            elif n in named and not finite:
                bad.append(n)  # named in the code, but its values cannot all be tried
    if bad:
        raise Unsupported(f"inputs: {', '.join(sorted(set(bad)))}")
    # nothing differs for any sample, and every input the override names was tried with all
    # of its values (MCFLIRT's unreachable "trilinear" branch): the override changes nothing
    return found


# value_map's replacement by the host's CPU count (docs: value_map)
HOST_CPU_COUNT = {"host": "cpu_count"}
_ODD_COUNT = 7919  # a CPU count no host has: seen in the output only if the override asks


def _host_count(f, iface, n, trait, v, got):
    """Whether the override writes argstr % cpu_count() for the integer v (nipype's
    nthreads=0): the count follows a patched multiprocessing/os.cpu_count."""
    if got[0] != "ok" or type(v) is not int or not isinstance(trait.argstr, str):
        return False
    real = os.cpu_count()
    try:
        with mock.patch("multiprocessing.cpu_count", lambda: _ODD_COUNT), \
                mock.patch("os.cpu_count", lambda: _ODD_COUNT):
            odd = f(iface, n, trait, v)
        return (real is not None and odd == trait.argstr % _ODD_COUNT
                and got[1] == trait.argstr % real)
    except Exception:  # noqa: BLE001
        return False


def _read_states(spec, reads):
    """Values for the inputs an override reads: each unset, or every value of a finite type
    (Enum, Bool), or one of two samples; every combination (at most 96)."""
    states = [{}]
    for x in reads:
        t = spec["inputs"][x]["type"]
        opts = list(_finite_values(t))
        for r in range(2):
            try:
                v = probe._sample(t, x, r)
            except probe._Skip:
                continue
            if not any(type(v) is type(o) and v == o for o in opts):
                opts.append(v)
        states = [dict(st, **({x: v} if v is not None else {})) for st in states
                  for v in [None] + opts]
    if len(states) > 96:
        raise Unsupported("reads too many input values")
    return states


def _argstr_inputs(cls, spec, f, n, samples, states, pairs):
    """[] when the override's result for `n` does not change with the inputs it reads,
    the inputs X... when it is argstr % (value, self.inputs.X, ...) in every state
    (an unset one: "<undefined>"), else None."""
    from itertools import combinations, permutations
    d = spec["inputs"][n]
    alone = {repr(v): got for v, got, _ in pairs}
    seen = []  # (value, {input: value as nipype holds it}, result)
    cwd = os.getcwd()
    for st in states:
        probe.sample_files(spec, st, cwd)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                it = probe._set_nipype(cls, st)
            except Exception:  # noqa: BLE001  (nipype rejects the values: nothing to see)
                continue
        held = {x: getattr(it.inputs, x) for x in st}
        for v in samples:
            try:
                got = ("ok", f(it, n, it.inputs.trait(n), v))
            except Exception as e:  # noqa: BLE001
                got = ("error", type(e).__name__)
            seen.append((v, held, got))
    if len(seen) < 2 * len(samples):
        return None  # too few states to tell
    if all(got == alone[repr(v)] for v, _, got in seen):
        return []
    names = sorted({x for _, held, _ in seen for x in held})
    for k in range(1, len(names) + 1):
        for order in (p for c in combinations(names, k) for p in permutations(c)):
            def want(v, held):
                try:
                    return ("ok", d["argstr"] % ((v,) + tuple(
                        held.get(x, "<undefined>") for x in order)))
                except Exception:  # noqa: BLE001
                    return None
            if all(got == want(v, held) for v, held, got in seen):
                return list(order)
    return None


def _item_format(f, iface, n, trait, d, pairs):
    """{"item_argstr": F, "sep"?: J} when the override writes argstr % J.join(F % item), else None."""
    argstr = d["argstr"]
    if argstr.endswith("...") or not (probe._is_list_type(d["type"])):
        return None
    lists = [v for v, got, _ in pairs if isinstance(v, (list, tuple)) and len(v) >= 2
             and got[0] == "ok" and isinstance(got[1], str)]
    if not lists:
        return None
    v = lists[0]

    def joined(items):
        try:
            out = f(iface, n, trait, list(items))
            return _replacement(argstr, out) if isinstance(out, str) else None
        except Exception:  # noqa: BLE001
            return None

    one = joined([v[0]])
    if not isinstance(one, str):
        return None
    parts = list(v[0]) if isinstance(v[0], (list, tuple)) else [v[0]]
    fmt, pos = [], 0
    for e in parts:
        t = str(e)
        i = one.find(t, pos) if t else -1
        if i < 0:
            return None
        fmt.append(one[pos:i].replace("%", "%%") + "%s")
        pos = i + len(t)
    fmt.append(one[pos:].replace("%", "%%"))
    fmt = "".join(fmt)
    two = joined(v[:2])
    first = fmt % (tuple(v[0]) if isinstance(v[0], (list, tuple)) else v[0])
    second = fmt % (tuple(v[1]) if isinstance(v[1], (list, tuple)) else v[1])
    if not (isinstance(two, str) and two.startswith(first) and two.endswith(second)
            and len(two) >= len(first) + len(second)):
        return None
    sep = two[len(first): len(two) - len(second)]
    keys = {"item_argstr": fmt}
    if sep != d.get("sep", " "):
        keys["sep"] = sep
    spec_d = dict(d, **keys)
    for v, got, _ in pairs:
        if got[0] != "ok" or not isinstance(v, (list, tuple)):
            return None
        try:
            if probe.fmt(spec_d, probe._jsonish(v)) != got[1]:
                return None
        except Exception:  # noqa: BLE001
            return None
    return keys


def _finite_values(t):
    """Every value of a type whose values can all be tried (Enum, Bool, Either of them), else []."""
    if isinstance(t, dict) and "Either" in t:
        parts = [_finite_values(b) for b in t["Either"]]
        return [v for p in parts for v in p] if all(parts) else []
    return probe._enum_values(t)


def _path_value(v):
    """v as path_form sees it (a string, or a list of strings), else None."""
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)) and all(isinstance(e, str) for e in v):
        return list(v)
    return None


def _stem(v):
    while isinstance(v, (list, tuple)):
        if not v:
            return None
        v = v[0]
    return probe._split_ext(v)[0] if isinstance(v, str) else None


def genfile_templates(cls, spec, targets, output_extension=None):
    """genfile_template (+ absolute) for inputs nipype names in _gen_filename.

    `output_extension` (an object, FSL's `output_type` table) lets a name be
    `template % base` + that extension (`"extension": true`: FSL's `_gen_fname`).
    Returns {input: {"genfile_template": ..., "absolute"?: True}}; raises Unsupported."""
    ins = spec["inputs"]
    oe = output_extension if isinstance(output_extension, dict) and (
        output_extension.get("mode") == "append") else None
    cands = {n: None for n in targets}  # None: not yet observed
    observed = {n: 0 for n in targets}
    for values, iface, _, cwd in probe.rendered_samples(cls, spec, probe._cases(spec, every=True)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
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
                    forms = [(rel, False)]
                    if oe is not None:
                        held = lambda x: (getattr(iface.inputs, x, None)  # noqa: E731
                                          if isdefined(getattr(iface.inputs, x, None)) else None)
                        ext = probe.add_output_extension(oe, "", held)
                        if rel.endswith(ext):
                            forms.append((rel[: len(rel) - len(ext)], True))
                    for s, stem in stems.items():
                        for name, with_ext in forms:
                            if s != n and stem and stem in name:
                                t = name.replace("%", "%%").replace(
                                    stem.replace("%", "%%"), "%s", 1)
                                here.add((s, t, absolute, with_ext))
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
    out = {}
    for n in targets:
        if not observed[n] or not cands[n]:
            raise Unsupported(f"inputs: {n}")
        s, t, absolute, with_ext = sorted(cands[n])[0]
        d = {"genfile_template": {"source": s, "template": t}}
        if with_ext:
            d["genfile_template"]["extension"] = True
        if absolute:
            d["absolute"] = True
        out[n] = d
    return out


def gen_filename_never(cls, spec, n):
    """Whether nipype's _gen_filename(n) raises NotImplementedError for every sample that
    leaves n unset (values set without rendering: nipype's cmdline would fail on it)."""
    tried = 0
    old = os.getcwd()
    try:
        for values in probe._cases(spec, every=True):
            values = {k: v for k, v in values.items() if k != n}
            with tempfile.TemporaryDirectory() as d:
                os.chdir(d)
                probe.sample_files(spec, values, d)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        iface = probe._set_nipype(cls, values)
                    except Exception:  # noqa: BLE001
                        continue
                    try:
                        iface._gen_filename(n)
                        return False
                    except NotImplementedError:
                        tried += 1
                    except Exception:  # noqa: BLE001
                        return False
    finally:
        os.chdir(old)
    return tried > 0


# ------------------------------------------------- genfile_template as a list of alternatives

_MAX_TEMPLATES = 3000
_ATTRS = ("name", "stem", "ext", "prefix")


def _field_texts(held, target):
    """(field, text) pairs a name may contain for the held values (field without braces)."""
    out = []
    for x, v in sorted(held.items()):
        if x in (target, "environ", "args"):
            continue
        if isinstance(v, (str, int, float)) and not isinstance(v, dict):
            t = str(v)
            if t:
                out.append((x, t))
        for a in _ATTRS:
            t = probe.field_text(v, a) if isinstance(v, (str, list)) else None
            if t and len(t) >= 2:
                out.append((f"{x}.{a}", t))
    return out


def _tokenizations(name, fields):
    """Brace templates that give `name` with these field texts (None when there are too many)."""
    results = []
    esc = lambda c: {"{": "{{", "}": "}}"}.get(c, c)  # noqa: E731

    def walk(i, acc, nfields):
        if len(results) > _MAX_TEMPLATES:
            return
        if i == len(name):
            results.append(("".join(acc), nfields))
            return
        for f, t in fields:
            if name.startswith(t, i):
                acc.append("{" + f + "}")
                walk(i + len(t), acc, nfields + 1)
                acc.pop()
        acc.append(esc(name[i]))
        walk(i + 1, acc, nfields)
        acc.pop()

    walk(0, [], 0)
    return None if len(results) > _MAX_TEMPLATES else results


def _alt_name(spec, target, alts, absolute, held, cwd):
    """The name probe.render gives `target` with these alternatives (None: no name)."""
    ins = {n: {k: v for k, v in d.items() if k in ("type", "default", "usedefault")}
           for n, d in spec["inputs"].items()}
    ins[target] = {"type": "Str", "argstr": "%s", "genfile_template": alts}
    if absolute:
        ins[target]["absolute"] = True
    s = {"name": "t", "command": "", "inputs": ins}
    if spec.get("output_extension") is not None:
        s["output_extension"] = spec["output_extension"]
    vals = {k: v for k, v in held.items() if k != target}
    try:
        line = probe.render(s, vals, cwd=cwd)
    except Exception:  # noqa: BLE001
        return "\0error"
    return line[1:] if line else None


def _fit(spec, target, obs, absolute, ext_ok):
    """Alternatives {"template", "extension"?} consistent with every observation, best first."""
    named = [o for o in obs if o[1] is not None]
    if not named:
        return []
    tried, overflowed = set(), False
    # generators: observations with distinct names (longest first: most parts to match)
    gens = []
    for o in sorted(named, key=lambda o: -len(o[1])):
        key = (o[1].replace(o[2], ""), tuple(sorted(o[0])))
        if key not in tried:
            tried.add(key)
            gens.append(o)
    for gen in gens[:12]:
        held, got, cwd = gen
        rel = got
        if absolute and (got == cwd or got.startswith(cwd + "/")):
            rel = "." if got == cwd else got[len(cwd) + 1:]
        forms = [(rel, False)]
        if ext_ok:
            ext = probe.add_output_extension(spec["output_extension"], "",
                                             lambda x: held.get(x))
            if ext and rel.endswith(ext):
                forms.append((rel[: len(rel) - len(ext)], True))
        cands = []
        overflow = False
        for name, with_ext in forms:
            toks = _tokenizations(name, _field_texts(held, target))
            if toks is None:
                overflow = True
                break
            cands += [(t, with_ext, nf) for t, nf in toks]
        if overflow:
            overflowed = True
            continue
        good = []
        for t, with_ext, nf in cands:
            alt = {"template": t}
            if with_ext:
                alt["extension"] = True
            if all(_alt_name(spec, target, [alt], absolute, h, c) == g for h, g, c in obs):
                good.append((len(re.sub(r"\{[^{}]*\}", "", t.replace("{{", "").replace("}}", ""))),
                             nf, len(t), t, alt))
        good.sort(key=lambda x: x[:4])
        if good:
            return [g[4] for g in good]
    if overflowed:
        raise Unsupported("too many template candidates")
    return []


def _decision_list(spec, target, obs, absolute, ext_ok, whens):
    alts, remaining = [], list(obs)
    for _ in range(8):
        if all(o[1] is None for o in remaining):
            return alts
        fit = _fit(spec, target, remaining, absolute, ext_ok)
        if fit:
            return alts + [fit[0]]
        for w, part in _when_parts(whens, remaining):
            fit = _fit(spec, target, part, absolute, ext_ok)
            if fit:
                alts.append(dict({"when": [w]}, **fit[0]))
                remaining = [o for o in remaining if o not in part]
                break
        else:
            return None
    return None


def _when_parts(whens, obs):
    """(condition, observations it holds for) to try: an input set ({"set": X}, nipype's
    isdefined), then set and true (X), or X alone where no sample tells them apart."""
    for w in whens:
        is_set = [o for o in obs if o[0].get(w) is not None]
        true = [o for o in is_set if bool(o[0][w])]
        parts = [(w, true)] if len(true) == len(is_set) else [({"set": w}, is_set), (w, true)]
        for cond, part in parts:
            if part and len(part) < len(obs):
                yield cond, part


def _when_input(w):
    """The input a `when` condition names."""
    return w if isinstance(w, str) else next(iter(w.values()))


def _observe(cls, spec, targets, cases, method="_gen_filename"):
    """{target: [(held values, name or None, cwd)]} for samples nipype renders."""
    ins = spec["inputs"]
    obs = {n: [] for n in targets}
    for values, iface, _, cwd in probe.rendered_samples(cls, spec, cases):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            held = {}
            for x in ins:
                v = getattr(iface.inputs, x)
                if isdefined(v) and (x in values or ins[x].get("usedefault")):
                    held[x] = probe._jsonish(v)
            for n in targets:
                if n in values:
                    continue
                try:
                    got = getattr(iface, method)(n)
                except Exception:  # noqa: BLE001
                    raise Unsupported(f"inputs: {n}")
                if got is None or not isdefined(got):
                    got = None
                elif not isinstance(got, str):
                    raise Unsupported(f"inputs: {n}")
                obs[n].append((held, got, cwd))
    return obs


def _named_inputs(cls, spec):
    """Inputs the class's own methods read as self.inputs.X (candidates for `when`)."""
    found = set()
    for k in cls.__mro__:
        if k.__module__.startswith(("nipype.interfaces.base", "traits", "builtins")):
            continue
        for attr, f in k.__dict__.items():
            if callable(f):
                try:
                    src = inspect.getsource(f)
                except (OSError, TypeError):
                    continue
                found |= set(re.findall(r"self\.inputs\.(\w+)", src))
                found |= set(re.findall(r"""inputs\[["'](\w+)["']\]""", src))
    return sorted(x for x in found if x in spec["inputs"])


def genfile_alternatives(cls, spec, targets, output_extension=None, method="_gen_filename"):
    """genfile_template as a list of alternatives (brace fields) for inputs nipype names in
    _gen_filename; inferred from nipype's names on samples. Returns {input: keys}."""
    oe = output_extension if isinstance(output_extension, dict) and (
        output_extension.get("mode") == "append") else None
    draft = dict(spec)
    if oe is not None and not isinstance(spec.get("output_extension"), dict):
        draft["output_extension"] = oe
    ext_ok = isinstance(draft.get("output_extension"), dict) and draft["output_extension"].get(
        "mode") == "append"
    cases = probe._cases(spec, rounds=9, every=True)
    obs = _observe(cls, spec, targets, cases, method)
    whens = _named_inputs(cls, spec)
    out = {}
    for n in targets:
        o = obs[n]
        if not o or all(x[1] is None for x in o):
            raise Unsupported(f"inputs: {n}")
        absolute = any(x[1] is not None and (x[1] == x[2] or x[1].startswith(x[2] + "/"))
                       for x in o)
        if absolute and any(x[1] is not None and not os.path.isabs(x[1]) for x in o):
            raise Unsupported(f"inputs: {n}")
        alts = _decision_list(draft, n, o, absolute, ext_ok, [w for w in whens if w != n])
        if alts is None:
            raise Unsupported(f"inputs: {n}")
        used = sorted({_when_input(a["when"][0]) for a in alts if "when" in a})
        if len(used) > 1:
            # the order of the alternatives: samples with two of their inputs set together
            more = [c for c in probe.when_pair_cases(spec, used) if n not in c]
            o2 = o + _observe(cls, spec, [n], more, method)[n]
            alts = _decision_list(draft, n, o2, absolute, ext_ok, [w for w in whens if w != n])
            if alts is None:
                raise Unsupported(f"inputs: {n}")
        d = {"genfile_template": alts}
        if absolute:
            d["absolute"] = True
        out[n] = d
    return out


# ------------------------------------------------- _parse_inputs(skip=...) as omit_when

def _inputs_attr(node):
    """X for the expression self.inputs.X, else None."""
    if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
            and node.value.attr == "inputs" and isinstance(node.value.value, ast.Name)
            and node.value.value.id == "self"):
        return node.attr
    return None


def _skip_conditions(test, aliases=None):
    """omit_when conditions (any holds) for an `if` test, else raise Unsupported.
    `aliases`: local names for isdefined(self.inputs.X) (parse_inputs_rules)."""
    aliases = aliases or {}
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return [c for v in test.values for c in _skip_conditions(v, aliases)]
    if isinstance(test, ast.Name) and test.id in aliases:
        return [{"set": aliases[test.id]}]
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and _inputs_attr(test.operand):
        return [{"false": _inputs_attr(test.operand)}]
    if _inputs_attr(test):
        return [{"true": _inputs_attr(test)}]
    if (isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isdefined"
            and len(test.args) == 1 and _inputs_attr(test.args[0])):
        return [{"set": _inputs_attr(test.args[0])}]
    raise Unsupported("skip condition")


def _names(node):
    if isinstance(node, (ast.List, ast.Tuple)) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return [e.value for e in node.elts]
    raise Unsupported("skip list")


def _is_skip_none_init(st):
    return (isinstance(st, ast.If) and not st.orelse and isinstance(st.test, ast.Compare)
            and isinstance(st.test.left, ast.Name) and st.test.left.id == "skip"
            and len(st.body) == 1 and isinstance(st.body[0], ast.Assign))


def _is_terminal_output(st):
    """Statements that only set self.terminal_output (how nipype runs it, not the line)."""
    if isinstance(st, ast.Assign):
        return all(isinstance(t, ast.Attribute) and t.attr == "terminal_output"
                   and isinstance(t.value, ast.Name) and t.value.id == "self" for t in st.targets)
    if isinstance(st, ast.If) and not st.orelse:
        return all(_is_terminal_output(b) for b in st.body)
    return False


def parse_inputs_skips(func):
    """{input: conditions or None (always)} for a `_parse_inputs` override that only adds
    names to `skip` (maybe under `if` tests on inputs) before calling the base; raises
    Unsupported otherwise (also when it can raise: see parse_inputs_rules)."""
    skips, raises = parse_inputs_rules(func)
    if raises:
        raise Unsupported("raises")
    return skips


def parse_inputs_rules(func, known=None):
    """(skips, raises) for a `_parse_inputs` override that adds names to `skip` (maybe under
    `if` tests on inputs) and may raise, before calling the base. skips: {input: conditions
    or None (always)}; raises: [(inputs, test)], test(set_inputs) telling whether it raises
    for those set inputs. Besides `if`s: `X = isdefined(self.inputs.Y)` names a test, and
    `try: ... except AttributeError: pass` is allowed when every input it reads is in
    `known`, or when its first read is of an input not in `known` (nothing happens: the
    inputs of MRTrix3Base read by an interface without them). Raises Unsupported otherwise."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        raise Unsupported("no source")
    fn = tree.body[0]
    if not isinstance(fn, ast.FunctionDef) or [a.arg for a in fn.args.args] != ["self", "skip"]:
        raise Unsupported("signature")
    out, raises, aliases = {}, [], {}

    def add(names, conds):
        for x in names:
            if conds is None or out.get(x, ()) is None:
                out[x] = None
            else:
                out.setdefault(x, []).extend(conds)

    def additions(st, conds):
        # skip += [...], skip.append("x"), skip.extend([...])
        if (isinstance(st, ast.AugAssign) and isinstance(st.op, ast.Add)
                and isinstance(st.target, ast.Name) and st.target.id == "skip"):
            add(_names(st.value), conds)
            return True
        if (isinstance(st, ast.Expr) and isinstance(st.value, ast.Call)
                and isinstance(st.value.func, ast.Attribute)
                and isinstance(st.value.func.value, ast.Name) and st.value.func.value.id == "skip"
                and len(st.value.args) == 1):
            if st.value.func.attr == "append" and isinstance(st.value.args[0], ast.Constant):
                add([st.value.args[0].value], conds)
                return True
            if st.value.func.attr == "extend":
                add(_names(st.value.args[0]), conds)
                return True
        return False

    def walk(stmts, conds, guards):
        # conds: the skip conditions of the enclosing `if` (None at the top); guards: the
        # tests of the enclosing `if`s, for a raise
        for st in stmts:
            if _is_skip_none_init(st) or (conds is None and _is_terminal_output(st)):
                continue
            if additions(st, conds):
                continue
            if _is_alias(st) and not guards:
                aliases[st.targets[0].id] = _inputs_attr(st.value.args[0])
                continue
            if isinstance(st, ast.Raise):
                raises.append(_raise_test(guards, aliases))
                continue
            if isinstance(st, ast.If) and not st.orelse:
                adds = [b for b in st.body
                        if not (isinstance(b, ast.Raise) or _is_skip_none_init(b))]
                if adds and conds is not None:
                    raise Unsupported("nested skip condition")  # omit_when: any of, not all
                inner = _skip_conditions(st.test, aliases) if adds else conds
                walk(st.body, inner, guards + [st.test])
                continue
            if _is_attribute_error_guard(st) and conds is None and not guards:
                reads = [x for b in st.body for x in _reads_in_order(b)]
                if known is not None and reads and reads[0] not in known and isinstance(
                        st.body[0], (ast.If, ast.Assign)):
                    continue  # the first read fails: nothing in the block happens
                if known is None or any(x not in known for x in reads):
                    raise Unsupported("try block reading unknown inputs")
                walk(st.body, None, [])
                continue
            raise Unsupported("statement")

    body = [b for b in fn.body if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]
    if not body:
        raise Unsupported("empty")
    *stmts, ret = body
    walk(stmts, None, [])
    # return super()._parse_inputs(skip) / (skip=skip) / (skip=[...])
    call = ret.value if isinstance(ret, ast.Return) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr == "_parse_inputs" and isinstance(call.func.value, ast.Call)
            and isinstance(call.func.value.func, ast.Name) and call.func.value.func.id == "super"):
        raise Unsupported("return")
    args = list(call.args) + [k.value for k in call.keywords if k.arg == "skip"]
    if len(args) != 1 or len(call.args) + len(call.keywords) != 1:
        raise Unsupported("return")
    a = args[0]
    if not (isinstance(a, ast.Name) and a.id == "skip"):
        add(_names(a), None)
    return out, raises


def _is_alias(st):
    """`NAME = isdefined(self.inputs.X)`."""
    return (isinstance(st, ast.Assign) and len(st.targets) == 1
            and isinstance(st.targets[0], ast.Name) and isinstance(st.value, ast.Call)
            and isinstance(st.value.func, ast.Name) and st.value.func.id == "isdefined"
            and len(st.value.args) == 1 and _inputs_attr(st.value.args[0]) is not None)


def _is_attribute_error_guard(st):
    """`try: ... except AttributeError: pass`."""
    return (isinstance(st, ast.Try) and not st.orelse and not st.finalbody
            and len(st.handlers) == 1 and isinstance(st.handlers[0].type, ast.Name)
            and st.handlers[0].type.id == "AttributeError" and st.handlers[0].name is None
            and all(isinstance(b, ast.Pass) for b in st.handlers[0].body))


def _reads_in_order(node):
    """The inputs read as self.inputs.X, in the order Python evaluates them."""
    x = _inputs_attr(node)
    if x is not None:
        return [x]
    return [y for child in ast.iter_child_nodes(node) for y in _reads_in_order(child)]


def _set_test(test, aliases):
    """A function of the set inputs for a test made of isdefined(self.inputs.X), names of
    such tests, `not`, `and`, `or`; raises Unsupported for anything else (a value's truth)."""
    if isinstance(test, ast.BoolOp):
        parts = [_set_test(v, aliases) for v in test.values]
        if isinstance(test.op, ast.And):
            return lambda on: all(p(on) for p in parts)
        return lambda on: any(p(on) for p in parts)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        part = _set_test(test.operand, aliases)
        return lambda on: not part(on)
    if isinstance(test, ast.Name) and test.id in aliases:
        x = aliases[test.id]
        return lambda on: x in on
    if (isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isdefined"
            and len(test.args) == 1 and _inputs_attr(test.args[0])):
        x = _inputs_attr(test.args[0])
        return lambda on: x in on
    raise Unsupported("raise condition")


def _raise_test(guards, aliases):
    """(inputs, test) for a raise under these `if` tests (all must hold)."""
    parts = [_set_test(g, aliases) for g in guards]
    names = sorted({x for g in guards for x in _reads_in_order(g)}
                   | {aliases[n.id] for g in guards for n in ast.walk(g)
                      if isinstance(n, ast.Name) and n.id in aliases})
    return names, lambda on: all(p(on) for p in parts)


def requires_for_raises(raises):
    """{input: [inputs it requires]} raising exactly where the `raises` of
    parse_inputs_rules do (nipype's RuntimeError when only one of a pair is set: `requires`
    both ways), else raises Unsupported. Every set/unset combination is tried."""
    from itertools import product
    names = sorted({x for ns, _ in raises for x in ns})
    if len(names) > 8:
        raise Unsupported("raise on too many inputs")
    states = [frozenset(x for x, on in zip(names, bits) if on)
              for bits in product((False, True), repeat=len(names))]
    fails = {st for st in states if any(t(st) for _, t in raises)}
    req = {x: [y for y in names if y != x
               and all(st in fails for st in states if x in st and y not in st)]
           for x in names}
    req = {x: ys for x, ys in req.items() if ys}
    if any((st in fails) != any(x in st and y not in st for x, ys in req.items() for y in ys)
           for st in states):
        raise Unsupported("raise condition other than requires")
    return req
