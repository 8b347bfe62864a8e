"""harlib.papers.baselines (our anchors beside WHAR Arena, the larger-budget check), the notebook
tables of harlib.deploy.efficiency and plotting.f1_vs_cost, on small hand-made inputs."""
from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
import torch

matplotlib.use("Agg")

from harlib.data.base import Channel  # noqa: E402
from harlib.deploy.efficiency import EFFICIENCY_COLUMNS, count_parameters, efficiency_table
from harlib.papers.usad import table5_setting
from harlib.models import create_model  # noqa: E402
from harlib.report.plotting import f1_vs_cost  # noqa: E402
from harlib.training.train import TrainConfig  # noqa: E402
from harlib.data.windows import WindowSet  # noqa: E402
from harlib.papers import baselines

torch.set_num_threads(1)


def _runs():
    """Two datasets; deepconvlstm and random_forest have WHAR figures, cnn1d has none."""
    rows = []
    spec = {  # (dataset, model): (f1 per fold, best_epoch per fold)
        ("uci_har_hapt", "cnn1d"): ([0.90, 0.80], [1, 2]),
        ("uci_har_hapt", "deepconvlstm"): ([0.91, 0.95, 0.93], [10, 4, 10]),
        ("uci_har_hapt", "random_forest"): ([0.90, 0.92, 0.94], [0, 0, 0]),
        ("dsads", "deepconvlstm"): ([0.70, 0.80], [3, 5]),
    }
    for (d, m), (f1s, best) in spec.items():
        for fold, (f1, b) in enumerate(zip(f1s, best)):
            rows.append({"dataset": d, "model": m, "fold": fold, "seed": 0, "f1_macro": f1,
                         "best_epoch": b})
    return pd.DataFrame(rows)


# --- published figures ----------------------------------------------------------------------

def test_published_reference_only_pairs_with_a_figure():
    ref = baselines.published_reference(["uci_har_hapt", "dsads"], ["cnn1d", "deepconvlstm"])
    assert ref == {("uci_har_hapt", "deepconvlstm"): 0.930, ("dsads", "deepconvlstm"): 0.820}


def test_published_column_nan_where_none():
    df = pd.DataFrame({"dataset": ["dsads", "hapt", "uci_har_hapt"],
                       "model": ["tinyhar", "cnn1d", "random_forest"]}, index=[5, 7, 9])
    col = baselines.published_column(df)
    assert list(col.index) == [5, 7, 9]
    assert col[5] == 0.868 and math.isnan(col[7]) and col[9] == 0.847


# --- anchors ----------------------------------------------------------------------------------

def test_anchors_vs_published_known_values():
    out = baselines.anchors_vs_published(_runs(), max_epochs=10)
    assert list(out.columns) == ["dataset", "model", "ours", "std", "groups", "lowest", "highest",
                                 "standard_error", "published", "ours_minus_published",
                                 "within_0.03", "stopped_by_epoch_cap"]
    # cnn1d has no published figure: not an anchor; order of first appearance kept
    assert list(zip(out.dataset, out.model)) == [("uci_har_hapt", "deepconvlstm"),
                                                 ("uci_har_hapt", "random_forest"),
                                                 ("dsads", "deepconvlstm")]
    dcl, rf, ds = (out.iloc[i] for i in range(3))
    assert dcl.ours == pytest.approx(0.93) and dcl["std"] == pytest.approx(0.02)
    assert dcl.groups == 3 and dcl.lowest == 0.91 and dcl.highest == 0.95
    assert dcl.standard_error == pytest.approx(0.02 / np.sqrt(3))
    assert dcl.published == 0.930 and dcl.ours_minus_published == pytest.approx(0.0)
    assert bool(dcl["within_0.03"])
    assert dcl.stopped_by_epoch_cap == pytest.approx(2 / 3)       # best epoch 10 twice of 3
    assert rf.ours == pytest.approx(0.92) and rf.published == 0.847
    assert rf.ours_minus_published == pytest.approx(0.073)
    assert not bool(rf["within_0.03"])
    assert math.isnan(rf.stopped_by_epoch_cap)                   # classical: no epochs
    assert ds.ours == pytest.approx(0.75) and ds.published == 0.820
    assert not bool(ds["within_0.03"]) and ds.stopped_by_epoch_cap == 0.0


def test_anchors_use_each_runs_own_epoch_cap():
    runs = _runs()
    # under a budget by model cost each run has its own cap: fold 1's deepconvlstm stopped
    # at its cap of 4; the others were capped at 12 and stopped earlier
    runs["epoch_cap"] = [12, 12, 12, 4, 12, 0, 0, 0, 12, 12]
    out = baselines.anchors_vs_published(runs).set_index(["dataset", "model"])
    assert out.loc[("uci_har_hapt", "deepconvlstm"), "stopped_by_epoch_cap"] == pytest.approx(1 / 3)
    assert out.loc[("dsads", "deepconvlstm"), "stopped_by_epoch_cap"] == 0.0
    with pytest.raises(ValueError, match="epoch_cap"):
        baselines.anchors_vs_published(_runs())


