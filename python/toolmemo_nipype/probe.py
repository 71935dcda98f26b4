"""Self-check: render sample inputs through nipype itself and through the spec's rules.

Any difference (or a spec rendering that fails where nipype succeeds) refuses the export.
The rules here follow docs/spec-format.md: ordering, positions, Bool flags, lists with `sep`
and `...`, shell quoting of plain File/Directory values, generated names with
`name_source`/`name_template`/`keep_extension`/`output_extension`, and the version 1.1 keys
`absolute`, `value_map`, `genfile_template` and `output_extension` as an object. The
rendering folder is os.getcwd() (the probe renders in a temporary folder, as nipype does).
"""

import os
import shlex
import tempfile
import warnings

from nipype.interfaces.base.traits_extension import isdefined

SPECIAL_EXT = (".nii.gz", ".tar.gz", ".niml.dset")


class _Skip(Exception):
    pass


def _split_ext(path):
    base = os.path.basename(path)
    for e in SPECIAL_EXT:
        if base.lower().endswith(e):
            return base[: -len(e)], base[-len(e):]
    stem, ext = os.path.splitext(base)
    return stem, ext


def _is_list_type(t):
    return isinstance(t, dict) and ("List" in t or "MultiPath" in t)


def _either_has_list(t):
    return isinstance(t, dict) and "Either" in t and any(
        _is_list_type(b) or _either_has_list(b) for b in t["Either"])


V11_INPUT_KEYS = ("absolute", "value_map", "genfile_template")


def v11_keys(spec):
    """The version 1.1 keys a spec uses, sorted."""
    keys = {k for d in spec["inputs"].values() for k in V11_INPUT_KEYS if k in d}
    if isinstance(spec.get("output_extension"), dict):
        keys.add("output_extension")
    return sorted(keys)


def uses_v11(spec):
    """Whether a spec uses any version 1.1 key."""
    return bool(v11_keys(spec))


