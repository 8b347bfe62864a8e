"""Rewrite the README's claims table from notebook 91's committed table
(``tables/91_claims_vs_reproduced.csv``), so that the README never retypes a claim.

    python tools/readme_claims.py           # rewrite README.md
    python tools/readme_claims.py --check   # exit 1 if README.md is stale
"""
from __future__ import annotations

import argparse
import sys

import pandas as pd

from harlib.report.tables import project_root
from harlib.report.summary import readme_with_claims


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check that README.md is current")
    args = ap.parse_args(argv)
    root = project_root()
    readme = (root / "README.md").read_text()
    table = pd.read_csv(root / "tables" / "91_claims_vs_reproduced.csv", keep_default_na=True)
    new = readme_with_claims(readme, table)
    if args.check:
        if new != readme:
            print("README.md's claims table is stale: run python tools/readme_claims.py", file=sys.stderr)
            return 1
        return 0
    (root / "README.md").write_text(new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
