"""The README's claims table is generated from notebook 91's committed table
(harlib.report.summary.readme_claims_table, tools/readme_claims.py)."""
from __future__ import annotations

import pandas as pd
import pytest

from harlib.report import summary
from harlib.report.tables import project_root


def _row(**kw):
    base = {c: "" for c in summary.COLUMNS}
    base.update({"claim": "X1", "what": "paper X: accuracy", "the paper reports": 90.0,
                 "ours (any protocol)": float("nan"), "data": "d", "notebook": "31_x",
                 "ours, paper-style": 80.0, "n, paper-style": 3, "95 % CI, paper-style": "[70.00, 90.00]",
                 "verdict, paper-style": "reached", "ours, subject-independent": float("nan"),
                 "n, subject-independent": float("nan")})
    base.update(kw)
    return base


def test_a_row_per_claim_with_both_protocols():
    t = pd.DataFrame([_row(**{"test overlap, paper-style": 0.8412}),
                      _row(claim="X2", **{"ours (any protocol)": 1.5, "ours, paper-style": float("nan")})])
    lines = summary.readme_claims_table(t).splitlines()
    assert lines[0] == summary.README_CLAIMS_HEADER and len(lines) == 4
    assert lines[1].count("|") == lines[0].count("|")
    assert lines[2] == ("| **X1** accuracy | 90.00 | 80.00 | 3 | [70.00, 90.00] | reached | 0.84 | — |  |  |  | d "
                        "| [31](notebooks/31_x.ipynb) |")
    assert "| 1.50 (any) |" in lines[3]


def test_the_block_is_replaced_and_a_missing_block_is_named():
    t = pd.DataFrame([_row()])
    doc = f"intro\n{summary.README_CLAIMS_BEGIN}\nold\n{summary.README_CLAIMS_END}\nafter\n"
    new = summary.readme_with_claims(doc, t)
    assert "old" not in new and new.startswith("intro\n") and new.endswith(f"{summary.README_CLAIMS_END}\nafter\n")
    with pytest.raises(ValueError, match="no claims block"):
        summary.readme_with_claims("intro\n", t)


def test_the_committed_readme_holds_the_committed_claims_table():
    root = project_root()
    table = pd.read_csv(root / "tables" / "91_claims_vs_reproduced.csv")
    readme = (root / "README.md").read_text()
    assert summary.readme_with_claims(readme, table) == readme, \
        "README.md's claims table is stale: run python tools/readme_claims.py"
