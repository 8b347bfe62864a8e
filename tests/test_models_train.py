"""Model interface, training engine determinism and the run store."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from harlib.models import create_model, model_names
from harlib.training.runs import RunStore
from harlib.evaluation.splits import make_splits
from harlib.training.train import TrainConfig, fit
from harlib.data.windows import sliding_windows

from test_windows_splits import toy_dataset

def test_deepconvlstm_matches_paper_size():
    # Ordóñez & Roggen 2016 on OPPORTUNITY (113 channels, 24-sample windows, 18 classes):
    # 4 × conv(64, 5×1) + 2 × LSTM(128) + softmax. Count it from the layer definitions.
    m = create_model("deepconvlstm", 113, 18, 24)
    conv = (5 * 1 * 64 + 64) + 3 * (5 * 64 * 64 + 64)
    lstm1 = 4 * 128 * (64 * 113 + 128) + 2 * 4 * 128
    lstm2 = 4 * 128 * (128 + 128) + 2 * 4 * 128
    head = 128 * 18 + 18
    assert sum(p.numel() for p in m.parameters()) == conv + lstm1 + lstm2 + head
    with pytest.raises(ValueError, match="too short"):
        create_model("deepconvlstm", 3, 2, 16)


def test_registry_lists_and_rejects_names():
    assert {"cnn1d", "deepconvlstm"} <= set(model_names())
    with pytest.raises(KeyError, match="unknown model 'deepconvlstn'. Did you mean 'deepconvlstm'"):
        create_model("deepconvlstn", 3, 2, 64)


@pytest.fixture
def toy():
    ws = sliding_windows(toy_dataset(n_subjects=6), 50, 25)
    return ws, make_splits("subject_groups", ws, n_groups=3)[0]


def test_fit_is_deterministic_and_cached(toy, tmp_path):
    ws, split = toy
    cfg = TrainConfig(max_epochs=3, patience=3, batch_size=16)
    a = fit("cnn1d", ws, split, cfg, seed=1, store=RunStore(tmp_path / "a"))
    b = fit("cnn1d", ws, split, cfg, seed=1, store=RunStore(tmp_path / "b"))
    assert not a.cached and not b.cached and a.key == b.key
    np.testing.assert_array_equal(a.predictions["proba"], b.predictions["proba"])
    assert a.record["history"] == b.record["history"]
    c = fit("cnn1d", ws, split, cfg, seed=1, store=RunStore(tmp_path / "a"))
    assert c.cached and c.metrics == a.metrics
    # the record says which numerics trained it (harlib.core.numerics), outside the key
    assert c.record["numerics"]["mode"] == "pinned" and c.record["numerics"]["torch_mkldnn"] is False
    d = fit("cnn1d", ws, split, cfg, seed=2, store=RunStore(tmp_path / "a"))
    assert d.key != a.key


def test_run_record_and_reload(toy, tmp_path):
    ws, split = toy
    store = RunStore(tmp_path)
    cfg = TrainConfig(max_epochs=2, patience=2, batch_size=16, profile="smoke")
    r = fit("cnn1d", ws, split, cfg, seed=0, store=store, model_kwargs={"width": 8})
    rec = json.loads((store.path(r.key) / "result.json").read_text())
    for field in ("dataset", "protocol", "fold", "profile", "seed", "model_kwargs", "train_config",
                  "test_metrics", "history", "n_windows"):
        assert field in rec
    assert rec["profile"] == "smoke" and rec["model_kwargs"] == {"width": 8}
    assert rec["n_windows"]["test"] == len(split.test)
    # the stored weights and normaliser reproduce the stored predictions
    model, norm = r.load_model(), r.standardizer()
    x = torch.from_numpy(norm.transform(ws.X[r.predictions["test_index"]]))
    with torch.no_grad():
        proba = torch.softmax(model(x), 1).numpy()
    np.testing.assert_allclose(proba, r.predictions["proba"], atol=1e-5)


def test_normaliser_is_fitted_on_training_windows_only(toy, tmp_path):
    ws, split = toy
    ws.X[split.test] += 1000.0                      # test data far off: must not move the fit
    r = fit("cnn1d", ws, split, TrainConfig(max_epochs=1, batch_size=16), store=RunStore(tmp_path))
    np.testing.assert_allclose(r.record["norm_mean"], ws.X[split.train].mean(axis=(0, 2)), rtol=1e-5)
    assert max(abs(m) for m in r.record["norm_mean"]) < 100


def test_interrupted_run_leaves_nothing(toy, tmp_path, monkeypatch):
    ws, split = toy
    store = RunStore(tmp_path)

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr("harlib.training.runs.np.savez_compressed", boom)
    with pytest.raises(KeyboardInterrupt):
        fit("cnn1d", ws, split, TrainConfig(max_epochs=1, batch_size=16), store=store)
    assert list(tmp_path.iterdir()) == []


def test_training_subsample_is_stratified(toy, tmp_path):
    ws, split = toy
    cfg = TrainConfig(max_epochs=1, batch_size=8, max_train_windows=20)
    r = fit("cnn1d", ws, split, cfg, store=RunStore(tmp_path))
    assert 18 <= r.record["n_windows"]["train"] <= 22


def test_engine_learns_a_separable_problem(tmp_path):
    # class 1 windows carry a 2 Hz sine, class 0 windows noise only: a CNN must separate them
    from harlib.data.base import Channel, HARDataset, Recording
    rng = np.random.default_rng(0)
    recs = []
    for s in range(6):
        t = np.arange(1000) / 50
        lab = (np.arange(1000) >= 500).astype(np.int16)
        sig = rng.normal(0, 0.3, (1000, 1)) + (lab * np.sin(2 * np.pi * 2 * t))[:, None]
        recs.append(Recording(s, f"r{s}", sig.astype(np.float32), lab))
    ws = sliding_windows(HARDataset("sine", 50.0, ("rest", "move"), (Channel("c", "p", "acc"),), recs), 50, 25)
    split = make_splits("subject_groups", ws, n_groups=3)[0]
    r = fit("cnn1d", ws, split, TrainConfig(max_epochs=5, batch_size=16), store=RunStore(tmp_path))
    assert r.metrics["accuracy"] > 0.9


def test_run_grid_summary_and_gap(tmp_path):
    from harlib.training.experiment import mean_pm_std, protocol_gap, run_grid, summarize

    ws = sliding_windows(toy_dataset(n_subjects=6), 50, 25)
    cfg = TrainConfig(max_epochs=1, batch_size=16)
    store = RunStore(tmp_path)
    runs = [run_grid(ws, "random_windows", ["cnn1d"], [0, 1], cfg, store=store, log=None),
            run_grid(ws, "subject_groups", ["cnn1d", "random_forest"], [0], cfg, store=store,
                     protocol_kwargs={"n_groups": 3}, max_folds=2, log=None)]
    import pandas as pd
    df = pd.concat(runs, ignore_index=True)
    assert len(df) == 2 + 2 * 2 and set(df.model) == {"cnn1d", "random_forest"}
    assert not df.cached.any()
    s = summarize(df, ["dataset", "model", "protocol", "subject_independent"])
    row = s[(s.model == "cnn1d") & (s.protocol == "random_windows")].iloc[0]
    assert row.f1_macro_count == 2
    assert row.f1_macro_mean == pytest.approx(df[(df.model == "cnn1d") & ~df.subject_independent].f1_macro.mean())
    assert mean_pm_std(s, "f1_macro").str.contains(" ± ").all()
    gap = protocol_gap(s[s.model == "cnn1d"])
    assert gap["gap"].iloc[0] == pytest.approx(gap.iloc[0, 2] - gap.iloc[0, 3])
    with pytest.raises(ValueError, match="both a random and a subject-independent"):
        protocol_gap(s[s.protocol == "subject_groups"])
    again = run_grid(ws, "random_windows", ["cnn1d"], [0, 1], cfg, store=store, log=None)
    assert again.cached.all()