def test_anchors_by_fold():
    wide = baselines.anchors_by_fold(_runs())
    assert list(wide.columns) == [0, 1, 2]
    assert ("uci_har_hapt", "cnn1d") not in wide.index
    assert wide.loc[("dsads", "deepconvlstm"), 1] == pytest.approx(0.80)
    assert math.isnan(wide.loc[("dsads", "deepconvlstm"), 2])


# --- larger-budget check ----------------------------------------------------------------------

def test_larger_budget_and_label():
    config = TrainConfig(max_epochs=10, patience=3, max_train_windows=1000)
    big = baselines.larger_budget(config, {"max_train_windows": 4000, "max_epochs": 30,
                                          "patience": 10, "folds": 1})
    assert (big.max_train_windows, big.max_epochs, big.patience) == (4000, 30, 10)
    assert big.lr == config.lr
    assert baselines.budget_label(config) == "≤ 1000 windows, ≤ 10 epochs"
    # a budget by model cost is replaced by the same windows and epochs for every model
    costed = TrainConfig(max_epochs=30, patience=10, budget_seconds=30.0,
                         budget_keep_windows_to_epochs=5)
    assert baselines.budget_label(costed) == "30 s by model cost, ≤ 30 epochs"
    big = baselines.larger_budget(costed, {"max_train_windows": 4000, "max_epochs": 30, "patience": 10})
    assert big.budget_seconds is None and big.budget_keep_windows_to_epochs is None
    assert baselines.budget_label(big) == "≤ 4000 windows, ≤ 30 epochs"
    assert baselines.budget_label(TrainConfig(max_epochs=5)) == "all windows, ≤ 5 epochs"


def test_budget_check_table(monkeypatch):
    calls = []

    def fake_run_grid(ws, protocol, models, seeds, config, *, protocol_kwargs=None,
                      max_folds=None, store=None, log=None):
        calls.append((ws, protocol, list(models), protocol_kwargs, max_folds, config.max_epochs))
        return pd.DataFrame([{"dataset": ws, "model": m, "fold": 0, "seed": s,
                              "f1_macro": 0.99} for m in models for s in seeds])

    monkeypatch.setattr(baselines, "run_grid", fake_run_grid)
    config = TrainConfig(max_epochs=10, patience=3, max_train_windows=1000)
    big = baselines.larger_budget(config, {"max_train_windows": 4000, "max_epochs": 30,
                                          "patience": 10})
    windows = {"uci_har_hapt": "uci_har_hapt", "dsads": "dsads"}   # ws only passes through
    table = baselines.budget_check(_runs(), windows, config, big,
                                  {"uci_har_hapt": ["deepconvlstm", "random_forest"]}, [0],
                                  folds=1, protocol_kwargs={"uci_har_hapt": {"n_groups": 10}})
    assert calls == [("uci_har_hapt", "subject_groups", ["deepconvlstm", "random_forest"],
                      {"n_groups": 10}, 1, 30),
                     ("dsads", "subject_groups", [], {}, 1, 30)]
    assert list(table.index) == [("uci_har_hapt", "deepconvlstm"), ("uci_har_hapt", "random_forest")]
    assert list(table.columns) == ["≤ 1000 windows, ≤ 10 epochs", "≤ 4000 windows, ≤ 30 epochs",
                                   "published"]
    assert table.iloc[:, 0].tolist() == pytest.approx([0.91, 0.90])   # fold 0 of the runs
    assert table.iloc[:, 1].tolist() == pytest.approx([0.99, 0.99])
    assert table["published"].tolist() == [0.930, 0.847]


# --- efficiency tables ------------------------------------------------------------------------

def _windows(n_channels=3, length=32, n_classes=4, n=4):
    rng = np.random.default_rng(0)
    return WindowSet(X=rng.normal(size=(n, n_channels, length)).astype(np.float32),
                     y=np.arange(n) % n_classes, subject=np.zeros(n, int),
                     recording=np.zeros(n, int), start=np.arange(n),
                     class_names=tuple(f"c{i}" for i in range(n_classes)),
                     channels=tuple(Channel(f"acc_{a}", "wrist", "acc", a) for a in "xyz"),
                     sampling_rate=20.0, dataset="tiny")


