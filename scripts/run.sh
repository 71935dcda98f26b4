#!/usr/bin/env bash
# The main job: install what is missing, build, and run the demo.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/build.sh
node examples/demo.mjs "$@"
