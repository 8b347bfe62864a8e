"""Synthetic-window fidelity (harlib.evaluation.fidelity)."""
from __future__ import annotations

import numpy as np
import pytest

from harlib.evaluation.fidelity import (statistics_gap, tstr_window_set, wasserstein,
                                        window_statistics)
from harlib.training.runs import RunStore
from harlib.evaluation.splits import make_splits
from harlib.training.train import TrainConfig, fit
from harlib.data.windows import sliding_windows

from test_windows_splits import toy_dataset


def _pair(shift):
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 40)
    real = rng.normal(size=(80, 2, 64)) + y[:, None, None] * 3
    syn = rng.normal(size=(80, 2, 64)) + y[:, None, None] * 3 + shift
    return real, y, syn, y.copy()


def test_statistics_and_wasserstein_see_a_shift_in_the_synthetic_windows():
    near, far = _pair(0.0), _pair(1.0)
    g_near, g_far = statistics_gap(*near, ["a", "b"]), statistics_gap(*far, ["a", "b"])
    assert (g_far["|Δ mean|"] > 0.9).all() and (g_near["|Δ mean|"] < 0.1).all()
    w_near, w_far = wasserstein(*near, ["a", "b"]), wasserstein(*far, ["a", "b"])
    assert (w_far["real vs synthetic"] > 3 * w_near["real vs synthetic"]).all()
    assert (w_near["real vs real (floor)"] > 0).all()
    assert window_statistics(near[0]).shape == (80, 2, 3)
    with pytest.raises(ValueError, match="share no class"):
        statistics_gap(near[0], near[1], near[2], near[3] + 5, ["a", "b"])


def test_tstr_trains_on_synthetic_and_tests_on_the_real_test_windows(tmp_path):
    ws = sliding_windows(toy_dataset(), 50, 25)
    (split,) = make_splits("holdout_subjects", ws, test_subjects=[108, 109])
    syn, y_syn = ws.X[split.train][:60] + 0.01, ws.y[split.train][:60]
    tws, tsplit = tstr_window_set(ws, split, syn, y_syn)
    assert len(tsplit.train) == 60 and np.array_equal(tws.X[tsplit.test], ws.X[split.test])
    assert (tws.subject[tsplit.train] == -1).all()
    run = fit("cnn1d", tws, tsplit, TrainConfig(max_epochs=1, batch_size=16), store=RunStore(tmp_path))
    assert run.record["n_windows"]["test"] == len(split.test) and run.record["test_overlap_with_train"] == 0
    with pytest.raises(ValueError, match="synthetic windows must be"):
        tstr_window_set(ws, split, syn[:, :1], y_syn)