def test_efficiency_table_tiny_model():
    ws = _windows()
    eff = efficiency_table({"tiny": ws}, ["cnn1d", "random_forest"], repeats=2, batch=4)
    assert list(eff.columns) == ["dataset", "model", *EFFICIENCY_COLUMNS]
    assert list(eff.model) == ["cnn1d"]                      # no network: skipped
    expected = count_parameters(create_model("cnn1d", ws.n_channels, ws.n_classes, ws.length))
    assert eff.params.iloc[0] == expected
    assert eff.budget_ms.iloc[0] == pytest.approx(0.05 * 32 / 20.0 * 1000)
    assert eff.mflops.iloc[0] > 0 and eff.latency_median_ms.iloc[0] > 0


def test_table5_setting_tiny_model():
    from harlib.papers.published import USAD_TABLE5, USAD_TABLE5_INPUT

    t5 = table5_setting(["cnn_zeng", "cnn1d"], repeats=2, memory_repeats=2)
    assert list(t5.columns) == ["model", "setting", "params", "paper_B_params", "params_ratio",
                                "process_memory_mb", "paper_B_memory_mb", "latency_median_ms",
                                "budget_ms", "realtime_ok"]
    assert list(t5.model) == ["cnn_zeng", "cnn_zeng"]        # cnn1d is not in Table 5
    assert list(t5.setting) == ["wisdm (3 × 90)", "opportunity (113 × 30)"]
    for row, (setting, shape) in zip(t5.itertuples(), USAD_TABLE5_INPUT.items()):
        model = create_model("cnn_zeng", shape["channels"], shape["classes"], shape["length"])
        assert row.params == count_parameters(model)
        memory, params = USAD_TABLE5["cnn_zeng"][setting]
        assert row.paper_B_params == params and row.paper_B_memory_mb == memory
        assert row.params_ratio == pytest.approx(row.params / params)
        assert row.process_memory_mb > 0
    assert t5.budget_ms.tolist() == pytest.approx([225.0, 50.0])


# --- figure -----------------------------------------------------------------------------------

def test_f1_vs_cost_one_row_per_dataset():
    from matplotlib.figure import Figure

    summary = pd.DataFrame({"dataset": ["a", "a", "b"], "model": ["m1", "m2", "m1"],
                            "f1_macro_mean": [0.8, 0.9, 0.7]})
    eff = pd.DataFrame({"dataset": ["a", "a", "b"], "model": ["m1", "m2", "m1"],
                        "latency_median_ms": [0.5, 2.0, 0.6], "params": [1e3, 1e5, 1e3]})
    fig = f1_vs_cost(summary, eff, ["a", "b"])
    try:
        assert isinstance(fig, Figure)
        axes = np.asarray(fig.axes).reshape(2, 2)
        assert [ax.get_title() for ax in axes[:, 0]] == ["a", "b"]
        assert axes[0, 0].get_xscale() == "log" and axes[0, 1].get_xlabel() == "parameters"
        assert len(axes[0, 0].collections[0].get_offsets()) == 2   # two models on dataset a
    finally:
        import matplotlib.pyplot as plt
        plt.close(fig)


def test_beside_claims_and_histories(tmp_path):
    import numpy as np
    import pandas as pd
    from harlib.papers.usad import beside_claims
    from harlib.training.experiment import histories
    from harlib.training.runs import RunStore
    t = pd.DataFrame({"variant": ["ACL", "ours only"], "accuracy": [0.9, 0.8]})
    out = beside_claims(t, "variant", {"ACL": {"accuracy": "B32"}})
    assert out.loc[0, "the paper reports: accuracy"] == 98.01 and out.loc[0, "claim (accuracy)"] == "B32"
    assert np.isnan(out.loc[1, "the paper reports: accuracy"])
    store = RunStore(tmp_path)
    store.save("k1", {"history": [{"epoch": 1, "train_loss": 1.0, "loss_weights": [0.2, 0.3, 0.5]},
                                  {"epoch": 2, "train_loss": 0.5, "loss_weights": [0.25, 0.3, 0.45]}]},
               {"y": np.zeros(1)}, None)
    h = histories(pd.DataFrame({"run_key": ["k1"], "fold": [0]}), store, columns=["fold"])
    assert h.weight_2.tolist() == [0.5, 0.45] and h.fold.tolist() == [0, 0]


def test_factor_gap():
    import pandas as pd
    from harlib.training.experiment import factor_gap
    runs = pd.DataFrame({"protocol": ["p"] * 4, "policy": ["pure", "pure", "majority", "majority"],
                         "accuracy": [0.9, 0.8, 0.7, 0.6]})
    g = factor_gap(runs, "policy", "pure", "majority", ["protocol"])
    assert g.loc[0, "accuracy gap"] == pytest.approx(0.2) and g.loc[0, "accuracy (pure)"] == pytest.approx(0.85)


