#!/usr/bin/env bash
# Create (or reuse) the Python venv with nipype 1.12.0 and joblib that the peer scripts need.
#
#   bench/peer/setup.sh            # venv at <repo>/.venv-peers
#   PEER_VENV=/abs/path bench/peer/setup.sh
#
# Idempotent: a venv that already imports nipype 1.12.0 is left alone.
# nipype 1.12.0 declares Python >= 3.12; on 3.11 it works, but only with the pinned
# dependency versions of ../shared/peers/nipype-constraints.txt (without them pip picks
# releases that need 3.12 and fail to build), hence --ignore-requires-python + -c.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${PEER_VENV:-.venv-peers}"
case "$VENV" in /*) ;; *) VENV="$ROOT/$VENV" ;; esac
PYTHON="${PYTHON:-python3}"
NIPYPE_VERSION="1.12.0"
CONSTRAINTS="${NIPYPE_CONSTRAINTS:-$ROOT/../shared/peers/nipype-constraints.txt}"

JOBLIB_VERSION="1.5.2"

have_nipype() {
    [ -x "$VENV/bin/python" ] &&
        NIPYPE_NO_ET=1 "$VENV/bin/python" -c \
            "import sys, nipype, joblib; sys.exit(nipype.__version__ != '$NIPYPE_VERSION' or joblib.__version__ != '$JOBLIB_VERSION')" \
            >/dev/null 2>&1
}

if have_nipype; then
    echo "nipype $NIPYPE_VERSION already in $VENV"
    exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "creating venv $VENV"
    "$PYTHON" -m venv "$VENV"
fi

args=(--ignore-requires-python)
if [ -f "$CONSTRAINTS" ]; then
    args+=(-c "$CONSTRAINTS")
else
    echo "warning: $CONSTRAINTS not found; installing unconstrained (fails on Python < 3.12)" >&2
fi

"$VENV/bin/pip" install --disable-pip-version-check "${args[@]}" "nipype==$NIPYPE_VERSION" "joblib==$JOBLIB_VERSION"

if ! have_nipype; then
    echo "error: nipype $NIPYPE_VERSION does not import from $VENV" >&2
    exit 1
fi
echo "nipype $NIPYPE_VERSION ready in $VENV (run the peer with $VENV/bin/python)"
