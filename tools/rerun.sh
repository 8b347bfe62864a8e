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
#   bash tools/rerun.sh --at ea1cb62 28        # the notebook as committed at a revision
#
# --at REV executes the notebooks as committed at git revision REV (with the working tree's
# harlib), for a notebook whose recording changed since: compare with
# `python tools/rerun_differences.py --against REV`.
# One thread per process; the run store's locks let two queues share runs.
source "$(dirname "$0")/env.sh"
cd "$REPO"
usage="usage: bash tools/rerun.sh [--fresh] [--at REV] NOTEBOOK..."
fresh=0 at=""
while [ $# -gt 0 ]; do
    case "$1" in
        --fresh) fresh=1; shift ;;
        --at) [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }; at="$2"; shift 2 ;;
        -*) echo "unknown option $1; $usage" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "$usage" >&2; exit 2; }
if [ -n "$at" ]; then
    git rev-parse --verify --quiet "$at^{commit}" > /dev/null || { echo "--at $at: no such git revision" >&2; exit 2; }
    committed="$(git ls-tree --name-only "$at" notebooks/)"
fi
notebooks=()
for n in "$@"; do
    if [ -n "$at" ]; then
        found=($(printf '%s\n' $committed | grep "^notebooks/$n.*\.ipynb$" || true))
        [ ${#found[@]} -gt 0 ] || { echo "no notebook $n in notebooks/ at $at" >&2; exit 2; }
    else
        found=(notebooks/"$n"*.ipynb)
        [ -e "${found[0]}" ] || { echo "no notebook $n in notebooks/" >&2; exit 2; }
    fi
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
    if [ -n "$at" ]; then       # the committed notebook, beside its execution
        mkdir -p "$HARLIB_OUTPUT/at-$at"
        git show "$at:$nb" > "$HARLIB_OUTPUT/at-$at/$name.ipynb"
        nb="$HARLIB_OUTPUT/at-$at/$name.ipynb"
    fi
    echo "== $name${at:+ as committed at $at}"
    papermill "$nb" "$HARLIB_OUTPUT/$name.ipynb" --cwd notebooks --log-level WARNING > "$HARLIB_OUTPUT/$name.log" 2>&1 \
        || { tail -30 "$HARLIB_OUTPUT/$name.log"; exit 1; }
    echo "   $((SECONDS - start)) s"
done
