"""Grid analysis helpers in harlib.training.experiment."""
from __future__ import annotations

import pandas as pd
import pytest

from harlib.training.experiment import paired_difference


def test_paired_difference_against_seed_spread():
    rows = []
    for fold in (0, 1):
        for seed, f1 in ((0, 0.80), (1, 0.90)):
            rows.append({"dataset": "d", "model": "m", "fold": fold, "seed": seed,
                         "precision": "fp32", "f1_macro": f1})
            rows.append({"dataset": "d", "model": "m", "fold": fold, "seed": seed,
                         "precision": "bf16", "f1_macro": f1 + 0.01 * (seed + 1)})
    out = paired_difference(pd.DataFrame(rows), "precision", "fp32", "bf16", ["dataset", "model"])
    r = out.iloc[0]
    assert r["mean_diff"] == pytest.approx(0.015) and r["max_abs_diff"] == pytest.approx(0.02)
    assert r["seed_spread"] == pytest.approx(pd.Series([0.8, 0.9]).std())
    assert r["pairs"] == 4 and r["within_spread"]
    with pytest.raises(ValueError, match="precision='fp16'"):
        paired_difference(pd.DataFrame(rows), "precision", "fp32", "fp16", ["dataset"])
