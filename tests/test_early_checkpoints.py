"""harlib.papers.early_checkpoints: which claims kept an early checkpoint, and the paired
comparison of their runs with the same runs trained to the epoch cap (notebook 90). The
runs tables here are small hand-made frames in the shape of the notebooks' tables; the
training itself is tested in tests/test_trainers.py (checkpoint="last")."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from harlib.papers import early_checkpoints as ec
from harlib.papers.published import PAPER_CLAIMS
from harlib.training.profiles import get_profile


def _records(rows):
    return pd.DataFrame([{"claim": c, "protocol": p, "best epoch (median)": e, "run_keys": keys}
                         for c, p, e, keys in rows])


def _b2_runs(acc, keys, checkpoint, **extra):
    """Rows of notebook 25's runs table for USAD on the DSADS stand-in, subject groups."""
    n = len(acc)
    return pd.DataFrame({"setting": "pamap2", "model": "usad", "protocol": "subject_groups",
                         "fold": range(n), "seed": 0, "accuracy": acc, "run_key": keys,
                         "best_epoch": [1] * n if checkpoint == "best" else [10] * n,
                         "epochs": [4] * n if checkpoint == "best" else [10] * n,
                         "n_train": 1007, "n_test": [300, 310, 320][:n], **extra})


def test_early_records_keep_the_claims_at_or_below_the_threshold():
    rec = _records([("B1", "paper-style", 10.0, []), ("B2", "subject-independent", 2.0, []),
                    ("C1", "subject-independent", 1.0, []), ("A1", "paper-style", float("nan"), [])])
    got = ec.early_records(rec)
    assert list(zip(got.claim, got.protocol)) == [("B2", "subject-independent"), ("C1", "subject-independent")]
    assert list(ec.early_records(rec, early_epoch=1).claim) == ["C1"]
    with pytest.raises(KeyError, match=r"run_keys"):
        ec.early_records(rec.drop(columns="run_keys"))


def test_early_records_add_the_claims_read_from_an_early_claims_runs():
    # C7 and C8 have no epochs of their own (notebooks 33 and 35 read C1's runs)
    rec = _records([("C1", "subject-independent", 1.0, []), ("C1", "paper-style", 9.0, []),
                    ("C7", "subject-independent", float("nan"), []), ("C7", "paper-style", float("nan"), []),
                    ("C8", "subject-independent", float("nan"), [])])
    got = ec.early_records(rec)
    assert list(zip(got.claim, got.protocol)) == [("C1", "subject-independent"), ("C7", "subject-independent"),
                                                  ("C8", "subject-independent")]
    late = rec.assign(**{"best epoch (median)": rec["best epoch (median)"].where(rec.claim != "C1", 5.0)})
    assert ec.early_records(late).empty


def test_compare_reads_a_claim_measured_on_another_claims_runs():
    # C7: a table of readings (notebook 33's silhouettes, no run keys), paired by fold and seed
    early = _records([("C1", "subject-independent", 1.0, []), ("C7", "subject-independent", float("nan"), [])])
    best = pd.DataFrame({"fold": [0, 1, 2, 0], "seed": 0, "protocol": ["subject-independent"] * 3 + ["paper-style"],
                         "model": "stdualx", "silhouette (embedding)": [0.20, 0.30, 0.25, 0.9]})
    last = pd.DataFrame({"fold": [0, 1, 2], "seed": 0, "protocol": "subject-independent", "model": "stdualx",
                         "silhouette (embedding)": [0.30, 0.32, 0.31], "epochs": 10, "best_epoch": 10,
                         "run_key": ["a", "b", "c"], "checkpoint": "last"})
    table = ec.compare(early, {"C7": best}, {"C7": last})
    assert list(table.claim) == ["C7"]
    row = table.iloc[0]
    assert row["ours, best epoch"] == pytest.approx(0.25) and row["ours, last epoch"] == pytest.approx(0.31)
    assert row["last − best"] == pytest.approx(0.06) and row["pairs"] == 3
    assert row["best epoch (median), notebook"] == 1.0          # C1's: the runs C7 read
    with pytest.raises(KeyError, match="is not read from another claim's runs"):
        ec.read_again("C1", last, get_profile("smoke"))


