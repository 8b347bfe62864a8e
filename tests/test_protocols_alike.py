"""The two compared protocols run alike: repeated random splits, and epochs drawn from every
training window instead of a window cap (harlib.papers.protocols, the random sampler's
epoch_windows, random_windows(repeats=))."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from harlib.data.windows import sliding_windows
from harlib.evaluation.splits import make_splits, overlap_with_training
from harlib.papers import protocols
from harlib.training.experiment import run_grid
from harlib.training.profiles import get_profile
from harlib.training.runs import RunStore
from harlib.training.samplers import create_sampler
from harlib.training.train import TrainConfig

from test_windows_splits import toy_dataset


def test_repeated_random_splits_are_independent_folds_and_keep_the_first():
    ws = sliding_windows(toy_dataset(), 50, 25)
    one = make_splits("random_windows", ws, seed=0)
    three = make_splits("random_windows", ws, seed=0, repeats=3)
    assert [s.fold for s in three] == [0, 1, 2]
    np.testing.assert_array_equal(one[0].test, three[0].test)       # fold 0 is the single split
    assert not np.array_equal(three[0].test, three[1].test)
    for s in three:
        assert len(np.intersect1d(s.train, s.test)) == 0 and len(np.intersect1d(s.val, s.test)) == 0
        assert overlap_with_training(ws, s) > 0.5
    with pytest.raises(ValueError, match="repeats must be an integer >= 1, got 0"):
        make_splits("random_windows", ws, repeats=0)
    with pytest.raises(ValueError, match="test_fraction=1.2"):
        make_splits("random_windows", ws, test_fraction=1.2)


def test_epoch_windows_draw_each_epoch_afresh_from_every_window():
    y = np.arange(500) % 5
    full = create_sampler("random", y, y, 32, seed=0)
    assert sum(len(b) for b, _ in full.epoch()) == 500
    part = create_sampler("random", y, y, 32, seed=0, epoch_windows=100)
    epochs = [np.concatenate([b.numpy() for b, _ in part.epoch()]) for _ in range(20)]
    assert all(len(e) == len(set(e.tolist())) == 100 for e in epochs)   # 100 distinct windows an epoch
    assert not np.array_equal(np.sort(epochs[0]), np.sort(epochs[1]))   # a new draw each epoch
    assert len(set(np.concatenate(epochs).tolist())) > 450              # over the epochs, nearly all
    again = create_sampler("random", y, y, 32, seed=0, epoch_windows=100)
    np.testing.assert_array_equal(np.concatenate([b.numpy() for b, _ in again.epoch()]), epochs[0])
    assert sum(len(b) for b, _ in create_sampler("random", y, y, 32, 0, epoch_windows=900).epoch()) == 500


@pytest.mark.parametrize("value", [1, 10.0, True])
def test_epoch_windows_refuses_bad_values(value):
    with pytest.raises(ValueError, match=f"epoch_windows must be None or an integer >= 2, got {value!r}"):
        create_sampler("random", np.zeros(10), np.zeros(10), 4, 0, epoch_windows=value)


def test_compared_protocols_run_the_same_folds():
    ws = sliding_windows(toy_dataset(), 50, 25)
    subjects = len(set(ws.subject.tolist()))
    standard = protocols.compared(get_profile("standard"), ws)
    assert standard["random_windows"]["max_folds"] == standard["subject_groups"]["max_folds"] == 3
    assert standard["random_windows"]["protocol_kwargs"]["repeats"] == 3
    paper = protocols.compared(get_profile("paper"), ws)          # every subject group
    assert paper["subject_groups"]["protocol_kwargs"]["n_groups"] == min(10, subjects)
    assert paper["random_windows"]["protocol_kwargs"]["repeats"] == min(10, subjects)
    with pytest.raises(ValueError, match="n_groups must be an integer >= 2"):
        protocols.compared(get_profile("standard"), ws, n_groups=1)


def test_paper_a_runs_its_three_pooled_groups_beside_as_many_random_splits():
    from harlib.papers import memae
    ws = sliding_windows(toy_dataset(), 50, 25)
    for name in ("standard", "paper"):
        got = memae.compared(get_profile(name), ws)
        groups = got["subject_groups"]["protocol_kwargs"]["n_groups"]
        assert groups == min(3, len(set(ws.subject.tolist())))           # A's three groups, not ten
        assert got["random_windows"]["protocol_kwargs"] == {"test_fraction": 0.3,
                                                            "repeats": got["subject_groups"]["max_folds"]}
        assert got["random_windows"]["max_folds"] == got["subject_groups"]["max_folds"] <= groups
    one = ws.subset(np.flatnonzero(ws.subject == ws.subject[0]))
    with pytest.raises(ValueError, match="subject groups need at least 3"):
        memae.compared(get_profile("standard"), one)


def test_alike_draws_the_former_cap_per_epoch_from_every_window():
    standard, paper = get_profile("standard"), get_profile("paper")
    c = protocols.alike(TrainConfig.from_profile(standard, max_train_windows=1000), standard)
    assert c.max_train_windows is None and c.sampler_kwargs == {"epoch_windows": standard.grid_train_windows}
    assert c.identity()["sampler_kwargs"] == {"epoch_windows": standard.grid_train_windows}   # in the key
    p = protocols.alike(TrainConfig.from_profile(paper), paper)
    assert p.sampler_kwargs == {} and p.max_train_windows is None
    with pytest.raises(ValueError, match="budget_seconds"):
        protocols.alike(TrainConfig(budget_seconds=10.0), standard)
    with pytest.raises(ValueError, match="'triplet' sampler"):
        protocols.alike(TrainConfig(sampler="triplet"), standard)


def test_both_protocols_keep_every_window_and_the_same_epoch_budget(basicmotions_windows, tmp_path):
    ws, _ = basicmotions_windows
    smoke = get_profile("smoke")
    config = protocols.alike(TrainConfig(max_epochs=2, patience=2, batch_size=16), smoke)
    store = RunStore(tmp_path)
    rows = []
    for protocol, how in protocols.compared(smoke, ws, n_groups=4).items():
        runs = run_grid(ws, protocol, ["cnn1d"], [0], config, store=store, log=None, **how)
        split = make_splits(protocol, ws, **how["protocol_kwargs"])[0]
        assert int(runs.n_train.iloc[0]) == len(split.train) > smoke.grid_train_windows   # no cap
        record = store.load_result(runs.run_key.iloc[0])
        assert record["train"]["sampler_kwargs"] == {"epoch_windows": smoke.grid_train_windows}
        rows.append(runs)
    random, groups = rows
    assert random.test_overlap.iloc[0] > 0.3 and groups.test_overlap.iloc[0] == 0.0


def test_run_compared_runs_both_protocols_as_run_grid_does_and_labels_them(basicmotions_windows, tmp_path):
    ws, _ = basicmotions_windows
    smoke = get_profile("smoke")
    config = protocols.alike(TrainConfig(max_epochs=1, patience=1, batch_size=16), smoke)
    store = RunStore(tmp_path)
    folds = protocols.compared(smoke, ws, n_groups=4)
    got = protocols.run_compared(smoke, ws, ["cnn1d"], config, folds=folds, store=store, log=None,
                                 setting="all", share=1.0)
    assert got.protocol.tolist()[0] == "random_windows" and set(got.protocol) == {"random_windows", "subject_groups"}
    assert (got.setting == "all").all() and (got.share == 1.0).all()
    alone = pd.concat([run_grid(ws, p, ["cnn1d"], smoke.grid_seeds, config, store=store, log=None, **how)
                       for p, how in folds.items()], ignore_index=True)
    assert got.run_key.tolist() == alone.run_key.tolist() and alone.cached.all()     # the same runs, found again
    np.testing.assert_array_equal(got.accuracy, alone.accuracy)
    only = protocols.run_compared(smoke, ws, ["cnn1d"], config, folds={"subject_groups": folds["subject_groups"]},
                                  store=store, log=None)
    assert set(only.protocol) == {"subject_groups"} and only.cached.all()


@pytest.mark.parametrize("folds, labels, match", [
    ({}, {}, "folds must be a non-empty dict"),
    ({"holdout_subjects": {}}, {}, r"other than 'random_windows' and 'subject_groups': \['holdout_subjects'\]"),
    (None, {"model": "x", "fold": 1}, r"the labels \['fold', 'model'\] would overwrite"),
])
def test_run_compared_refuses_bad_folds_and_labels(folds, labels, match):
    ws = sliding_windows(toy_dataset(), 50, 25)
    with pytest.raises(ValueError, match=match):
        protocols.run_compared(get_profile("smoke"), ws, ["cnn1d"], TrainConfig(), folds=folds, log=None, **labels)
