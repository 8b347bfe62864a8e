"""Budgets by model cost: deterministic windows and epochs from a recorded cost table."""
from __future__ import annotations

import pytest

from harlib.budget import allocate, seconds_per_window
from harlib.runs import RunStore
from harlib.train import TrainConfig, apply_budget, fit

COSTS = {"reference": {"channels": 9, "length": 128},
         "seconds_per_window": {"cnn1d": {"fp32": 0.001, "bf16": 0.0005},
                                "deepconvlstm": {"fp32": 0.01}}}


def test_allocation_rules():
    assert allocate(1000, 10, 100.0, 0.001)["rule"] == "all windows"          # 10 s ≤ 100 s
    a = allocate(10_000, 10, 20.0, 0.001)                                     # 100 s > 20 s
    assert (a["windows"], a["epochs"], a["rule"]) == (2000, 10, "fewer windows")
    b = allocate(10_000, 10, 20.0, 0.01)                                      # 200 windows < 500
    assert (b["windows"], b["epochs"], b["rule"]) == (500, 4, "fewer epochs")
    c = allocate(10_000, 10, 1.0, 0.01)                                       # floor of 3 epochs
    assert (c["windows"], c["epochs"]) == (500, 3) and c["estimated_seconds"] > 1.0
    with pytest.raises(ValueError, match="positive"):
        allocate(0, 10, 1.0, 0.01)


def test_cost_scales_with_input_size_and_names_missing_models():
    assert seconds_per_window("cnn1d", "fp32", 18, 128, COSTS) == pytest.approx(0.002)
    assert seconds_per_window("cnn1d", "bf16", 9, 64, COSTS) == pytest.approx(0.00025)
    with pytest.raises(KeyError, match="no recorded cost for model 'tinyhar'.*cnn1d, deepconvlstm"):
        seconds_per_window("tinyhar", "fp32", 9, 128, COSTS)
    with pytest.raises(KeyError, match="bf16"):
        seconds_per_window("deepconvlstm", "bf16", 9, 128, COSTS)


def test_budget_sets_windows_and_epochs_per_model(basicmotions_windows):
    ws, split = basicmotions_windows
    cfg = TrainConfig(max_epochs=10, budget_seconds=0.01)
    fast, a = apply_budget(cfg, "cnn1d", ws, split, COSTS)
    slow, b = apply_budget(cfg, "deepconvlstm", ws, split, COSTS)
    scale = ws.n_channels * ws.length / (9 * 128)
    assert a["seconds_per_window"] == pytest.approx(0.001 * scale)
    assert fast.max_epochs >= slow.max_epochs
    assert (slow.max_train_windows or len(split.train)) <= (fast.max_train_windows or len(split.train))
    assert fast.identity()["budget_seconds"] == 0.01


def test_budgeted_run_records_its_allocation(basicmotions_windows, tmp_path):
    ws, split = basicmotions_windows
    cfg = TrainConfig(max_epochs=2, patience=2, batch_size=16, budget_seconds=5.0, num_threads=1)
    run = fit("cnn1d", ws, split, cfg, store=RunStore(tmp_path))   # the committed cost table
    assert run.record["budget"]["model"] == "cnn1d"
    assert run.record["budget"]["epochs"] == run.record["train"]["max_epochs"]
