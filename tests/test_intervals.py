"""Intervals, paired differences and verdicts (harlib.evaluation.intervals)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from harlib.evaluation import intervals as iv


def test_t_interval_of_three_runs():
    ci = iv.interval([1.0, 2.0, 3.0])
    # mean 2, s = 1, t(0.975, 2) = 4.3027: half-width 4.3027 / sqrt(3)
    assert (ci.n, ci.mean) == (3, 2.0)
    assert ci.high - ci.mean == pytest.approx(4.302653 / math.sqrt(3), rel=1e-6)
    assert ci.low == pytest.approx(2 * ci.mean - ci.high)


def test_one_run_has_no_interval_and_nan_is_dropped():
    ci = iv.interval([0.7, float("nan")])
    assert ci.n == 1 and ci.mean == 0.7 and math.isnan(ci.low) and math.isnan(ci.high)
    assert iv.interval([]).n == 0


def test_paired_differences_match_fold_and_seed():
    a = pd.DataFrame({"fold": [0, 1, 2], "seed": [0, 0, 0], "acc": [0.9, 0.8, 0.7]})
    b = pd.DataFrame({"fold": [2, 0, 3], "seed": [0, 0, 0], "acc": [0.6, 0.85, 0.1]})
    d = iv.paired_differences(a, b, "acc")
    assert sorted(d.fold) == [0, 2]                       # fold 1 and 3 have no partner
    assert d.set_index("fold").difference.to_dict() == pytest.approx({0: 0.05, 2: 0.1})
    # pairing removes the shared fold effect: unpaired spread is wide, paired spread is not
    a2 = pd.DataFrame({"fold": [0, 1, 2], "seed": 0, "acc": [0.5, 0.7, 0.9]})
    b2 = a2.assign(acc=a2.acc - 0.02 + pd.Series([0.001, -0.001, 0.0]))
    paired = iv.paired_interval(a2, b2, "acc")
    assert paired.low > 0 and paired.method == iv.PAIRED_METHOD
    assert iv.interval(a2.acc).low < iv.interval(b2.acc).high     # unpaired: the intervals overlap


def test_ambiguous_pairs_raise():
    a = pd.DataFrame({"fold": [0, 0], "seed": [0, 0], "acc": [0.9, 0.8]})
    with pytest.raises(ValueError, match="side a holds 1 runs with the same"):
        iv.paired_differences(a, a.iloc[:1], "acc")
    with pytest.raises(KeyError, match="no column"):
        iv.paired_differences(a.drop(columns="seed"), a, "acc")


@pytest.mark.parametrize("paper, values, kind, expected", [
    (90.0, [85, 88, 91], "level", iv.REACHED),            # the interval reaches 90
    (99.0, [85, 86, 87], "level", iv.BELOW),
    (2.0, [-1, 1, 2], "difference", iv.NOISE),            # contains 0
    (2.0, [1.9, 2.1, 2.0], "difference", iv.REACHED),
    (5.0, [1.0, 1.1, 0.9], "difference", iv.BELOW),       # the paper's side, short of 5
    (5.0, [-1.0, -1.1, -0.9], "difference", iv.OPPOSITE),
    (90.0, [85.0], "level", iv.FEW),
    (1.6, [4.9, 5.0, 5.1], "untestable", iv.UNTESTABLE),
])
def test_verdicts(paper, values, kind, expected):
    assert iv.verdict(paper, iv.interval(values), kind) == expected


def test_an_unknown_kind_raises():
    with pytest.raises(ValueError, match="unknown claim kind 'gain'"):
        iv.verdict(1.0, iv.interval([1, 2, 3]), "gain")


def test_paired_comparisons_against_a_named_and_the_best_variant():
    rows = [{"protocol": p, "loss": v, "fold": f, "seed": 0, "acc": base + d + 0.01 * f}
            for p, base in (("a", 0.5), ("b", 0.7))
            for v, d in (("ce", 0.0), ("focal", 0.02), ("mix", -0.01))
            for f in range(3)]
    runs = pd.DataFrame(rows)
    # fold noise cancels in the pairs: constant differences, zero-width intervals
    t = iv.paired_comparisons(runs, "loss", "ce", "acc", by=["protocol"], scale=100)
    assert list(t.columns[:3]) == ["protocol", "loss", "minus"]
    a = t[t.protocol == "a"].set_index("loss")
    assert a.loc["focal", "mean"] == pytest.approx(2) and a.loc["mix", "mean"] == pytest.approx(-1)
    assert a.loc["focal", "pairs"] == 3 and a.loc["focal", "95 % CI low"] == pytest.approx(2)
    assert set(t["reading"]) == {iv.OUTSIDE}
    best = iv.paired_comparisons(runs, "loss", "best", "acc", by=["protocol"], scale=100)
    assert set(best["minus"]) == {"focal"} and (best["mean"] < 0).all()
    runs.loc[(runs.loss == "mix") & (runs.fold == 2), "acc"] += 0.05      # one fold flips the sign
    t = iv.paired_comparisons(runs, "loss", "ce", "acc", by=["protocol"])
    assert t.set_index(["protocol", "loss"]).loc[("a", "mix"), "reading"] == iv.NOISE
    one = iv.paired_comparisons(runs[runs.fold == 0], "loss", "ce", "acc", by=["protocol"])
    assert set(one["reading"]) == {iv.FEW} and (one["pairs"] == 1).all()   # one pair: no interval
    with pytest.raises(ValueError, match="no loss = 'adam'"):
        iv.paired_comparisons(runs, "loss", "adam", "acc")
    with pytest.raises(KeyError, match="no column"):
        iv.paired_comparisons(runs, "optimiser", "ce", "acc")
    with pytest.raises(ValueError, match="rename column"):
        iv.paired_comparisons(runs.rename(columns={"loss": "reading"}), "reading", "ce", "acc")


def test_paired_comparisons_of_cumulative_steps():
    runs = pd.DataFrame([{"variant": v, "fold": f, "seed": 0, "acc": a + 0.1 * f}
                         for v, a in (("backbone", 1.0), ("+ loss", 3.0), ("+ augmentation", 2.0))
                         for f in range(3)])
    t = iv.paired_comparisons(runs, "variant", "previous", "acc")
    assert list(zip(t.variant, t.minus)) == [("+ loss", "backbone"), ("+ augmentation", "+ loss")]
    assert t["mean"].tolist() == pytest.approx([2.0, -1.0])


def test_an_interval_gives_back_its_standard_error():
    v = [80.0, 83.0, 86.0, 79.0]
    assert iv.interval(v).standard_error == pytest.approx(np.std(v, ddof=1) / np.sqrt(4))
    assert np.isnan(iv.interval([1.0]).standard_error) and np.isnan(iv.interval([]).standard_error)
