#!/usr/bin/env bash
# Record the smoke profile's headline numbers (notebooks/recorded/) of the given notebooks,
# all of them by default, at both CPU levels (harlib.core.numerics.LEVELS), in order:
#   x86-64-v3  on this CPU, which must have AVX2 and FMA (the section "smoke");
#   x86-64-v2  on an emulated SSE4.2 CPU (the section "smoke@x86-64-v2"), written beside
#              the x86-64-v3 values it was recorded with.
# Each level executes the notebooks with papermill and a run store of its own; the x86-64-v2
# pass writes its tables under build/x86-64-v2 and copies back only the recorded files.
#
#   bash tools/record_headlines.sh                    # every notebook, both levels
#   bash tools/record_headlines.sh 25 31              # notebooks by number
#   bash tools/record_headlines.sh --level x86-64-v2 25
source "$(dirname "$0")/env.sh"
cd "$REPO"
levels=(x86-64-v3 x86-64-v2)
if [ "${1:-}" = --level ]; then
    case "${2:-}" in x86-64-v3|x86-64-v2) levels=("$2") ;; *) echo "--level: x86-64-v3 or x86-64-v2, got '${2:-}'" >&2; exit 2 ;; esac
    shift 2
fi
notebooks=()
if [ $# = 0 ]; then
    notebooks=(notebooks/[0-8][0-9]_*.ipynb notebooks/9[0-9]_*.ipynb)   # the summaries last
else
    for n in "$@"; do
        found=(notebooks/"$n"*.ipynb)
        [ -e "${found[0]}" ] || { echo "no notebook $n in notebooks/" >&2; exit 2; }
        notebooks+=("${found[@]}")
    done
fi
export HARLIB_PROFILE=smoke HARLIB_RECORD_HEADLINES=1
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
executed="$(mktemp -d)"
trap 'rm -rf "$executed"' EXIT
for level in "${levels[@]}"; do
    (
        if [ "$level" = x86-64-v3 ]; then
            python -c "from harlib.core import numerics; assert numerics.cpu_has_avx2(), 'x86-64-v3 values need a CPU with AVX2 and FMA'"
            export HARLIB_CACHE="${HARLIB_SMOKE_CACHE:-$REPO/build/smoke-cache}"
        else
            eval "$(python -c "from harlib.core.numerics import exports; print(exports('SSE4.2 (x86-64-v2)'))")"
            export HARLIB_CACHE="$REPO/build/smoke-cache-x86-64-v2" HARLIB_OUTPUT="$REPO/build/x86-64-v2"
            mkdir -p "$HARLIB_OUTPUT/notebooks/recorded"
            cp notebooks/recorded/*.json "$HARLIB_OUTPUT/notebooks/recorded/"
        fi
        for nb in "${notebooks[@]}"; do
            name="$(basename "$nb" .ipynb)"
            echo "== $level: $name"
            papermill "$nb" "$executed/$name.ipynb" --cwd notebooks --log-level WARNING > "$executed/$name.log" 2>&1 \
                || { tail -30 "$executed/$name.log"; exit 1; }
            if [ "$level" = x86-64-v2 ] && [ -f "$HARLIB_OUTPUT/notebooks/recorded/$name.json" ]; then
                cp "$HARLIB_OUTPUT/notebooks/recorded/$name.json" notebooks/recorded/
            fi
        done
    ) || exit 1
done
