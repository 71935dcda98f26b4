"""Converting traits (as nipype uses them) into spec-format v1 types.

Every function raises Unsupported when a trait has no exact v1 equivalent.
"""

import sys

from traits import trait_types as tt
from traits import trait_handlers as th
from nipype.interfaces.base import traits_extension as nx


class Unsupported(Exception):
    """A trait, method or metadata that spec format v1 cannot express exactly."""


def _cls(trait_type):
    return type(trait_type).__name__


def _json_scalar(value, what):
    if isinstance(value, bool) or value is None:
        if value is None:
            raise Unsupported(f"{what}: None as a value")
        return value
    if isinstance(value, (int, float, str)):
        return value
    raise Unsupported(f"{what}: value {value!r} of type {type(value).__name__}")


def file_type(t):
    """A File trait's type: `"File"`, or with `exists` and the extensions it requires."""
    opts = {}
    if t.exists:
        opts["exists"] = True
    if t._exts:
        opts["extensions"] = list(t._exts)
    return {"File": opts} if opts else "File"


def convert_type(t, where="input", special=None):
    """Return the v1 type of a TraitType (or old-style handler) `t`. `special(t, where)`,
    when given, is asked first at every level and answers a type or None (the SPM
    exporter's ImageFile and keyed Dicts)."""
    if special is not None:
        found = special(t, where)
        if found is not None:
            return found
    # nipype path traits
    if isinstance(t, nx.BasePath):
        if getattr(t, "resolve", False):
            raise Unsupported(f"{where}: path trait with resolve=True (absolute names)")
        if type(t) is nx.File:
            return file_type(t)
        if type(t) is nx.Directory:
            return {"Directory": {"exists": True}} if t.exists else "Directory"
        if type(t) is nx.ImageFile:
            raise Unsupported(f"{where}: ImageFile trait")
        raise Unsupported(f"{where}: path trait {_cls(t)}")
    if type(t) is tt.Bool:
        return "Bool"
    if type(t) is tt.Int:
        return "Int"
    if type(t) is tt.Float:
        return "Float"
    if type(t) is nx.Str:
        return "Str"
    if type(t) is tt.String:
        if t.minlen != 0 or t.maxlen != sys.maxsize or t.regex:
            raise Unsupported(f"{where}: String with length or regex limits")
        return "Str"
    if type(t) is tt.Any:
        return "Any"
    if type(t) is tt.Enum:
        if getattr(t, "name", ""):
            raise Unsupported(f"{where}: dynamic Enum")
        values = list(t.values)
        if not values:
            raise Unsupported(f"{where}: empty Enum")
        return {"Enum": [_json_scalar(v, where) for v in values]}
    if type(t) is tt.Range:
        if t._low_name or t._high_name:
            raise Unsupported(f"{where}: dynamic Range")
        r = {}
        is_int = t._validate == "int_validate"
        if not is_int and t._validate != "float_validate":
            raise Unsupported(f"{where}: Range of {t._validate}")
        for key, val in (("low", t._low), ("high", t._high)):
            if val is not None:
                if isinstance(val, bool):
                    raise Unsupported(f"{where}: boolean Range bound")
                r[key] = int(val) if is_int else float(val)
        if not is_int and len(r) < 2 and not any(isinstance(v, float) for v in r.values()):
            raise Unsupported(f"{where}: Float Range without bounds")
        if not r:
            raise Unsupported(f"{where}: Range without bounds")
        if t._exclude_low:
            r["exclude_low"] = True
        if t._exclude_high:
            r["exclude_high"] = True
        return {"Range": r}
    if isinstance(t, nx.InputMultiObject) and type(t) is nx.InputMultiObject:
        inner = t.inner_traits()[0].trait_type
        if isinstance(inner, tt.List):
            raise Unsupported(f"{where}: InputMultiPath of lists")
        if t.minlen != 0 or t.maxlen != sys.maxsize:
            raise Unsupported(f"{where}: InputMultiPath with length limits")
        return {"MultiPath": convert_type(inner, where, special)}
    if type(t) is tt.List:
        inner = t.inner_traits()[0].trait_type
        out = {"List": convert_type(inner, where, special)}
        if t.minlen:
            out["minlen"] = int(t.minlen)
        if t.maxlen != sys.maxsize:
            out["maxlen"] = int(t.maxlen)
        return out
    if type(t) is nx.Tuple:
        if not t.types:
            raise Unsupported(f"{where}: Tuple without item types")
        return {"Tuple": [convert_type(x.trait_type, where, special) for x in t.types]}
    if type(t) is tt.Tuple:
        # traits' own Tuple refuses lists; JSON (and v1) only has arrays
        raise Unsupported(f"{where}: traits.Tuple (rejects lists, unlike nipype's Tuple)")
    if type(t) is tt.Dict:
        return {"Dict": convert_type(t.value_trait.trait_type, where, special)}
    if type(t) is th.TraitCompound:
        branches = []
        for h in t.handlers:
            b = convert_type(h, where, special)
            if isinstance(b, dict) and "Either" in b:
                branches.extend(b["Either"])
            else:
                branches.append(b)
        return {"Either": branches}
    if type(t) is th.TraitEnum:
        values = list(t.values)
        if not values:
            raise Unsupported(f"{where}: empty Enum")
        return {"Enum": [_json_scalar(v, where) for v in values]}
    if type(t) is tt.Either:
        raise Unsupported(f"{where}: Either trait type")
    raise Unsupported(f"{where}: trait type {_cls(t)}")


def accepts_bool(t):
    """Whether a trait (maybe compound) has a Bool branch."""
    if type(t) is tt.Bool:
        return True
    if type(t) is th.TraitCompound:
        return any(accepts_bool(h) for h in t.handlers)
    return False


def to_json(value, where="default"):
    """A traits value as JSON (tuples become arrays)."""
    if isinstance(value, (list, tuple)):
        return [to_json(v, where) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v, where) for k, v in value.items()}
    return _json_scalar(value, where)
