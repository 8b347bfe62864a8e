# Sourced by the other scripts: creates the virtual environment if absent, activates it
# and points HARLIB_DATA at the offline mirror when one sits beside the checkout.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${HARLIB_VENV:-$REPO/.venv}"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import harlib, papermill, nbval, pyflakes, onnxruntime, distributed, myst_nb, selenium" 2>/dev/null; then
    echo "harlib: creating the environment in $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -c "$REPO/tools/constraints.txt" \
        -e "$REPO[notebooks,test,deploy,cluster,book]"
fi
# shellcheck disable=SC1091
source "$VENV/bin/activate"
if [ -z "${HARLIB_DATA:-}" ] && [ -d "$REPO/../shared/data" ]; then
    export HARLIB_DATA="$(cd "$REPO/../shared/data" && pwd)"
fi
export MPLBACKEND=Agg
# Pinned CPU numerics (harlib/numerics.py): every library on the same code path on any
# x86-64-v3 CPU, set before NumPy and torch load. Variables already set are kept.
eval "$(python -c 'from harlib.core.numerics import exports; print(exports())')"