def value_key(v):
    """The text a value is looked up by in `value_map` / an `output_extension` map."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str) and v in ("true", "false"):
        return None  # those keys name the Bool values only (docs/spec-format.md)
    if isinstance(v, (int, float, str)):
        return str(v)
    return None


_EMPTY = object()


def render(spec, values, version=None, cwd=None):
    """Render the command line of `spec` for `values` (already validated, as nipype holds them).

    `cwd` is the rendering folder (default: the current directory)."""
    ins = spec["inputs"]
    cwd = os.getcwd() if cwd is None else cwd

    def absolute(n, name):
        if ins[n].get("absolute") and isinstance(name, str):
            return os.path.normpath(cwd + "/" + name)
        return name

    def isset(n):
        return values.get(n) is not None or bool(ins.get(n, {}).get("usedefault"))

    def value(n):
        v = values.get(n)
        if v is None and ins[n].get("usedefault"):
            v = ins[n].get("default")
        return v

    def add_extension(out):
        oe = spec.get("output_extension")
        if oe is None:
            return out
        if isinstance(oe, str):
            return out + oe
        iv = value(oe["input"]) if oe["input"] in ins else None
        ext = oe["map"].get(value_key(iv)) if iv is not None else None
        if ext is None:
            return out
        if oe["mode"] == "append":
            return out + ext
        if oe["mode"] == "replace":
            stem, _ = _split_ext(out)
            return os.path.join(os.path.dirname(out), stem + ext)
        raise ValueError(f"output_extension mode {oe['mode']!r}")

    def generated(n, chain):
        d = ins[n]
        v = value(n)
        if v is not None and not (isinstance(v, str) and "%s" in v):
            return v
        if not d.get("name_source"):
            return v
        if any(isset(x) for x in d.get("xor") or ()):
            return v
        if not all(isset(x) for x in d.get("requires") or ()):
            return v
        template = v if v is not None else (d.get("name_template") or "%s_generated")
        ns = d["name_source"]
        ns = ns[0] if isinstance(ns, list) else ns
        source_ext = None
        if isset(ns):
            src = value(ns)
            while isinstance(src, list):
                src = src[0]
            if isinstance(src, str):
                base, source_ext = _split_ext(src)
            else:
                base = src
        else:
            if n in chain:
                raise ValueError("name_source cycle")
            base = generated(ns, chain + [n])
            if base is None:
                return v
            _, source_ext = _split_ext(base)
        out = template % base
        _, ext = _split_ext(out)
        if d.get("keep_extension") and (ext or source_ext):
            if not ext and source_ext:
                out = out + source_ext
        else:
            out = add_extension(out)
        return absolute(n, out)

    def from_template(n):
        gt = ins[n]["genfile_template"]
        s = gt["source"]
        if not isset(s):
            return None
        src = value(s)
        while isinstance(src, list):
            if not src:
                return None
            src = src[0]
        base = _split_ext(src)[0] if isinstance(src, str) else src
        return absolute(n, gt["template"] % base)

    first, middle, last = {}, [], {}
    for n in sorted(ins):
        d = ins[n]
        if d.get("argstr") is None:
            continue
        raw = value(n)
        v = generated(n, []) if d.get("name_source") else raw
        if v is None and d.get("genfile_template"):
            v = from_template(n)
        elif v is not None and v is raw and "value_map" in d and value_key(v) in d["value_map"]:
            v = d["value_map"][value_key(v)]
            v = _EMPTY if v is None else absolute(n, v)
        if v is None:
            continue
        arg = "" if v is _EMPTY else fmt(d, v)
        if arg is None:
            continue
        pos = d.get("position")
        if pos is None:
            middle.append(arg)
        elif pos >= 0:
            first[pos] = arg
        else:
            last[pos] = arg
    words = [spec["command"]] + [first[k] for k in sorted(first)] + middle + [
        last[k] for k in sorted(last)]
    return " ".join(words)


def fmt(d, v):
    argstr, t = d["argstr"], d["type"]
    if t == "Bool" and "%" not in argstr:
        return argstr if v else None
    if _is_list_type(t) or (_either_has_list(t) and isinstance(v, list)) or (
            isinstance(t, dict) and "Either" in t and isinstance(v, list)):
        sep = d.get("sep", " ")
        if argstr.endswith("..."):
            a = argstr.replace("...", "")
            return sep.join(a % (tuple(e) if isinstance(e, list) else e) for e in v)
        return argstr % sep.join(str(_py(e)) for e in v)
    if t in ("File", "Directory") or (isinstance(t, dict) and set(t) <= {"File", "Directory"}):
        if "'%s'" not in argstr and '"%s"' not in argstr:
            v = shlex.quote(v)
    if isinstance(v, list):
        v = tuple(_py(e) for e in v)
    return argstr % v


def _py(e):
    return tuple(_py(x) for x in e) if isinstance(e, list) else e


# ---------------------------------------------------------------- sample values

def _sample(t, name, k):
    """A sample JSON value for v1 type t (k varies the choice)."""
    if t == "Bool":
        return k % 2 == 0
    if t == "Int":
        return [2, 0, -3][k % 3]
    if t == "Float":
        return [0.5, 2.0, 1e-05][k % 3]
    if t == "Str":
        return ["foo", "two words", ""][k % 3]
    if t == "Any":
        return "any"
    if t in ("File", "Directory"):
        if t == "Directory":
            return "adir"
        return [f"in_{name}.nii.gz", f"sub/in_{name}", "my file.txt", f"in_{name}.v2.nii"][k % 4]
    if isinstance(t, dict):
        (key, val), = [(x, y) for x, y in t.items() if x not in ("minlen", "maxlen")]
        if key == "File":
            exts = val.get("extensions")
            return f"in_{name}{exts[0]}" if exts else _sample("File", name, k)
        if key == "Directory":
            return "adir"
        if key == "Enum":
            return val[k % len(val)]
        if key == "Range":
            lo, hi = val.get("low"), val.get("high")
            if lo is not None and hi is not None:
                if isinstance(lo, int) and isinstance(hi, int):
                    return lo + 1 if hi - lo >= 2 else (hi if val.get("exclude_low") else lo)
                return (lo + hi) / 2
            if lo is not None:
                return lo + 1
            return hi - 1
        if key in ("List", "MultiPath"):
            n = max(t.get("minlen", 0), min(2, t.get("maxlen", 2)))
            return [_sample(val, f"{name}{i}", k + i) for i in range(n)]
        if key == "Tuple":
            return [_sample(x, f"{name}{i}", k + i) for i, x in enumerate(val)]
        if key == "Either":
            return _sample(val[k % len(val)], name, k)
        if key == "Dict":
            return {"k": _sample(val, name, k)}
    raise _Skip()


def _files_for(t, v, acc):
    """Collect paths to create so that exists-checks pass."""
    if isinstance(t, dict):
        (key, val), = [(x, y) for x, y in t.items() if x not in ("minlen", "maxlen")]
        if key in ("File", "Directory") and isinstance(v, str):
            acc.append(v + ("/" if key == "Directory" else ""))
        elif key in ("List", "MultiPath") and isinstance(v, list):
            for e in v:
                _files_for(val, e, acc)
        elif key == "Tuple" and isinstance(v, list):
            for x, e in zip(val, v):
                _files_for(x, e, acc)
        elif key == "Either":
            for b in val:
                _files_for(b, v, acc)
    elif t in ("File", "Directory") and isinstance(v, str):
        acc.append(v + ("/" if t == "Directory" else ""))


def _enum_values(t):
    """Every value of a finite type (Enum, Bool, also as Either branches), else []."""
    if t == "Bool":
        return [True, False]
    if isinstance(t, dict) and "Enum" in t:
        return list(t["Enum"])
    if isinstance(t, dict) and "Either" in t:
        return [v for b in t["Either"] for v in _enum_values(b)]
    return []


def _cases(spec, rounds=4, every=None):
    ins = spec["inputs"]
    base = {}
    for n in sorted(ins):
        d = ins[n]
        if d.get("mandatory") and not d.get("usedefault"):
            if any(x in base for x in d.get("xor") or () if x != n):
                continue
            base[n] = n
    # with 1.1 keys, Python code reads inputs that never reach the command line: vary them all
    every = uses_v11(spec) if every is None else every
    cases = []

    def add(c, n, v):
        if any(x in c for x in ins[n].get("xor") or () if x != n):
            return
        c2 = dict(c)
        c2[n] = v
        for r in ins[n].get("requires") or ():
            if r not in c2:
                c2[r] = _sample(ins[r]["type"], r, 0)
        cases.append(c2)

    for k in range(rounds):
        c = {n: _sample(ins[n]["type"], n, k) for n in base}
        cases.append(c)
        for n in sorted(ins):
            d = ins[n]
            if n in c or n == "environ" or (
                    d.get("argstr") is None and not d.get("name_source") and not every):
                continue
            try:
                v = _sample(d["type"], n, k)
            except _Skip:
                if n in c or d.get("argstr") is not None:
                    raise
                continue
            add(c, n, v)
    # each other member of a mandatory xor group in place of the one the base chose
    for m in sorted(ins):
        d = ins[m]
        if m in base or not d.get("mandatory") or d.get("usedefault"):
            continue
        alt = [n for n in base if n not in (d.get("xor") or ())] + [m]
        for k in range(rounds):
            cases.append({n: _sample(ins[n]["type"], n, k) for n in alt})
    c0 = {n: _sample(ins[n]["type"], n, 0) for n in base}
    for n in sorted(ins):
        if n == "environ" or (ins[n].get("argstr") is None and not every):
            continue
        for v in _enum_values(ins[n]["type"]):
            if n in base:
                c2 = dict(c0)
                c2[n] = v
                cases.append(c2)
            else:
                add(c0, n, v)
    return cases


def _set_nipype(cls, values):
    iface = cls()
    for n, v in values.items():
        setattr(iface.inputs, n, _py(v) if isinstance(v, list) and _wants_tuple(iface, n) else v)
    return iface


def _wants_tuple(iface, n):
    return type(iface.inputs.trait(n).trait_type).__name__ == "Tuple"


def probe_spec(cls, spec, rounds=4):
    """None when every sample renders identically, else a refusal reason."""
    try:
        cases = _cases(spec, rounds)
    except _Skip:
        if uses_v11(spec):
            return "self-check could not make samples (needed for the 1.1 keys)"
        return None  # no samples for some type: rely on the static checks
    except Exception as e:  # noqa: BLE001
        return f"self-check could not make samples: {type(e).__name__}: {e}"
    old = os.getcwd()
    checked = 0
    try:
        for values in cases:
            with tempfile.TemporaryDirectory() as d:
                os.chdir(d)
                files = []
                for n, v in values.items():
                    _files_for(spec["inputs"][n]["type"], v, files)
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
                        iface = _set_nipype(cls, values)
                        want = iface.cmdline
                    except Exception:  # noqa: BLE001  (nipype rejects the sample: nothing to compare)
                        continue
                    held = {}
                    for n in spec["inputs"]:
                        v = getattr(iface.inputs, n)
                        if isdefined(v) and (n in values):
                            held[n] = _jsonish(v)
                try:
                    got = render(spec, held)
                except Exception as e:  # noqa: BLE001
                    return f"self-check: spec fails where nipype renders {want!r} ({type(e).__name__})"
                if got != want:
                    return f"self-check: nipype renders {want!r}, the spec {got!r}"
                checked += 1
    finally:
        os.chdir(old)
    if not checked and uses_v11(spec):
        return "self-check: nipype rendered no sample (needed for the 1.1 keys)"
    return None


def _jsonish(v):
    if isinstance(v, (list, tuple)):
        return [_jsonish(x) for x in v]
    if isinstance(v, dict):
        return {k: _jsonish(x) for k, x in v.items()}
    return v