def test_reconstruction_and_memory_usage_figures():
    import numpy as np
    from matplotlib.figure import Figure
    from harlib.report import plotting
    x = np.random.default_rng(0).normal(size=(6, 50))
    fig = plotting.reconstruction(x, x * 0.9, [f"c{i}" for i in range(6)], 25.0, channels=[0, 3])
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    with pytest.raises(ValueError, match="one shape"):
        plotting.reconstruction(x, x[:, :40], ["c"] * 6, 25.0)
    w = np.random.default_rng(1).dirichlet(np.ones(10), size=20)
    fig = plotting.memory_usage(w, np.arange(20) % 3, ["a", "b", "c"])
    assert fig.axes[0].images[0].get_array().shape == (3, 10)


def test_training_curves_average_runs_per_epoch():
    from harlib.report import plotting
    hist = pd.DataFrame({"variant": ["a"] * 4 + ["b"] * 2, "epoch": [1, 2, 1, 2, 1, 2],
                         "train_loss": [1.0, 0.5, 3.0, 1.5, 2.0, 1.0], "val_ece": [0.1] * 6})
    fig = plotting.training_curves(hist, "variant", {"train_loss": "loss", "val_ece": "ECE"})
    line = fig.axes[0].lines[0]
    np.testing.assert_allclose(line.get_ydata(), [2.0, 1.0])          # mean of the two runs of "a"
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 2
    with pytest.raises(KeyError, match="val_f1_macro"):
        plotting.training_curves(hist, "variant", {"val_f1_macro": "F1"})


def test_stream_timeline_leaves_unlabelled_samples_blank():
    from harlib.report import plotting
    truth = np.array([0, 0, -1, 1, 1])
    fig = plotting.stream_timeline(truth, np.array([-1, 0, 0, 1, 0]), ["a", "b"], 1.0, np.array([0.1, 0.2]))
    y = fig.axes[0].lines[0].get_ydata()
    assert np.isnan(y[2]) and y[3] == 1 and len(fig.axes) == 2


def test_best_vs_published_best():
    summary = pd.DataFrame({"dataset": ["hapt", "hapt", "dsads", "my_data"],
                            "model": ["tinyhar", "cnn1d", "tinyhar", "cnn1d"],
                            "f1_macro_mean": [0.80, 0.86, 0.90, 0.5]})
    out = baselines.best_vs_published_best(summary).set_index("dataset")
    assert out.loc["hapt", "our_best"] == "cnn1d" and out.loc["hapt", "ours"] == 0.86
    assert out.loc["hapt", "published_best"] == "cnn_har" and out.loc["hapt", "published"] == 0.848
    assert out.loc["hapt", "ours_minus_published"] == pytest.approx(0.012)
    assert out.loc["dsads", "published_best"] == "random_forest"          # 0.893 beats the networks
    assert math.isnan(out.loc["my_data", "published"]) and out.loc["my_data", "published_best"] == ""


def test_budget_allocation_reads_first_fold():
    runs = pd.DataFrame({"dataset": ["hapt"] * 4 + ["dsads"] * 2,
                         "model": ["tinyhar", "tinyhar", "deepconvlstm", "random_forest",
                                   "tinyhar", "deepconvlstm"],
                         "fold": [0, 1, 0, 0, 2, 2], "n_train": [6700, 6600, 820, 6700, 22914, 500],
                         "epoch_cap": [5, 6, 5, 30, 5, 5]})
    wide = baselines.budget_allocation(runs)
    assert list(wide.index) == ["tinyhar", "deepconvlstm", "random_forest"]
    assert list(wide.columns) == ["hapt", "dsads"]
    assert wide.loc["tinyhar", "hapt"] == "6700 × 5"                    # fold 0, not fold 1
    assert wide.loc["deepconvlstm", "dsads"] == "500 × 5"               # dsads starts at fold 2
    assert wide.loc["random_forest", "hapt"] == "6700"                  # no epochs


def test_claims_chart_draws_each_entry_and_names_a_claim_it_lacks():
    from harlib.report import plotting
    from harlib.report.claim_records import RECORD_COLUMNS
    rows = [{"claim": c, "protocol": p, "the paper reports": 90.0, "n": n, "ours": v, "95 % CI low": v - 1,
             "95 % CI high": v + 1} for c, n, v in (("B1", 3, 80.0), ("B2", 2, 85.0))
            for p in ("paper-style", "subject-independent")]
    records = pd.DataFrame(rows).reindex(columns=RECORD_COLUMNS)
    fig = plotting.claims_chart(records, {"accuracy (%)": ["B1", "B2"]})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["B1", "B2"]      # one row per entry, in order
    hollow = [c for c in ax.collections if len(c.get_offsets()) and c.get_facecolor().size and
              np.allclose(c.get_facecolor()[0], (1, 1, 1, 1))]
    assert len(hollow) == 2                        # B2 has fewer runs than a verdict needs: both its dots hollow
    with pytest.raises(ValueError, match=r"do not hold: \['B2 \(every training window\)'\]"):
        plotting.claims_chart(records, {"accuracy (%)": ["B1", "B2 (every training window)"]})
