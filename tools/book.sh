#!/usr/bin/env bash
# The companion as a website: builds build/site/ from the committed notebooks, tables,
# figures and README.md, with the API pages generated from harlib's docstrings.
#
# Why Sphinx with MyST-NB and sphinx-book-theme: all three are pip packages, so the build
# runs offline from the environment tools/env.sh installs (no Node toolchain, no theme or
# script fetched at build time, no intersphinx); MyST-NB renders a notebook from the outputs
# committed with it and, with nb_execution_mode = "off" (book/conf.py), executes nothing, so
# the site shows exactly what the repository holds and builds in about a minute without data
# or trained runs; and Sphinx's autosummary walks the harlib package for the API pages, so
# they follow its modules wherever they move.
#
# The sources are laid out as the repository lays them out (book/ at the top, beside
# README.md, notebooks/, tables/ and figures/) in build/book-src, so every relative link in
# the README and the notebooks resolves. Extra arguments go to sphinx-build.
source "$(dirname "$0")/env.sh"
cd "$REPO"
src="$REPO/build/book-src"
out="$REPO/build/site"
doctrees="$REPO/build/book-doctrees"
rm -rf "$src" "$out" "$doctrees"      # a full build each time: a module that moved leaves no page behind
mkdir -p "$src/notebooks" "$src/tables" "$src/figures"
cp -p -R book/. "$src/"
cp -p README.md "$src/"
cp -p notebooks/*.ipynb "$src/notebooks/"
cp -p tables/*.md "$src/tables/"
cp -p figures/*.png "$src/figures/"
# The API pages document this checkout's harlib, whichever environment is active.
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}"
python -m sphinx -b html -q -j 1 -d "$doctrees" "$src" "$out" "$@"
echo "harlib: the site is in $out (open index.html)" >&2
