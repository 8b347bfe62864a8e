#!/usr/bin/env bash
# Execute notebooks again under the standard profile from a run store of their own, on this
# machine, and record their headline numbers without touching the committed ones: executed
# notebooks, tables, figures and recordings go under build/rerun ($HARLIB_OUTPUT), the runs
# into build/rerun-cache, which --fresh empties first (the parsed datasets of the main cache
# are linked in: parsing is no numerical kernel). The machine is described in
# build/rerun/machine.json. Then `python tools/rerun_differences.py` writes
# tables/standard_rerun.{csv,md,json}: how the values moved against the committed ones.
#
#   bash tools/rerun.sh --fresh 11 34          # an empty store, then notebooks 11 and 34 in order
#   bash tools/rerun.sh 12 14 &                # a second queue beside it, sharing the store
#
# One thread per process; the run store's locks let two queues share runs.
source "$(dirname "$0")/env.sh"
cd "$REPO"
fresh=0
if [ "${1:-}" = --fresh ]; then fresh=1; shift; fi
[ $# -gt 0 ] || { echo "usage: bash tools/rerun.sh [--fresh] NOTEBOOK..." >&2; exit 2; }
notebooks=()
for n in "$@"; do
    found=(notebooks/"$n"*.ipynb)
    [ -e "${found[0]}" ] || { echo "no notebook $n in notebooks/" >&2; exit 2; }
    notebooks+=("${found[@]}")
done
parsed="${HARLIB_CACHE:-$HOME/.cache/harlib}/parsed"
export HARLIB_PROFILE=standard HARLIB_RECORD_HEADLINES=1
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
export HARLIB_CACHE="$REPO/build/rerun-cache" HARLIB_OUTPUT="$REPO/build/rerun"
if [ "$fresh" = 1 ]; then rm -rf "$HARLIB_CACHE" "$HARLIB_OUTPUT"; fi
mkdir -p "$HARLIB_CACHE" "$HARLIB_OUTPUT/notebooks/recorded" "$parsed"
[ -e "$HARLIB_CACHE/parsed" ] || ln -s "$parsed" "$HARLIB_CACHE/parsed"
python -c "from harlib.report.headlines import describe_machine; import json, sys; json.dump(describe_machine(), sys.stdout, indent=1)" \
    > "$HARLIB_OUTPUT/machine.json"
for nb in "${notebooks[@]}"; do
    name="$(basename "$nb" .ipynb)"
    start=$SECONDS
    echo "== $name"
    papermill "$nb" "$HARLIB_OUTPUT/$name.ipynb" --cwd notebooks --log-level WARNING > "$HARLIB_OUTPUT/$name.log" 2>&1 \
        || { tail -30 "$HARLIB_OUTPUT/$name.log"; exit 1; }
    echo "   $((SECONDS - start)) s"
done
