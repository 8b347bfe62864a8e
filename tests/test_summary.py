"""The claim records (harlib.report.claim_records) and notebook 91's summary
(harlib.report.summary) on the committed standard tables."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from harlib.evaluation import intervals as iv
from harlib.papers.claims import claim_sources
from harlib.papers.published import PAPER_CLAIMS
from harlib.report import claim_records
from harlib.report.summary import COLUMNS, claims_vs_reproduced
from harlib.report.tables import output_dir

STANDARD = output_dir("tables", "standard")


def test_committed_records_are_what_the_committed_tables_give(tmp_path, monkeypatch):
    """No stale record: rebuilding every notebook's records from the committed runs tables
    gives the committed files."""
    monkeypatch.setenv("HARLIB_OUTPUT", str(tmp_path))
    for nb in dict.fromkeys(s.notebook for s in claim_sources()):
        claim_records.record_claims(nb, "standard", tables=STANDARD)
        ours = json.loads((tmp_path / "tables" / "claims" / f"{nb}.json").read_text())
        committed = json.loads((STANDARD / "claims" / f"{nb}.json").read_text())
        assert ours == committed, f"tables/claims/{nb}.json is stale: run tools/record_claims.py"


def test_a_paired_drop_is_full_minus_variant_over_the_same_runs():
    runs = pd.read_csv(STANDARD / "32_stdualx_ablation_runs.csv")
    rec = claim_records.read_claim_records("standard").set_index(["claim", "protocol"])
    for protocol in ("paper-style", "subject-independent"):
        sel = runs[runs.protocol == protocol].pivot_table(index=["fold", "seed"], columns="variant",
                                                          values="accuracy")
        d = 100 * (sel["STDual-X"] - sel["w/o STDAT"])          # one difference per hold-out pair
        r = rec.loc[("C4", protocol)]
        assert r["ours"] == pytest.approx(d.mean()) and r["n"] == len(d) == 3
        assert r["95 % CI low"] == pytest.approx(iv.interval(d).low)
        assert r["the paper reports"] == PAPER_CLAIMS["C4"]["value"]


def test_a_level_claim_over_folds_has_its_interval():
    runs = pd.read_csv(STANDARD / "11_memae_runs.csv")
    sel = runs[(runs.protocol == "subject_groups") & (runs.model == "memae_lstm (preceding windows)")
               & (runs.dataset == "dsads")]
    r = claim_records.read_claim_records("standard").set_index(["claim", "protocol"]).loc[("A1", "subject-independent")]
    ci = iv.interval(100 * sel.accuracy)
    assert (r["n"], r["ours"], r["95 % CI low"], r["95 % CI high"]) == pytest.approx((ci.n, ci.mean, ci.low, ci.high))
    assert r["standard error"] == pytest.approx((100 * sel.accuracy).std(ddof=1) / np.sqrt(len(sel)))
    assert sorted(r["run_keys"]) == sorted(sel.run_key)
    assert r["verdict"] == iv.verdict(PAPER_CLAIMS["A1"]["value"], ci, "level")


def test_summary_has_every_claim_with_n_interval_and_verdict():
    df = claims_vs_reproduced("standard").set_index("claim")
    assert list(df.reset_index().columns) == COLUMNS
    assert {"A1", "A3", "A4", "B1", "C1", "C2", "C9", "C10"} <= set(df.index)
    assert set(df["verdict, subject-independent"]) <= set(iv.VERDICTS)
    assert df.loc["C2", "verdict, subject-independent"] == iv.UNTESTABLE and df.loc["C2", "note"]
    assert df.loc["C10", "ours (any protocol)"] > 0
    b1 = df.loc["B1"]
    lo, hi = map(float, b1["95 % CI, subject-independent"].strip("[]").split(", "))
    assert lo < b1["ours, subject-independent"] < hi and b1["n, subject-independent"] >= 3


def test_records_name_the_notebook_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="run notebook 11_memae_results under the standard profile"):
        claim_records.read_claim_records("standard", tables=tmp_path)
    with pytest.raises(FileNotFoundError, match="notebook 32_stdualx_ablation writes it"):
        claim_records.record_claims("32_stdualx_ablation", "standard", tables=tmp_path)
    with pytest.raises(KeyError, match="no claim is measured in notebook '02_baselines_benchmark'"):
        claim_records.record_claims("02_baselines_benchmark", "standard")


def test_a_claim_whose_rows_are_missing_raises(tmp_path):
    runs = pd.read_csv(STANDARD / "32_stdualx_ablation_runs.csv")
    runs[runs.variant != "w/o CSA"].to_csv(tmp_path / "32_stdualx_ablation_runs.csv", index=False)
    with pytest.raises(ValueError, match="claim C5: no rows of 32_stdualx_ablation_runs match"):
        claim_records.record_claims("32_stdualx_ablation", "standard", tables=tmp_path)


def test_notebook_times_sum_distinct_runs(tmp_path):
    from harlib.report.summary import notebook_times
    nb = {"cells": [], "metadata": {"papermill": {"duration": 120.0}}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "27_demo.ipynb").write_text(json.dumps(nb))
    pd.DataFrame({"run_key": ["a", "a", "b"], "train_seconds": [60.0, 60.0, 30.0]}).to_csv(tmp_path / "27_demo_runs.csv", index=False)
    # a second runs table that lists run "b" again and a new run "c": "b" counts once
    pd.DataFrame({"run_key": ["b", "c"], "train_seconds": [30.0, 90.0]}).to_csv(tmp_path / "27_demo_more_runs.csv", index=False)
    t = notebook_times(tmp_path, tmp_path).set_index("notebook").loc["27_demo"]
    assert t["committed execution (min)"] == 2.0 and t["training of its runs (min)"] == 3.0 and t["runs"] == 3


def test_notebook_times_count_each_augmentation_run_once(tmp_path):
    from harlib.report.summary import notebook_times
    nb = {"cells": [], "metadata": {"papermill": {"duration": 60.0}}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "23_demo.ipynb").write_text(json.dumps(nb))
    # two classifiers share augmentation run "g" (5 min), a third run has none
    pd.DataFrame({"run_key": ["a", "b", "c"], "train_seconds": [60.0, 30.0, 30.0],
                  "augment_run_key": ["g", "g", None], "augment_seconds": [300.0, 300.0, None]}
                 ).to_csv(tmp_path / "23_demo_runs.csv", index=False)
    t = notebook_times(tmp_path, tmp_path).set_index("notebook").loc["23_demo"]
    assert t["training of its runs (min)"] == pytest.approx(2.0 + 5.0) and t["runs"] == 3 + 1


def test_records_without_any_interval_read_as_numbers(tmp_path, monkeypatch):
    """One run per claim (the smoke profile): every interval bound is null in the JSON and
    must still read back as NaN, not as None."""
    monkeypatch.setenv("HARLIB_OUTPUT", str(tmp_path))
    one = tmp_path / "one_run"
    one.mkdir()
    runs = pd.read_csv(STANDARD / "32_stdualx_ablation_runs.csv")
    runs[runs.fold == 0].to_csv(one / "32_stdualx_ablation_runs.csv", index=False)   # one run per cell
    claim_records.record_claims("32_stdualx_ablation", "standard", tables=one)
    recs = json.loads((tmp_path / "tables" / "claims" / "32_stdualx_ablation.json").read_text())["records"]
    assert all(r["95 % CI low"] is None for r in recs) and len(runs)
    df = pd.DataFrame(recs)
    import harlib.report.claim_records as cr
    monkeypatch.setattr(cr, "claim_sources", lambda: [s for s in claim_sources() if s.notebook == "32_stdualx_ablation"])
    got = cr.read_claim_records("standard")
    assert got["95 % CI low"].dtype == float and got["95 % CI low"].isna().all() and len(got) == len(df)


def test_headline_records_read_early_claims_at_the_epoch_cap():
    """A subject-independent claim whose runs kept an early checkpoint is read from notebook
    90's runs trained to the cap; every other record is read_claim_records' own."""
    from harlib.papers import early_checkpoints as ec
    raw = claim_records.read_claim_records("standard")
    head = claim_records.headline_records("standard")
    early = ec.early_records(raw)
    early = early[early.protocol == ec.PROTOCOL]
    assert {"C1", "C7"} <= set(early.claim)                 # C7 reads C1's runs
    rebuilt = pd.read_csv(STANDARD / f"{claim_records.TO_THE_CAP_RUNS}.csv")
    for claim in early.claim:
        row = head[(head.claim == claim) & (head.protocol == ec.PROTOCOL)].iloc[0]
        runs = rebuilt[rebuilt.claim == claim]
        assert row["checkpoint"] == "last epoch" and set(row["run_keys"]) == set(runs.run_key)
        assert "trained to the epoch cap" in row["why ours may differ"]
    c1 = rebuilt[rebuilt.claim == "C1"]
    ci = iv.interval(100 * c1.accuracy)
    r = head.set_index(["claim", "protocol"]).loc[("C1", ec.PROTOCOL)]
    assert (r["n"], r["ours"], r["95 % CI low"]) == pytest.approx((ci.n, ci.mean, ci.low))
    same = ~head.set_index(["claim", "protocol"]).index.isin(list(zip(early.claim, early.protocol)))
    kept = raw.drop(columns="run_keys")[same].reset_index(drop=True)
    assert kept.equals(head.drop(columns="run_keys")[same].reset_index(drop=True))
    assert claims_vs_reproduced("standard").set_index("claim").loc["C1", "ours, subject-independent"] == \
        pytest.approx(ci.mean)


def test_headline_records_name_the_rebuilds_they_miss(tmp_path):
    import shutil
    shutil.copytree(STANDARD / "claims", tmp_path / "claims")
    with pytest.raises(FileNotFoundError, match="run notebook 90_early_checkpoints under the standard profile"):
        claim_records.headline_records("standard", tables=tmp_path)
    rebuilt = pd.read_csv(STANDARD / f"{claim_records.TO_THE_CAP_RUNS}.csv")
    rebuilt[rebuilt.claim != "C6"].to_csv(tmp_path / f"{claim_records.TO_THE_CAP_RUNS}.csv", index=False)
    with pytest.raises(ValueError, match="holds no runs of C6"):
        claim_records.headline_records("standard", tables=tmp_path)


def test_a_record_is_measured_only_under_the_claims_protocols():
    src = next(s for s in claim_sources() if s.claim == "C1")
    with pytest.raises(KeyError, match=r"claim C1 is measured under .*not \['leaky'\]"):
        claim_records.measure(src, pd.DataFrame(), ["leaky"])


def test_notebook_91s_headlines_carry_each_claims_standard_error():
    """Notebook 91's values are the claims table's means; their tolerance comes from each
    claim's spread (and the one-run floor where there is none)."""
    from harlib.report.headlines import tolerance_for
    from harlib.report.summary import headline_values
    from harlib.training.profiles import get_profile
    values = headline_values("standard")
    df = claims_vs_reproduced("standard").set_index("claim")
    rec = claim_records.headline_records("standard").set_index(["claim", "protocol"])
    for p in ("paper-style", "subject-independent"):
        shown = df[f"ours, {p}"].dropna()
        assert {k: v for k, v in values.items() if k.endswith(f":ours, {p}")} == \
            pytest.approx({f"{c}:ours, {p}": float(v) for c, v in shown.items()})
    se, n = values.spread["C1:ours, subject-independent"]
    assert n == rec.loc[("C1", "subject-independent"), "n"] and se == pytest.approx(
        rec.loc[("C1", "subject-independent"), "standard error"])
    P = get_profile("standard")
    assert tolerance_for("C1:ours, subject-independent", values, P)[0] == pytest.approx(
        P.headline_se_multiple * np.sqrt(2) * se)
