#!/usr/bin/env bash
# Regenerate every table and figure: execute all numbered notebooks in order with papermill.
# Profile: $HARLIB_PROFILE (smoke | standard | paper), default standard. Under the standard
# profile the notebooks are executed in place (the committed notebooks carry its outputs);
# other profiles write the executed notebooks to build/<profile>/.
source "$(dirname "$0")/env.sh"
export HARLIB_PROFILE="${HARLIB_PROFILE:-standard}"
out="$REPO/notebooks"
if [ "$HARLIB_PROFILE" != standard ]; then
    out="$REPO/build/$HARLIB_PROFILE"
    mkdir -p "$out"
fi
cd "$REPO/notebooks"
for nb in [0-9][0-9]_*.ipynb; do
    echo "== $nb (profile $HARLIB_PROFILE) → $out/$nb"
    start=$(date +%s)
    papermill "$nb" "$out/$nb" --kernel python3 --cwd "$REPO/notebooks" --no-progress-bar
    echo "   done in $(( $(date +%s) - start )) s"
done
