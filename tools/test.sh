#!/usr/bin/env bash
# The test suite: unit tests, then every notebook executed under the smoke profile by nbval,
# which compares the cells marked NBVAL_CHECK_OUTPUT with their committed outputs; each
# notebook's last cell checks its headline numbers against notebooks/recorded/.
# The smoke runs use a run store of their own (build/smoke-cache), so runs trained under
# other settings can never stand in for them.
source "$(dirname "$0")/env.sh"
export HARLIB_PROFILE=smoke
# one thread per process: the suite then slows in proportion on a shared machine
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
export HARLIB_CACHE="${HARLIB_SMOKE_CACHE:-$REPO/build/smoke-cache}"
cd "$REPO"
python -m pytest tests notebooks --nbval-lax --nbval-current-env --nbval-cell-timeout=1200 -p no:cacheprovider "$@"
