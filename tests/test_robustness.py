"""Perturbations for paper C's robustness claims (harlib.evaluation.robustness)."""
from __future__ import annotations

import numpy as np
import pytest

from harlib.evaluation.robustness import missing_samples, missing_sensor, noise, perturbed_scores
from harlib.training.runs import RunStore
from harlib.evaluation.splits import make_splits
from harlib.training.train import TrainConfig, fit
from harlib.data.windows import sliding_windows
from harlib.papers import stdualx

from test_windows_splits import toy_dataset


def test_missing_samples_fill_a_fraction_of_time_steps_with_the_mean():
    rng = np.random.default_rng(0)
    X = rng.normal(5, 1, size=(4, 3, 20)).astype(np.float32)
    mean = np.array([1.0, 2.0, 3.0])
    out = missing_samples(X, 0.25, mean, np.random.default_rng(1))
    filled = np.all(out == mean[None, :, None], axis=1)          # (n, time): every channel lost
    assert (filled.sum(axis=1) == 5).all()                      # 25 % of 20 steps per window
    assert np.array_equal(out[~np.repeat(filled[:, None], 3, 1)], X[~np.repeat(filled[:, None], 3, 1)])
    assert np.array_equal(missing_samples(X, 0.0, mean, rng), X)
    with pytest.raises(ValueError, match="missing fraction"):
        missing_samples(X, 1.0, mean, rng)
    with pytest.raises(ValueError, match="one value per channel"):
        missing_samples(X, 0.1, mean[:2], rng)


def test_missing_sensor_and_noise():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4, 200)).astype(np.float32)
    out = missing_sensor(X, [2, 3], np.zeros(4))
    assert not out[:, 2:].any() and np.array_equal(out[:, :2], X[:, :2])
    with pytest.raises(ValueError, match="non-empty subset"):
        missing_sensor(X, [4], np.zeros(4))
    noisy = noise(X, 10.0, np.random.default_rng(1))
    snr = 10 * np.log10(X.var() / (noisy - X).var())
    assert snr == pytest.approx(10.0, abs=0.3)


def test_perturbed_scores_use_the_runs_standardisation(tmp_path):
    ws = sliding_windows(toy_dataset(), 50, 25)
    ws.X[ws.y == 1] += 2.0
    (split,) = make_splits("holdout_subjects", ws, test_subjects=[108, 109])
    run = fit("cnn1d", ws, split, TrainConfig(max_epochs=2, batch_size=16), store=RunStore(tmp_path))
    idx = run.predictions["test_index"]
    clean = perturbed_scores(run, ws.X[idx], ws.y[idx])
    assert clean["accuracy"] == pytest.approx(run.metrics["accuracy"])
    mean = run.standardizer().mean_
    gone = perturbed_scores(run, ws.X[idx], ws.y[idx], lambda X: missing_sensor(X, [0, 1], mean))
    assert gone["accuracy"] <= 0.75                   # both channels gone: one class for every window


def test_attention_by_class_measures_spread_and_pair_share():
    p = 3
    uniform = np.full((p, p), 1 / 6)
    np.fill_diagonal(uniform, 0)
    focused = np.zeros((p, p))
    focused[0, 2] = 1.0
    attn = np.stack([uniform] * 4 + [focused] * 4)
    y = np.array([0] * 4 + [1] * 4)
    t = stdualx.attention_by_class(attn, y, ["sit", "walk"], ["hand", "chest", "ankle"],
                                    between=(["hand"], ["ankle"]))
    sit, walk = t.iloc[0], t.iloc[1]
    assert sit.entropy == pytest.approx(1.0) and walk.entropy == pytest.approx(0.0, abs=1e-9)
    assert walk["top pair"] == "hand → ankle" and walk["top weight"] == pytest.approx(1.0)
    assert walk["share A↔B"] == pytest.approx(1.0) and sit["share A↔B"] == pytest.approx(2 / 6)
    assert sit["uniform share"] == pytest.approx(2 / 6)
    with pytest.raises(ValueError, match="P >= 2"):
        stdualx.attention_by_class(attn[:, :1, :1], y, ["a", "b"], ["hand"])


def test_attention_groups_average_the_activities_of_each_group():
    import pandas as pd
    t = pd.DataFrame({"class": ["walk", "run", "sit"], "entropy": [0.5, 0.7, 0.9],
                      "arm ↔ leg share": [0.7, 0.5, 0.4], "share std": [0.1, 0.1, 0.05],
                      "uniform share": [0.4, 0.4, 0.4]})
    g = stdualx.attention_groups(t, {"moving": ["walk", "run"], "static": ["sit"]}, "arm ↔ leg share")
    moving = g.set_index("activities").loc["moving"]
    assert moving.n == 2 and moving.entropy == pytest.approx(0.6) and moving["arm ↔ leg share"] == pytest.approx(0.6)
    assert (moving["lowest entropy"], moving["highest entropy"]) == (0.5, 0.7)
    with pytest.raises(KeyError, match=r"\['jump'\] are not in the table"):
        stdualx.attention_groups(t, {"moving": ["jump"]}, "arm ↔ leg share")
    with pytest.raises(ValueError, match="'static' names no activity"):
        stdualx.attention_groups(t, {"moving": ["walk"], "static": []}, "arm ↔ leg share")
    with pytest.raises(KeyError, match="no column 'share A↔B'"):
        stdualx.attention_groups(t, {"moving": ["walk"]})


def test_attention_over_runs_gives_each_activity_an_interval_over_runs():
    import pandas as pd
    from scipy.stats import t as student
    runs = pd.DataFrame({"protocol": ["si"] * 6, "seed": [0, 0, 1, 1, 2, 2], "class": ["walk", "sit"] * 3,
                         "entropy": [0.4, 0.8, 0.5, 0.7, 0.6, 0.9], "arm ↔ leg share": [0.9, 0.3, 0.8, 0.4, 0.7, 0.2],
                         "top pair": ["a → b", "c → d", "a → b", "d → c", "b → a", "c → d"]})
    t = stdualx.attention_over_runs(runs, "arm ↔ leg share").set_index("class")
    walk = t.loc["walk"]
    half = student.ppf(0.975, 2) * 0.1 / np.sqrt(3)                  # sd of 0.4, 0.5, 0.6 is 0.1
    assert walk.runs == 3 and walk.entropy == pytest.approx(0.5)
    assert (walk["entropy 95 % CI low"], walk["entropy 95 % CI high"]) == pytest.approx((0.5 - half, 0.5 + half))
    assert walk["arm ↔ leg share"] == pytest.approx(0.8)
    assert (walk["top pair (most runs)"], walk["runs with that top pair"]) == ("a → b", 2)
    assert t.loc["sit", "top pair (most runs)"] == "c → d" and t.loc["sit", "runs with that top pair"] == 2
    one = stdualx.attention_over_runs(runs[runs.seed == 0], "arm ↔ leg share")
    assert one.runs.tolist() == [1, 1] and one["entropy 95 % CI low"].isna().all()
    with pytest.raises(KeyError, match=r"no column\(s\) \['seed'\]"):
        stdualx.attention_over_runs(runs.drop(columns="seed"), "arm ↔ leg share")
