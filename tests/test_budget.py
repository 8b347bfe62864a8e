"""Budgets by model cost: deterministic windows and epochs from a recorded cost table."""
from __future__ import annotations

import pytest

from harlib.training.budget import allocate, seconds_per_window
from harlib.training.runs import RunStore
from harlib.training.train import TrainConfig, apply_budget, fit

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


def test_keep_windows_first_cuts_epochs_then_windows():
    # 10,000 windows at 1 ms: 10 s per epoch
    a = allocate(10_000, 30, 400.0, 0.001, keep_windows_to_epochs=5)         # 300 s fits
    assert (a["windows"], a["epochs"], a["rule"]) == (10_000, 30, "all windows")
    b = allocate(10_000, 30, 120.0, 0.001, keep_windows_to_epochs=5)         # 12 epochs of all
    assert (b["windows"], b["epochs"], b["rule"]) == (10_000, 12, "all windows, fewer epochs")
    c = allocate(10_000, 30, 20.0, 0.001, keep_windows_to_epochs=5)          # 2 epochs < 5
    assert (c["windows"], c["epochs"], c["rule"]) == (4000, 5, "fewer windows")
    d = allocate(10_000, 30, 1.0, 0.001, keep_windows_to_epochs=5)           # floor of 500
    assert (d["windows"], d["epochs"]) == (500, 5) and d["estimated_seconds"] > 1.0
    e = allocate(300, 30, 0.1, 0.001, keep_windows_to_epochs=5)              # fewer than 500 exist
    assert (e["windows"], e["epochs"]) == (300, 5)
    # the default order (keep epochs, cut windows) is unchanged
    assert allocate(10_000, 30, 120.0, 0.001)["rule"] == "fewer windows"
    with pytest.raises(ValueError, match="keep_windows_to_epochs"):
        allocate(10_000, 30, 120.0, 0.001, keep_windows_to_epochs=31)


def test_config_checks_the_windows_first_budget():
    assert "budget_keep_windows_to_epochs" not in TrainConfig(budget_seconds=10.0).identity()
    cfg = TrainConfig(max_epochs=30, budget_seconds=10.0, budget_keep_windows_to_epochs=5)
    assert cfg.identity()["budget_keep_windows_to_epochs"] == 5
    with pytest.raises(ValueError, match="needs budget_seconds"):
        TrainConfig(budget_keep_windows_to_epochs=5)
    with pytest.raises(ValueError, match=r"\[1, max_epochs\]"):
        TrainConfig(max_epochs=4, budget_seconds=10.0, budget_keep_windows_to_epochs=5)
    with pytest.raises(ValueError, match="budget_seconds must be"):
        TrainConfig(budget_seconds=0.0)


def test_measured_cost_at_the_run_shape_wins_over_scaling():
    costs = {**COSTS, "seconds_per_window_at_shape": {"3x60": {"cnn1d": {"fp32": 0.0008}}}}
    assert seconds_per_window("cnn1d", "fp32", 3, 60, costs) == pytest.approx(0.0008)
    # another precision, shape or model falls back to the scaled reference
    assert seconds_per_window("cnn1d", "bf16", 3, 60, costs) == pytest.approx(0.0005 * 180 / 1152)
    assert seconds_per_window("cnn1d", "fp32", 3, 64, costs) == pytest.approx(0.001 * 192 / 1152)
    assert seconds_per_window("deepconvlstm", "fp32", 3, 60, costs) == pytest.approx(0.01 * 180 / 1152)


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


def test_grid_overrides_come_from_the_profile():
    from harlib.training.profiles import PROFILES
    std = TrainConfig.from_profile(PROFILES["standard"], **PROFILES["standard"].grid_overrides())
    assert std.budget_seconds == PROFILES["standard"].grid_budget["budget_seconds"]
    assert std.max_train_windows is None and std.budget_keep_windows_to_epochs is not None
    # a grid budget of fixed windows and epochs (smoke) wins over grid_train_windows
    smoke = PROFILES["smoke"].grid_overrides()
    assert smoke == {"max_train_windows": 100, "max_epochs": 1, "patience": 1}
    cfg = TrainConfig.from_profile(PROFILES["smoke"], **smoke)
    assert cfg.budget_seconds is None and cfg.max_epochs == 1 and cfg.max_train_windows == 100
    # without a grid budget, the grid trains grid_train_windows windows per run
    from dataclasses import replace
    plain = replace(PROFILES["smoke"], grid_budget=None)
    assert plain.grid_overrides() == {"max_train_windows": plain.grid_train_windows}


def test_a_changed_cost_table_changes_the_run_key(basicmotions_windows, tmp_path):
    """The allocation (windows, epochs) replaces the configuration's fields before the run's
    key is taken, so a re-measured cost table that allocates differently cannot serve a run
    trained under the old allocation."""
    from harlib.training.trainers.base import RunRequest
    from harlib.training.trainers.registry import trainer_for
    ws, split = basicmotions_windows
    cfg = TrainConfig(max_epochs=10, batch_size=16, budget_seconds=0.05)
    cheap = {**COSTS, "seconds_per_window": {**COSTS["seconds_per_window"], "cnn1d": {"fp32": 1e-6}}}
    dear = {**COSTS, "seconds_per_window": {**COSTS["seconds_per_window"], "cnn1d": {"fp32": 1e-3}}}
    keys = []
    for costs in (cheap, dear):
        c, alloc = apply_budget(cfg, "cnn1d", ws, split, costs)
        trainer = trainer_for("cnn1d", c)
        spec = trainer.spec(RunRequest("cnn1d", ws, split, trainer.resolve(c), 0, {}, RunStore(tmp_path)))
        keys.append((alloc["windows"], alloc["epochs"], spec["train"]["max_train_windows"], spec["train"]["max_epochs"]))
    assert keys[0][:2] != keys[1][:2]
    assert keys[0][2:] != keys[1][2:]          # the allocation is in the key's train identity
