#!/usr/bin/env bash
# The test suite: unit tests, then every notebook executed under the smoke profile by nbval,
# which compares the cells marked NBVAL_CHECK_OUTPUT with their committed outputs.
source "$(dirname "$0")/env.sh"
export HARLIB_PROFILE=smoke
cd "$REPO"
python -m pytest tests notebooks --nbval-lax --nbval-current-env --nbval-cell-timeout=1200 -p no:cacheprovider "$@"
