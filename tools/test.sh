#!/usr/bin/env bash
# The test suite: unit tests, then every notebook executed under the smoke profile by nbval,
# which compares the cells marked NBVAL_CHECK_OUTPUT with their committed outputs; each
# notebook's last cell checks its headline numbers against notebooks/recorded/.
# The smoke runs use a run store of their own (build/smoke-cache), so runs trained under
# other settings can never stand in for them.
#
# Two pytest processes run side by side, one thread each, balanced by their measured time
# (tables/test_times_smoke): the unit tests with the notebooks of the data layer (00–03),
# paper A (10–19), paper C's efficiency (36, which trains nothing) and deployment (40); and the
# notebooks of papers B (20–29) and C (30–35).
# Notebook 40 trains STDual-X in notebook 31's no-leak setting; should the two processes reach
# one run together, the store's lock makes one wait for the other's, not train it twice.
# Each process then executes notebook 01 once more, the first on an emulated SSE4.2 CPU, the
# second on an emulated AVX2 CPU (harlib.core.numerics.EMULATED_CPUS), each with a run store
# of its own, so that it trains again: its headline check passes only if the pinned numerics
# give the numbers recorded for that CPU's level (x86-64-v2 and x86-64-v3) there too. The
# emulated runs read the parsed datasets of the main cache (parsing text into arrays is no
# numerical kernel; the parsed cache is keyed by the raw files). The summary notebooks
# (90–99), which read every other notebook's tables, run last. Each group runs its notebooks in order, so a
# notebook that reuses an earlier one's runs finds them; the run store's locks keep the two
# processes from writing one run twice.
# Extra arguments go to every process (e.g. -x, -k); set HARLIB_TEST_SERIAL=1 for one
# process running everything in order.
source "$(dirname "$0")/env.sh"
export HARLIB_PROFILE=smoke
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
export HARLIB_CACHE="${HARLIB_SMOKE_CACHE:-$REPO/build/smoke-cache}"
cd "$REPO"
opts=(--nbval-lax --nbval-current-env --nbval-cell-timeout=1200 -p no:cacheprovider -p test_times)
export PYTHONPATH="$REPO/tools${PYTHONPATH:+:$PYTHONPATH}"   # the test_times plugin
if [ "${HARLIB_TEST_SERIAL:-0}" = 1 ]; then
    exec python -m pytest tests notebooks "${opts[@]}" "$@"
fi
# balanced by the seconds tools/test_times.py reports (build/test-times.md after a run)
first=(tests notebooks/0[0-9]_*.ipynb notebooks/1[0-9]_*.ipynb notebooks/36_*.ipynb notebooks/[4-8][0-9]_*.ipynb)
second=(notebooks/2[0-9]_*.ipynb notebooks/3[0-5]_*.ipynb)
last=(notebooks/9[0-9]_*.ipynb)
logs="$(mktemp -d)"
start=$SECONDS
emulated_run() {    # notebook 01 again on an emulated CPU ($1), from an empty run store of its own
    local cpu="$1" tag; shift
    tag="$(echo "$cpu" | sed 's/ .*//; s/\.//g' | tr 'A-Z' 'a-z')"       # avx2, sse42
    (
        eval "$(python -c "from harlib.core.numerics import exports; print(exports('$cpu'))")"
        local parsed="$HARLIB_CACHE/parsed"
        export HARLIB_CACHE="${HARLIB_CACHE}-$tag" HARLIB_OUTPUT="$REPO/build/emulated-$tag"
        rm -rf "$HARLIB_CACHE"; mkdir -p "$HARLIB_CACHE" "$parsed" "$HARLIB_OUTPUT/notebooks/recorded"
        ln -s "$parsed" "$HARLIB_CACHE/parsed"
        cp notebooks/recorded/01_evaluation_protocols.json "$HARLIB_OUTPUT/notebooks/recorded/"
        HARLIB_TEST_TIMES="$logs/emulated-$tag.json" \
            python -m pytest notebooks/01_evaluation_protocols.ipynb "${opts[@]}" "$@"
    )
}
group() {   # pytest on the notebooks and tests after $1 (the name of its log), then notebook 01 on CPU $2
    local name="$1" cpu="$2"; shift 2
    local -a what=()
    while [ "$1" != -- ]; do what+=("$1"); shift; done; shift
    HARLIB_TEST_TIMES="$logs/$name.json" python -m pytest "${what[@]}" "${opts[@]}" "$@" > "$logs/$name.log" 2>&1 \
        && echo 0 > "$logs/$name.rc" || echo $? > "$logs/$name.rc"
    emulated_run "$cpu" "$@" > "$logs/$name-emulated.log" 2>&1 \
        && echo 0 > "$logs/$name-emulated.rc" || echo $? > "$logs/$name-emulated.rc"
}
emulated=("SSE4.2 (x86-64-v2)" "AVX2 (x86-64-v3)")
group first "${emulated[0]}" "${first[@]}" -- "$@" &
pid_first=$!
group second "${emulated[1]}" "${second[@]}" -- "$@" &
pid_second=$!
status=0
wait "$pid_first" "$pid_second"
for rc in $(cat "$logs"/first.rc "$logs"/second.rc "$logs"/first-emulated.rc "$logs"/second-emulated.rc); do
    [ "$rc" = 0 ] || [ "$rc" = 5 ] || status=1    # 5: the arguments selected none of them
done
HARLIB_TEST_TIMES="$logs/last.json" python -m pytest "${last[@]}" "${opts[@]}" "$@" \
    > "$logs/last.log" 2>&1 && rc=0 || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 5 ] || status=1
echo "== unit tests and notebooks 00–19, 36, 40–89"
cat "$logs/first.log"
echo "== notebooks 20–35"
cat "$logs/second.log"
echo "== notebooks 90–99"
cat "$logs/last.log"
echo "== notebook 01 again, on an emulated ${emulated[0]} and an emulated ${emulated[1]} CPU"
cat "$logs/first-emulated.log" "$logs/second-emulated.log"
mkdir -p "$REPO/build"
echo "== seconds per test file and notebook (wall time $((SECONDS - start)) s on two processes)"
python "$REPO/tools/test_times.py" "$logs"/first.json "$logs"/second.json "$logs"/emulated-avx2.json \
    "$logs"/emulated-sse42.json "$logs"/last.json | tee "$REPO/build/test-times.md"
rm -rf "$logs"
exit "$status"
