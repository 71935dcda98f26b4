"""toolmemo_nipype: export nipype CommandLine interfaces as toolmemo specs (format 1.1), and
nipype's SPM-mediated interfaces (SPMCommand subclasses) as specs of their MATLAB script.

Everything is read from the installed nipype at run time; what the spec format cannot
render exactly as nipype does is refused with a reason, never exported approximately.
"""

import importlib
import inspect
import json
import logging
import os
import pkgutil
import warnings

__all__ = ["export", "export_to_dir", "all_interfaces"]
__version__ = "0.2.0"
SPEC_VERSIONS = ("1.0", "1.1")


def _quiet():
    os.environ.setdefault("NIPYPE_NO_ET", "1")
    import nipype  # noqa: F401  (configures its loggers on import; quieten them afterwards)
    logging.getLogger("nipype").setLevel(logging.ERROR)
    logging.getLogger("nipype.interface").setLevel(logging.ERROR)
    logging.getLogger("traits").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore")
    os.environ.setdefault("NIPYPE_NO_ET", "1")


def export(qualname, probe=True, spec_version="1.1"):
    """Return (spec, None) or (None, reason) for a qualified class name.

    spec_version "1.0" refuses what needs the version 1.1 keys (for an older toolmemo)."""
    _quiet()
    from .core import load_class, export_class, Unsupported
    try:
        cls = load_class(qualname)
    except Exception as e:  # noqa: BLE001
        return None, f"cannot import: {type(e).__name__}: {e}"
    spec, reason = export_class(cls)
    if spec is not None and spec_version == "1.0" and "matlab" in spec:
        return None, "needs spec-format 1.1 (matlab: an SPM interface's MATLAB script)"
    # an SPM spec was checked against nipype's scripts by its exporter (spm.export_spm);
    # the command-line self-check has no command line to render for it
    if spec is not None and probe and "matlab" not in spec:
        from .probe import probe_spec
        reason = probe_spec(cls, spec)
        if reason:
            spec = None
    if spec is not None and spec_version == "1.0":
        from .probe import v11_keys
        keys = v11_keys(spec)
        if keys:
            return None, f"needs spec-format 1.1 keys ({', '.join(keys)})"
    return spec, reason


def export_to_dir(names, out, probe=True, spec_version="1.1"):
    os.makedirs(out, exist_ok=True)
    exported, refused = [], {}
    for q in names:
        spec, reason = export(q, probe=probe, spec_version=spec_version)
        path = os.path.join(out, q + ".json")
        if spec is None:
            refused[q] = reason
            if os.path.exists(path):
                os.remove(path)
        else:
            if spec_version != "1.0":  # 1.0 readers do not know {"$float": N}
                from .probe import encode_floats
                spec = encode_floats(spec)
            with open(path, "w") as fh:
                json.dump(spec, fh, indent=1, sort_keys=False)
                fh.write("\n")
            exported.append(q)
    rp = os.path.join(out, "refused.json")
    old = {}
    if os.path.exists(rp):
        try:
            old = json.load(open(rp))
        except ValueError:
            old = {}
    for q in exported:
        old.pop(q, None)
    old.update(refused)
    with open(rp, "w") as fh:
        json.dump(dict(sorted(old.items())), fh, indent=1)
        fh.write("\n")
    return exported, refused


def all_interfaces():
    """Qualified names of every concrete CommandLine subclass in nipype.interfaces, and of
    every SPMCommand subclass (SPMCommand itself left out)."""
    _quiet()
    import nipype.interfaces as pkg
    from nipype.interfaces.base import CommandLine
    try:
        from nipype.interfaces.spm.base import SPMCommand
    except Exception:  # noqa: BLE001
        SPMCommand = None
    found = set()
    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        parts = m.name.split(".")
        if "tests" in parts or "base" == parts[2] or parts[-1].startswith("test"):
            continue
        try:
            mod = importlib.import_module(m.name)
        except Exception:  # noqa: BLE001
            continue
        for name, obj in vars(mod).items():
            if (inspect.isclass(obj) and obj.__module__ == m.name and issubclass(obj, CommandLine)
                    and not name.startswith("_") and obj.input_spec is not None
                    and (getattr(obj, "_cmd", None) or "cmd" in vars(obj))):
                found.add(f"{obj.__module__}.{obj.__name__}")
            elif (SPMCommand is not None and inspect.isclass(obj) and obj.__module__ == m.name
                    and issubclass(obj, SPMCommand) and obj is not SPMCommand
                    and not name.startswith("_")):
                found.add(f"{obj.__module__}.{obj.__name__}")
    return sorted(found)
