"""Rebuild the claim records (tables/[profile/]claims/<notebook>.json) from the committed
results tables, without training: each paper notebook records its claims in its last cells
with harlib.report.claim_records.record_claims, and the records depend on its runs tables
alone, so this gives the same files for tables that were written before the notebook
recorded claims.

    python tools/record_claims.py                      # every notebook that measures a claim
    python tools/record_claims.py 31_stdualx_results --profile smoke
"""
from __future__ import annotations

import argparse

import harlib  # noqa: F401  (pins the numerics before numpy loads)
from harlib.papers.claims import claim_sources
from harlib.report.claim_records import record_claims, records_path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="*", help="notebook names (default: all that measure a claim)")
    ap.add_argument("--profile", default="standard")
    a = ap.parse_args(argv)
    known = list(dict.fromkeys(s.notebook for s in claim_sources()))
    for nb in a.notebooks or known:
        if nb not in known:
            ap.error(f"{nb} measures no claim; choose from {', '.join(known)}")
        recs = record_claims(nb, a.profile)
        print(f"{records_path(nb, a.profile)}: {len(recs)} records")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