def test_compare_pairs_the_record_runs_with_the_rebuilt_ones():
    early = _records([("B2", "subject-independent", 1.0, ["k0", "k1", "k2"]),
                      ("B2", "paper-style", 2.0, ["r0"])])          # not rebuilt: another protocol
    best = pd.concat([_b2_runs([0.70, 0.80, 0.75], ["k0", "k1", "k2"], "best"),
                      _b2_runs([0.99], ["other"], "best")], ignore_index=True)   # not the record's
    last = _b2_runs([0.74, 0.79, 0.81], ["l0", "l1", "l2"], "last")
    table = ec.compare(early, {"B2": best}, {"B2": last})
    assert len(table) == 1
    row = table.iloc[0]
    d = 100 * (np.array([0.74, 0.79, 0.81]) - np.array([0.70, 0.80, 0.75]))
    h = stats.t.ppf(0.975, 2) * d.std(ddof=1) / np.sqrt(3)
    assert row["last − best"] == pytest.approx(d.mean())
    assert row["last − best: 95 % CI low"] == pytest.approx(d.mean() - h)
    assert row["last − best: reading"] == ("inside noise" if d.mean() - h <= 0 <= d.mean() + h else "outside noise")
    assert row["ours, best epoch"] == pytest.approx(75.0) and row["ours, last epoch"] == pytest.approx(78.0)
    assert row["the paper reports"] == PAPER_CLAIMS["B2"]["value"]
    assert row["last: verdict"] == "below the paper"               # 78 % ± a few points vs 93.81
    assert row["best epoch (median), notebook"] == 1 and row["epochs (median), last"] == 10
    assert row["pairs"] == row["n"] == 3
    for col, acc in (("ours, best epoch", [70, 80, 75]), ("ours, last epoch", [74, 79, 81])):
        assert row[f"{col}: standard error"] == pytest.approx(np.std(acc, ddof=1) / np.sqrt(3))


def test_the_headline_values_of_the_comparison_get_a_tolerance_from_their_spread():
    """The last-epoch runs are trained by whoever executes notebook 90: their headline
    tolerance comes from the runs' spread, not from the one-run floor."""
    from harlib.report import headlines
    early = _records([("B2", "subject-independent", 1.0, ["k0", "k1", "k2"])])
    best = _b2_runs([0.70, 0.80, 0.75], ["k0", "k1", "k2"], "best")
    table = ec.compare(early, {"B2": best}, {"B2": _b2_runs([0.74, 0.79, 0.81], ["l0", "l1", "l2"], "last")})
    values = headlines.table_values(table, "claim", ["ours, best epoch", "ours, last epoch"])
    assert values == pytest.approx({"B2:ours, best epoch": 75.0, "B2:ours, last epoch": 78.0})
    P = get_profile("standard")
    tol, source = headlines.tolerance_for("B2:ours, last epoch", values, P)
    se = np.std([74, 79, 81], ddof=1) / np.sqrt(3)
    assert tol == pytest.approx(P.headline_se_multiple * np.sqrt(2) * se) and "3 runs" in source


def test_compare_refuses_runs_that_are_not_the_same_runs():
    early = _records([("B2", "subject-independent", 1.0, ["k0", "k1", "k2"])])
    best = _b2_runs([0.70, 0.80, 0.75], ["k0", "k1", "k2"], "best")
    moved = _b2_runs([0.74, 0.79, 0.81], ["l0", "l1", "l2"], "last").assign(n_train=2000)
    with pytest.raises(ValueError, match=r"B2: the rebuilt runs differ .* in 'n_train'"):
        ec.compare(early, {"B2": best}, {"B2": moved})
    with pytest.raises(ValueError, match=r"B2: 3 committed runs but 2 rebuilt partners"):
        ec.compare(early, {"B2": best}, {"B2": _b2_runs([0.7, 0.8], ["l0", "l1"], "last")})
    with pytest.raises(ValueError, match=r"holds 2 of the record's 3 runs"):
        ec.compare(early, {"B2": best.iloc[:2]}, {"B2": moved})


def test_rebuild_names_what_it_cannot_do():
    P = get_profile("smoke")
    with pytest.raises(KeyError, match=r"no rebuild for claim 'B9'.*B2, C1, C5, C6, C7, C8"):
        ec.rebuild("B9", P)
    with pytest.raises(ValueError, match=r"checkpoint must be one of \('best', 'last'\), got 'first'"):
        ec.rebuild("B2", P, "first")
    with pytest.raises(ValueError, match="B2's runs are subject groups"):
        ec.rebuild("B2", P, pairs=[[5, 6]])
    with pytest.raises(ValueError, match=r"pairs \[\[9, 10\]\] are not among the profile's hold-out pairs"):
        ec.rebuild("C1", P, pairs=[[9, 10]])
