"""python3 -m toolmemo_nipype export (QUALNAME... | --all) --out DIR"""

import argparse
import sys

from . import export_to_dir, all_interfaces


def main(argv=None):
    p = argparse.ArgumentParser(
        prog="python3 -m toolmemo_nipype",
        description="Export nipype CommandLine interfaces (and SPM-mediated ones, as specs of "
                    "their MATLAB script) as toolmemo interface specs (spec format 1.1), "
                    "refusing what the format cannot render exactly.")
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("export", help="write DIR/<QUALNAME>.json per interface and DIR/refused.json")
    e.add_argument("names", nargs="*", metavar="QUALNAME",
                   help="qualified class name, e.g. nipype.interfaces.fsl.preprocess.BET")
    e.add_argument("--all", action="store_true",
                   help="every concrete nipype CommandLine interface and SPMCommand subclass")
    e.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    e.add_argument("--no-probe", action="store_true",
                   help="skip the self-check that renders sample inputs through nipype and the spec "
                        "(command lines; an SPM spec is always checked against nipype's scripts)")
    e.add_argument("--spec-version", choices=("1.0", "1.1"), default="1.1",
                   help="1.0: refuse what needs the version 1.1 keys or `matlab` "
                        "(for an older toolmemo)")
    e.add_argument("-q", "--quiet", action="store_true", help="no summary on standard error")
    a = p.parse_args(argv)
    if a.all and a.names:
        p.error("give QUALNAMEs or --all, not both")
    if not a.all and not a.names:
        p.error("give at least one QUALNAME, or --all")
    names = all_interfaces() if a.all else a.names
    exported, refused = export_to_dir(names, a.out, probe=not a.no_probe,
                                      spec_version=a.spec_version)
    if not a.quiet:
        print(f"exported {len(exported)}, refused {len(refused)} -> {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
