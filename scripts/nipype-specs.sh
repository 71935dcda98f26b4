#!/usr/bin/env bash
# The page's real tools: specs the nipype importer makes, at build time, from
# nipype 1.12.0 in the peers' venv (bench/peer/setup.sh), for the interfaces of
# www/nipype-tools.txt. Writes pkg/nipype/<interface>.json and pkg/nipype/index.json
# ([{id, title, spec}], what www/examples.js offers). Nothing of nipype's text is
# kept in the repository: descriptions come from the nipype installed here.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash bench/peer/setup.sh > /dev/null
PY="$ROOT/.venv-peers/bin/python"
OUT="$ROOT/pkg/nipype"
rm -rf "$OUT.new"
mkdir -p "$OUT.new"
mapfile -t TOOLS < <(grep -v '^\s*#' www/nipype-tools.txt | grep -v '^\s*$')
# FSL's default output type, as FSL installs set it; an input of every FSL spec.
FSLOUTPUTTYPE=NIFTI_GZ PYTHONPATH="$ROOT/python" "$PY" -m toolmemo_nipype export "${TOOLS[@]}" --out "$OUT.new" > /dev/null
"$PY" - "$OUT.new" "${TOOLS[@]}" <<'PY'
import json, os, sys
out, tools = sys.argv[1], sys.argv[2:]
refused = json.load(open(os.path.join(out, "refused.json"))) if os.path.exists(os.path.join(out, "refused.json")) else {}
index = []
for q in tools:
    if not os.path.exists(os.path.join(out, q + ".json")):
        print(f"nipype-specs: {q} refused by the importer: {refused.get(q, '?')}", file=sys.stderr)
        continue
    package, cls = q.split(".")[2], q.rsplit(".", 1)[1]
    command = json.load(open(os.path.join(out, q + ".json")))["command"].split()[0]
    index.append({"id": "nipype:" + q, "title": f"{cls} — {package} ({command})", "spec": f"pkg/nipype/{q}.json"})
json.dump(index, open(os.path.join(out, "index.json"), "w"), indent=1)
print(f"nipype-specs: {len(index)} of {len(tools)} tools in pkg/nipype/")
PY
rm -rf "$OUT"
mv "$OUT.new" "$OUT"
