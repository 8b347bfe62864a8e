"""The claims-versus-reproduced summary (harlib.report.summary) on the committed standard tables."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from harlib.papers.published import PAPER_CLAIMS
from harlib.report.tables import output_dir
from harlib.report.summary import COLUMNS, HEADLINES, claims_vs_reproduced

STANDARD = output_dir("tables", "standard")


def test_summary_reads_each_number_from_its_table():
    df = claims_vs_reproduced("standard")
    assert list(df.columns) == COLUMNS and len(df) == len(HEADLINES)
    c3 = df.set_index("claim").loc["C3"]
    src = pd.read_csv(STANDARD / "31_stdualx_headline.csv").set_index("claim").loc["C3"]
    assert c3["the paper reports"] == PAPER_CLAIMS["C3"]["value"]
    assert c3["ours, subject-independent"] == pytest.approx(src["ours, subject-independent: accuracy"])
    assert c3["difference (subject-independent − paper)"] == pytest.approx(
        src["ours, subject-independent: accuracy"] - PAPER_CLAIMS["C3"]["value"])
    gap = pd.read_csv(STANDARD / "12_memae_segmentation_gap.csv").set_index(["reading", "protocol"])
    assert df.set_index("claim").loc["A4", "ours, paper-style"] == pytest.approx(
        100 * gap.loc[("preceding windows", "random_windows"), "accuracy gap"])
    a1 = pd.read_csv(STANDARD / "11_memae_results.csv").set_index(["dataset", "protocol", "model"])
    assert df.set_index("claim").loc["A1", "ours, subject-independent"] == pytest.approx(
        a1.loc[("dsads", "subject_groups", "memae_lstm (preceding windows)"), "accuracy"])
    measured = df[df.note == ""]
    assert measured[["ours, paper-style", "ours (any protocol)"]].notna().any(axis=1).all()
    assert df[df.note != ""][["ours, paper-style", "ours, subject-independent"]].isna().all().all()


def test_summary_names_the_notebook_of_a_missing_table(tmp_path):
    with pytest.raises(FileNotFoundError, match="run notebook 11_memae_results under the standard profile"):
        claims_vs_reproduced("standard", tables=tmp_path)


def test_gain_rows_subtract_the_two_table2_rows():
    df = claims_vs_reproduced("standard").set_index("claim")
    t = pd.read_csv(STANDARD / "23_usad_ablation.csv")
    sel = t[(t.dataset == "wisdm2019_watch_accel") & (t.protocol == "subject_groups")].set_index("variant").accuracy
    row = [c for c in df.index if c.startswith("B56")][0]
    assert df.loc[row, "ours, subject-independent"] == pytest.approx(sel["Data Augmentation"] - sel["ACL"])
    assert df.loc[row, "the paper reports"] == pytest.approx(PAPER_CLAIMS["B56"]["value"] - PAPER_CLAIMS["B32"]["value"])
    assert np.isfinite(df.loc[row, "difference (subject-independent − paper)"])


def test_notebook_times_sum_distinct_runs(tmp_path):
    import json
    from harlib.report.summary import notebook_times
    nb = {"cells": [], "metadata": {"papermill": {"duration": 120.0}}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "27_demo.ipynb").write_text(json.dumps(nb))
    pd.DataFrame({"run_key": ["a", "a", "b"], "train_seconds": [60.0, 60.0, 30.0]}).to_csv(tmp_path / "27_demo_runs.csv", index=False)
    t = notebook_times(tmp_path, tmp_path).set_index("notebook").loc["27_demo"]
    assert t["committed execution (min)"] == 2.0 and t["training of its runs (min)"] == 1.5 and t["runs"] == 2
