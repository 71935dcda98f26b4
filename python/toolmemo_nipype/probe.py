"""Self-check: render sample inputs through nipype itself and through the spec's rules.

Any difference (or a spec rendering that fails where nipype succeeds) refuses the export.
The rules here follow docs/spec-format.md: ordering, positions, Bool flags, lists with `sep`
and `...`, shell quoting of plain File/Directory values, generated names with
`name_source`/`name_template`/`keep_extension`/`output_extension`, and the version 1.1 keys
`absolute`, `value_map` (also on flags, and `{"host": "cpu_count"}`), `genfile_template` (with `extension`, and as a list
of alternatives with brace fields), `path_form`, `omit_when`, `argstr_inputs`, `item_argstr`,
`output_extension` as an object and explicit floats (`{"$float": N}`). The
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


V11_INPUT_KEYS = ("absolute", "value_map", "genfile_template", "path_form", "omit_when",
                  "argstr_inputs", "item_argstr")


def v11_keys(spec):
    """The version 1.1 keys a spec uses, sorted."""
    keys = {k for d in spec["inputs"].values() for k in V11_INPUT_KEYS if k in d}
    if isinstance(spec.get("output_extension"), dict):
        keys.add("output_extension")
    return sorted(keys)


# ---------------------------------------------------------------- explicit floats

def _is_float_marker(x):
    return isinstance(x, dict) and len(x) == 1 and "$float" in x and isinstance(
        x["$float"], (int, float)) and not isinstance(x["$float"], bool)


def _has_float_marker(x):
    if _is_float_marker(x):
        return True
    if isinstance(x, dict):
        return any(_has_float_marker(v) for v in x.values())
    if isinstance(x, list):
        return any(_has_float_marker(v) for v in x)
    return False


def _decode_value(x):
    """A spec value with `{"$float": N}` read as the float N (inside lists and objects too)."""
    if _is_float_marker(x):
        return float(x["$float"])
    if isinstance(x, list):
        return [_decode_value(v) for v in x]
    if isinstance(x, dict):
        return {k: _decode_value(v) for k, v in x.items()}
    return x


def _encode_value(x):
    """A spec value with every integral float written `{"$float": N}` (docs: Explicit floats)."""
    if isinstance(x, float) and x.is_integer():
        return {"$float": int(x)}
    if isinstance(x, (list, tuple)):
        return [_encode_value(v) for v in x]
    if isinstance(x, dict):
        return {k: _encode_value(v) for k, v in x.items()}
    return x


def _map_type(t, f):
    """Type t with f applied to the values it holds (Enum values, Range bounds)."""
    if not isinstance(t, dict):
        return t
    out = {}
    for k, v in t.items():
        if k == "Enum":
            out[k] = [f(x) for x in v]
        elif k == "Range":
            out[k] = {b: (f(x) if b in ("low", "high") else x) for b, x in v.items()}
        elif k in ("List", "MultiPath", "Dict"):
            out[k] = _map_type(v, f)
        elif k in ("Either", "Tuple"):
            out[k] = [_map_type(x, f) for x in v]
        else:
            out[k] = v
    return out


def _map_values(spec, f):
    inputs = {}
    for n, d in spec["inputs"].items():
        d = dict(d)
        d["type"] = _map_type(d["type"], f)
        if "default" in d:
            d["default"] = f(d["default"])
        if isinstance(d.get("value_map"), dict):
            d["value_map"] = {k: f(v) for k, v in d["value_map"].items()}
        inputs[n] = d
    return dict(spec, inputs=inputs)


def encode_floats(spec):
    """The spec with integral floats written explicitly wherever it holds a value."""
    return _map_values(spec, _encode_value)


def decode_floats(spec):
    """The spec with `{"$float": N}` read as floats (what encode_floats wrote)."""
    return _map_values(spec, _decode_value) if _has_float_marker(spec) else spec


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


def add_output_extension(oe, out, value_of):
    """`out` with the output extension `oe` (a string or an object) for input values `value_of`."""
    if oe is None:
        return out
    if isinstance(oe, str):
        return out + oe
    iv = value_of(oe["input"])
    ext = oe["map"].get(value_key(iv)) if iv is not None else None
    if ext is None:
        return out
    if oe["mode"] == "append":
        return out + ext
    if oe["mode"] == "replace":
        stem, _ = _split_ext(out)
        return os.path.join(os.path.dirname(out), stem + ext)
    raise ValueError(f"output_extension mode {oe['mode']!r}")


def host_value(rep):
    """A value_map replacement as rendered: `{"host": "cpu_count"}` is the host's CPU count
    (Python's os.cpu_count()); a string, a number or null is itself."""
    if isinstance(rep, dict):
        if rep == {"host": "cpu_count"} and os.cpu_count() is not None:
            return os.cpu_count()
        raise ValueError(f"value_map replacement {rep!r}")
    return rep


_EMPTY = object()


class _Mapped:
    def __init__(self, value):
        self.value = value


def path_formed(form, v, cwd):
    """A path value (each string of a list) as `path_form` writes it; other values as they are."""
    if isinstance(v, str):
        if form == "basename":
            return os.path.basename(v)
        if form == "absolute":
            return os.path.normpath(os.path.join(cwd, v))
        if form == "relative":
            return os.path.relpath(os.path.normpath(os.path.join(cwd, v)), cwd)
        raise ValueError(f"path_form {form!r}")
    if isinstance(v, list):
        return [path_formed(form, e, cwd) for e in v]
    return v


def py_truthy(v):
    """Python's truth of a value as nipype holds it (JSON lists are Python lists)."""
    return bool(v)


def field_parts(template):
    """The parts of a brace template: ("text", s) or ("field", input, attr-or-None)."""
    parts, i, lit = [], 0, []
    while i < len(template):
        c = template[i]
        if c == "{":
            if template.startswith("{{", i):
                lit.append("{")
                i += 2
                continue
            j = template.index("}", i)
            if lit:
                parts.append(("text", "".join(lit)))
                lit = []
            name = template[i + 1: j]
            n, _, attr = name.partition(".")
            if not n or (attr and attr not in ("name", "stem", "ext", "prefix")):
                raise ValueError(f"template field {{{name}}}")
            parts.append(("field", n, attr or None))
            i = j + 1
        elif c == "}":
            if not template.startswith("}}", i):
                raise ValueError("single } in template")
            lit.append("}")
            i += 2
        else:
            lit.append(c)
            i += 1
    if lit:
        parts.append(("text", "".join(lit)))
    return parts


def field_text(v, attr):
    """The text of one template field for the value v (None: no name)."""
    if attr is None:
        return str(v)
    while isinstance(v, list):
        if not v:
            return None
        v = v[0]
    if not isinstance(v, str):
        return None
    base = os.path.basename(v)
    if attr == "name":
        return base
    if attr == "stem":
        return _split_ext(base)[0]
    if attr == "ext":
        return _split_ext(base)[1]
    if attr == "prefix":
        return base.split(".", 1)[0]
    raise ValueError(attr)


def render(spec, values, version=None, cwd=None):
    """Render the command line of `spec` for `values` (already validated, as nipype holds them).

    `cwd` is the rendering folder (default: the current directory)."""
    spec = decode_floats(spec)
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
        if v is None and ins.get(n, {}).get("usedefault"):
            v = ins[n].get("default")
        return v

    def add_extension(out):
        return add_output_extension(spec.get("output_extension"), out,
                                    lambda x: value(x) if x in ins else None)

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
        if isinstance(gt, list):
            for alt in gt:
                # A plain name: set and true; else a condition as in omit_when.
                when = [{"true": w} if isinstance(w, str) else w for w in alt.get("when") or ()]
                if all(holds(c) for c in when):
                    break
            else:
                return None
            name = []
            for part in field_parts(alt["template"]):
                if part[0] == "text":
                    name.append(part[1])
                    continue
                if part[1] not in ins or not isset(part[1]):
                    return None
                text = field_text(value(part[1]), part[2])
                if text is None:
                    return None
                name.append(text)
            name = "".join(name)
            if alt.get("extension"):
                name = add_extension(name)
            return absolute(n, name)
        s = gt["source"]
        if not isset(s):
            return None
        src = value(s)
        while isinstance(src, list):
            if not src:
                return None
            src = src[0]
        base = _split_ext(src)[0] if isinstance(src, str) else src
        name = gt["template"] % base
        if gt.get("extension"):
            name = add_extension(name)
        return absolute(n, name)

    def holds(c):
        (kind, x), = c.items()
        if kind == "set":
            return isset(x)
        truthy = isset(x) and py_truthy(value(x))
        return truthy if kind == "true" else not truthy

    def omitted(n):
        return any(holds(c) for c in ins[n].get("omit_when") or ())

    first, middle, last = {}, [], {}
    for n in sorted(ins):
        d = ins[n]
        if d.get("argstr") is None:
            continue
        raw = value(n)
        v = generated(n, []) if d.get("name_source") else raw
        if v is None and d.get("genfile_template"):
            v = from_template(n)
        if omitted(n):
            continue
        flag = d["type"] == "Bool" and "%" not in d["argstr"]
        if v is not None and v is raw and "value_map" in d and value_key(v) in d["value_map"]:
            v = host_value(d["value_map"][value_key(v)])
            if flag:
                if v is None:
                    continue
                arg = str(v)
                _place(d, arg, first, middle, last)
                continue
            v = _EMPTY if v is None else _Mapped(absolute(n, v))
        if v is None:
            continue
        if isinstance(v, _Mapped):
            v = v.value  # a value_map replacement: path_form does not apply
        elif v is not _EMPTY and d.get("path_form"):
            v = path_formed(d["path_form"], v, cwd)
        if v is _EMPTY:
            arg = ""
        elif d.get("argstr_inputs") is not None:
            # argstr % (value, self.inputs.a, ...): the values as Python holds them, unquoted
            others = tuple(value(x) if isset(x) else "<undefined>" for x in d["argstr_inputs"])
            arg = d["argstr"] % ((v,) + others)
        else:
            arg = fmt(d, v)
        if arg is None:
            continue
        _place(d, arg, first, middle, last)
    words = [spec["command"]] + [first[k] for k in sorted(first)] + middle + [
        last[k] for k in sorted(last)]
    return " ".join(words)


def _place(d, arg, first, middle, last):
    pos = d.get("position")
    if pos is None:
        middle.append(arg)
    elif pos >= 0:
        first[pos] = arg
    else:
        last[pos] = arg


def fmt(d, v):
    argstr, t = d["argstr"], d["type"]
    if t == "Bool" and "%" not in argstr:
        return argstr if v else None
    if d.get("item_argstr") is not None and isinstance(v, list):
        sep = d.get("sep", " ")
        ia = d["item_argstr"]
        return argstr % sep.join(ia % (_py(e) if isinstance(e, list) else e) for e in v)
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
        forms = [f"in_{name}.nii.gz", f"sub/in_{name}", "my file.txt", f"in_{name}.v2.nii",
                 f"d.{name}/in_{name}.a.b.mgz"]
        if k >= 4:  # extra rounds: each input its own form (names from several inputs)
            return forms[(k + sum(map(ord, name))) % len(forms)]
        return forms[k % 4]
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
            # the first branch that names a path (File or Directory, not both: one name)
            for b in val:
                mine = []
                _files_for(b, v, mine)
                if mine:
                    acc.extend(mine)
                    break
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


def _mandatory(ins, value):
    """The mandatory inputs a sample must set (xor partners left out), each as
    `value(name, input)` says."""
    base = {}
    for n in sorted(ins):
        d = ins[n]
        if d.get("mandatory") and not d.get("usedefault"):
            if any(x in base for x in d.get("xor") or () if x != n):
                continue
            base[n] = value(n, d)
    return base


def _cases(spec, rounds=4, every=None):
    ins = spec["inputs"]
    base = _mandatory(ins, lambda n, d: n)
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
    # each other member of a mandatory xor group in place of the one the base chose, with
    # every mandatory input that does not exclude it (PRELUDE: magnitude_file + phase_file)
    def clash(n, chosen):
        return any(x in chosen for x in ins[n].get("xor") or () if x != n) or any(
            n in (ins[a].get("xor") or ()) for a in chosen if a != n)

    for m in sorted(ins):
        d = ins[m]
        if m in base or not d.get("mandatory") or d.get("usedefault"):
            continue
        alt = [m]
        for n in sorted(ins):
            if n != m and ins[n].get("mandatory") and not ins[n].get("usedefault") and not clash(n, alt):
                alt.append(n)
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


def when_pair_cases(spec, whens=None):
    """Samples that set two `when` inputs of a genfile_template list together (the order of
    the alternatives), with the mandatory inputs `_cases` would set (xor respected)."""
    ins = spec["inputs"]
    if whens is None:
        whens = sorted({w if isinstance(w, str) else next(iter(w.values()))
                        for d in ins.values() if isinstance(d.get("genfile_template"), list)
                        for a in d["genfile_template"] for w in a.get("when") or ()})
    base = _mandatory(ins, lambda n, d: _sample(d["type"], n, 0))
    cases = []
    for i, a in enumerate(whens):
        for b in whens[i + 1:]:
            c = dict(base)
            for w in (a, b):
                for x in ins[w].get("xor") or ():
                    if x != w:
                        c.pop(x, None)
                c[w] = True if ins[w]["type"] == "Bool" else _sample(ins[w]["type"], w, 0)
            cases.append(c)
    return cases


def _set_nipype(cls, values):
    iface = cls()
    for n, v in values.items():
        setattr(iface.inputs, n, _py(v) if isinstance(v, list) and _wants_tuple(iface, n) else v)
    return iface


def _wants_tuple(iface, n):
    return type(iface.inputs.trait(n).trait_type).__name__ == "Tuple"


def rounds_for(spec):
    """Sample rounds: 9 (every file form for every input) when names are built from several inputs' parts (list templates)."""
    return 9 if any(isinstance(d.get("genfile_template"), list)
                    for d in spec["inputs"].values()) else 4



def make_files(d, files):
    """Creates `files` (relative to `d`; a trailing `/` is a folder), empty."""
    for f in files:
        p = os.path.join(d, f)
        if f.endswith("/"):
            os.makedirs(p, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(p), exist_ok=True)
            open(p, "w").close()


def sample_files(spec, values, d):
    """Creates in `d` the files the sample `values` name (so `exists` holds)."""
    files = []
    for n, v in values.items():
        _files_for(spec["inputs"][n]["type"], v, files)
    make_files(d, files)


def rendered_samples(cls, spec, cases):
    """For each sample in `cases` that nipype renders: the values, nipype's
    interface, its command line and the folder it rendered in, which is the
    current folder (holding the sample's files) until the next one."""
    old = os.getcwd()
    try:
        for values in cases:
            with tempfile.TemporaryDirectory() as d:
                os.chdir(d)
                sample_files(spec, values, d)
                rendered = nipype_with(cls, values)
                if rendered is not None:
                    yield values, rendered[0], rendered[1], os.getcwd()
    finally:
        os.chdir(old)


def nipype_with(cls, values):
    """nipype's interface with `values` set and its command line, or None when
    nipype rejects them (then there is nothing to compare)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            iface = _set_nipype(cls, values)
            return iface, iface.cmdline
        except Exception:  # noqa: BLE001
            return None


def probe_spec(cls, spec, rounds=None):
    """None when every sample renders identically, else a refusal reason."""
    rounds = rounds_for(spec) if rounds is None else rounds
    try:
        cases = _cases(spec, rounds) + when_pair_cases(spec)
    except _Skip:
        if uses_v11(spec):
            return "self-check could not make samples (needed for the 1.1 keys)"
        return None  # no samples for some type: rely on the static checks
    except Exception as e:  # noqa: BLE001
        return f"self-check could not make samples: {type(e).__name__}: {e}"
    checked, seen, rendered = 0, set(), set()
    # Samples nipype rejects have nothing to compare.
    for values, iface, want, _ in rendered_samples(cls, spec, cases):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
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
        seen.update(values)
        rendered.add(id(values))
    if not checked and uses_v11(spec):
        return "self-check: nipype rendered no sample (needed for the 1.1 keys)"
    # nipype's Python code may read any input: with the 1.1 keys, each input set by a sample
    # the spec renders must have been rendered by nipype at least once (nipype rejecting
    # all of them shows nothing of what it does with it)
    unseen = set()
    if uses_v11(spec):
        for c in cases:
            if id(c) not in rendered and set(c) - seen and not _spec_rejects(spec, c):
                unseen |= set(c) - seen
    unseen = sorted(unseen)
    if unseen:
        return f"self-check: nipype rendered no sample setting {', '.join(unseen[:5])}"
    return None


def _spec_rejects(spec, values):
    """Whether the spec itself refuses these values: two xor partners set (a defaulted one
    counts), a missing `requires`, or a value its argstr cannot format."""
    ins = spec["inputs"]
    isset = lambda x: x in values or bool(ins.get(x, {}).get("usedefault"))  # noqa: E731
    for n in values:
        d = ins.get(n, {})
        if any(isset(x) for x in d.get("xor") or () if x != n):
            return True
        if d.get("mandatory") is not False and not all(isset(x) for x in d.get("requires") or ()):
            return True
    try:
        render(spec, values)
    except Exception:  # noqa: BLE001
        return True
    return False


def _jsonish(v):
    if isinstance(v, (list, tuple)):
        return [_jsonish(x) for x in v]
    if isinstance(v, dict):
        return {k: _jsonish(x) for k, x in v.items()}
    return v
