#!/usr/bin/env bash
# Regenerate every table and figure: execute all numbered notebooks in order with papermill.
# Profile: $HARLIB_PROFILE (smoke | standard | paper), default standard. Notebooks are
# executed in place, so the committed notebooks carry the outputs of the last run.
source "$(dirname "$0")/env.sh"
export HARLIB_PROFILE="${HARLIB_PROFILE:-standard}"
cd "$REPO/notebooks"
for nb in [0-9][0-9]_*.ipynb; do
    echo "== $nb (profile $HARLIB_PROFILE)"
    start=$(date +%s)
    papermill "$nb" "$nb" --kernel python3 --cwd "$REPO/notebooks" --no-progress-bar
    echo "   done in $(( $(date +%s) - start )) s"
done
