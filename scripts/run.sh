#!/usr/bin/env bash
# The main job: install what is missing, build, run the Node demo (BET rendered
# by the wasm build), then serve the web page (index.html, www/, pkg/web) on
# http://127.0.0.1:8080/ (PORT=... to choose; a busy port moves to the next)
# until Ctrl-C.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/build.sh
# Real tools for the page, made by the nipype importer from nipype 1.12.0 in a
# venv; the page works without them (they are offered when they exist).
bash scripts/nipype-specs.sh || echo "(no nipype specs for the page: the importer could not run here)"
node examples/demo.mjs "$@"
echo
exec node scripts/serve.mjs
