#!/usr/bin/env bash
# Regenerate the tables and figures: execute the numbered notebooks with papermill, all of
# them or a selection, in order; the summary notebooks (90–99) run last.
#
#   bash tools/reproduce.sh                  # every notebook
#   bash tools/reproduce.sh 31 32            # notebook numbers or file names
#   bash tools/reproduce.sh --paper C        # data = 00–09, A = 10–19, B = 20–29, C = 30–39, deploy = 40–89
#   bash tools/reproduce.sh -j 2             # two queues side by side, one thread each
#   bash tools/reproduce.sh --dry-run ...    # print the plan and its estimate only
#
# Before it starts it prints the plan and the estimated training time (tools/reproduce_plan.py:
# the standard profile's recorded run times, tables/91_notebook_times.csv). With -j N the
# notebooks with the same first digit form a group executed in order (a paper's notebooks load
# each other's runs); the groups are dealt to N queues, longest first, and the queues run side
# by side, one thread per process; the run store's per-run locks make two processes that need
# one run train it once. A failing notebook skips the rest of its group; the other groups run,
# then the script exits non-zero naming it (the summary notebooks then do not run). Papermill's
# output of a queued notebook goes to build/reproduce-logs/<profile>/<notebook>.log.
# After a standard run of the summary notebooks it rewrites tables/reproduce_estimate.{csv,md,json}.
# Profile: $HARLIB_PROFILE (smoke | standard | paper), default standard. Under the standard
# profile the notebooks are executed in place (the committed notebooks carry its outputs);
# other profiles write the executed notebooks to build/<profile>/.
source "$(dirname "$0")/env.sh"
export HARLIB_PROFILE="${HARLIB_PROFILE:-standard}"
plan=(python "$REPO/tools/reproduce_plan.py")
for a in "$@"; do
    case "$a" in
        -h|--help) exec "${plan[@]}" --help ;;
        --dry-run) exec "${plan[@]}" --plan "$@" ;;
    esac
done
"${plan[@]}" --plan "$@"                 # the plan and its estimate; a bad selection stops here
queues="$("${plan[@]}" --queues "$@")"
out="$REPO/notebooks"
if [ "$HARLIB_PROFILE" != standard ]; then
    out="$REPO/build/$HARLIB_PROFILE"
    mkdir -p "$out"
fi
cd "$REPO/notebooks"

run() {     # run NOTEBOOK [LOG]: execute one notebook; its papermill output to LOG if given
    local nb="$1" log="${2:-}" start=$SECONDS rc
    echo "== $nb (profile $HARLIB_PROFILE) → $out/$nb.ipynb${log:+ (log: $log)}"
    if [ -n "$log" ]; then
        papermill "$nb.ipynb" "$out/$nb.ipynb" --kernel python3 --cwd "$REPO/notebooks" \
            --no-progress-bar > "$log" 2>&1 < /dev/null && rc=0 || rc=$?
    else
        papermill "$nb.ipynb" "$out/$nb.ipynb" --kernel python3 --cwd "$REPO/notebooks" \
            --no-progress-bar && rc=0 || rc=$?
    fi
    if [ "$rc" != 0 ]; then
        echo "tools/reproduce.sh: notebook $nb failed (papermill exit $rc) after $((SECONDS - start)) s" >&2
        [ -z "$log" ] || tail -n 30 "$log" >&2
        return 1
    fi
    echo "   $nb done at $(date +%H:%M:%S), in $((SECONDS - start)) s"
}

run_queue() {   # run_queue "A B | C D" [LOGS QUEUE]: the groups in order; a failure skips the rest of its group
    local nb skip=0
    for nb in $1; do
        if [ "$nb" = "|" ]; then skip=0; continue; fi
        if [ "$skip" = 1 ]; then echo "skipped $nb" >> "$state"; continue; fi
        if [ -n "${2:-}" ]; then
            run "$nb" "$2/$nb.log" | sed -u "s/^/[queue $3] /" && continue
        else
            run "$nb" && continue
        fi
        echo "failed $nb" >> "$state"
        skip=1
    done
}

parallel=()     # the queues' notebooks, one string per queue
last=""
while read -r kind names; do
    case "$kind" in
        queue) parallel+=("$names") ;;
        last) last="$names" ;;
    esac
done <<< "$queues"

state="$(mktemp)"      # "failed NB" and "skipped NB" lines
# one thread per process in either case: the thread count moves fp32 results (Profile.num_threads)
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
if [ "${#parallel[@]}" -le 1 ]; then
    run_queue "${parallel[0]:-}"
else
    logs="$REPO/build/reproduce-logs/$HARLIB_PROFILE"
    mkdir -p "$logs"
    set -m      # each queue its own process group, so that it can be stopped with its children
    pids=()
    stop_queues() { for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done; rm -f "$state"; }
    trap stop_queues EXIT
    trap 'exit 130' INT TERM
    for i in "${!parallel[@]}"; do
        run_queue "${parallel[$i]}" "$logs" "$((i + 1))" < /dev/null &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || true; done
    pids=()
    set +m
fi
failed="$(sed -n 's/^failed //p' "$state" | tr '\n' ' ')"
skipped="$(sed -n 's/^skipped //p' "$state" | tr '\n' ' ')"
rm -f "$state"
if [ -n "$failed" ]; then
    echo "tools/reproduce.sh: failed: ${failed% }${skipped:+; skipped (same group): ${skipped% }}${last:+; not executed: $last}" >&2
    exit 1
fi
for nb in $last; do
    run "$nb" || { echo "tools/reproduce.sh: failed: $nb" >&2; exit 1; }
done
if [ "$HARLIB_PROFILE" = standard ] && [ -n "$last" ]; then
    "${plan[@]}" --write-table > /dev/null    # tables/reproduce_estimate from the new run times
fi
