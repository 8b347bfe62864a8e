"""TrainConfig and run_grid refuse impossible settings with messages that say what is wrong."""
from __future__ import annotations

import pytest

from harlib.training.experiment import run_grid
from harlib.training.runs import RunStore
from harlib.training.train import TrainConfig


@pytest.mark.parametrize("kwargs,match", [
    ({"batch_size": 1}, "batch_size must be an integer >= 2"),
    ({"max_epochs": 0}, "max_epochs must be an integer >= 1"),
    ({"patience": 0}, "patience must be an integer >= 1"),
    ({"lr": 0.0}, "lr must be > 0"),
    ({"weight_decay": -1.0}, "weight_decay must be >= 0"),
    ({"max_train_windows": 1}, "max_train_windows must be None or an integer >= 2"),
    ({"precision": "fp16"}, "precision must be one of"),
    ({"device": "tpu"}, "device must be"),
    ({"pretrain_epochs": -1}, "pretrain_epochs"),
    ({"lr": float("inf")}, r"lr must be > 0 and <= 1 \(a number in \(0, 1\]\), got inf"),
    ({"lr": float("nan")}, r"lr must be > 0 and <= 1 .*got nan"),
    ({"lr": 1e6}, r"lr must be > 0 and <= 1 .*got 1000000.0"),
    ({"lr": "0.001"}, r"lr must be > 0 and <= 1 .*got '0.001'"),
    ({"max_epochs": True}, "max_epochs must be an integer >= 1, got True"),
    ({"patience": False}, "patience must be an integer >= 1, got False"),
    ({"max_train_windows": True}, "max_train_windows must be None or an integer >= 2, got True"),
    ({"batch_size": 10 ** 9}, "batch_size must be an integer >= 2 .* and <= 65536, got 1000000000"),
    ({"batch_size": 1e9}, "batch_size must be an integer >= 2 .* and <= 65536, got 1000000000.0"),
    ({"budget_seconds": float("inf")}, "budget_seconds must be None or a finite number > 0, got inf"),
    ({"budget_seconds": "60"}, "budget_seconds must be None or a finite number > 0, got '60'"),
    ({"weight_decay": float("nan")}, "weight_decay must be >= 0 .*got nan"),
    ({"checkpoint": "first"}, r"checkpoint must be one of \('best', 'last'\), got 'first'"),
    ({"train_share": 0}, r"train_share must be a number in \(0, 1\], got 0"),
    ({"train_share": 1.5}, r"train_share must be a number in \(0, 1\], got 1.5"),
    ({"train_share": True}, r"train_share must be a number in \(0, 1\], got True"),
    ({"train_share": 0.5, "budget_seconds": 60.0}, "train_share < 1 with budget_seconds"),
])
def test_impossible_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**kwargs)


@pytest.mark.parametrize("kwargs,match", [
    ({"loss": "cross_entropyy"}, r"unknown loss 'cross_entropyy'.*Did you mean 'cross_entropy'.*Known:"),
    ({"trainer": "superviesd"}, r"unknown trainer .*Known: .*pretrain_finetune.*supervised.*unsupervised"),
    ({"optimizer": "adamx"}, r"unknown optimiser 'adamx'.*Known: adam, adamw, sgd"),
    ({"sampler": "triplets"}, r"unknown batch sampler 'triplets'.*Did you mean 'triplet'"),
    ({"monitor": "val_f1"}, r"unknown monitor 'val_f1'.*val_f1_macro"),
    ({"augment": "diffusionn"}, r"unknown augmenter"),
])
def test_unknown_names_list_the_known_ones(kwargs, match):
    with pytest.raises(KeyError, match=match):
        TrainConfig(**kwargs)


def test_identity_keeps_the_first_release_keys():
    ident = TrainConfig(loss="cross_entropy").identity()
    assert set(ident) == {"max_epochs", "patience", "batch_size", "lr", "weight_decay",
                          "class_weighted", "loss", "loss_kwargs", "max_train_windows",
                          "max_val_windows", "max_test_windows"}
    assert TrainConfig(sampler="triplet").identity()["sampler"] == "triplet"
    assert TrainConfig(checkpoint="last").identity()["checkpoint"] == "last"   # a new key
    assert TrainConfig(train_share=0.5).identity()["train_share"] == 0.5         # a new key
    assert "train_share" not in TrainConfig(train_share=1).identity()


@pytest.mark.parametrize("model", ["cnn1d", "random_forest", "kmeans_raw"])
def test_train_share_keeps_a_stratified_share_of_the_training_windows(basicmotions_windows, tmp_path, model):
    """A run with ``train_share=0.5`` trains on half of its fold's training windows, every
    class kept in proportion, under its own key; the default keeps the key it had before."""
    import numpy as np
    from harlib.evaluation.splits import make_splits
    from harlib.training.engine import training_pool
    ws, _ = basicmotions_windows
    split = make_splits("subject_groups", ws, n_groups=4)[0]
    pool = training_pool(split, ws.y, 0.5, 0)
    assert abs(len(pool) - len(split.train) / 2) <= ws.n_classes and set(pool) <= set(split.train)
    full = np.bincount(ws.y[split.train], minlength=ws.n_classes)
    assert np.abs(np.bincount(ws.y[pool], minlength=ws.n_classes) - full / 2).max() <= 1   # per class, rounded
    assert np.array_equal(training_pool(split, ws.y, 1.0, 0), split.train)
    assert not np.array_equal(pool, training_pool(split, ws.y, 0.5, 1))       # seeded by the run
    store, cfg = RunStore(tmp_path), dict(max_epochs=1, batch_size=16, max_test_windows=20)
    runs = {share: run_grid(ws, "subject_groups", [model], [0], TrainConfig(train_share=share, **cfg),
                            protocol_kwargs={"n_groups": 4}, max_folds=1, store=store, log=None)
            for share in (1.0, 0.5)}
    assert runs[0.5].n_train.iloc[0] == len(pool) and runs[1.0].n_train.iloc[0] == len(split.train)
    assert runs[0.5].run_key.iloc[0] != runs[1.0].run_key.iloc[0]


def test_checkpoint_last_switches_early_stopping_off():
    assert TrainConfig(patience=2).early_stopping_patience == 2
    assert TrainConfig(patience=2, checkpoint="last").early_stopping_patience is None


def test_run_grid_checks_every_name_before_training(basicmotions_windows, tmp_path):
    ws, _ = basicmotions_windows
    store = RunStore(tmp_path)
    with pytest.raises(KeyError, match="unknown model 'cnn1dd'"):
        run_grid(ws, "subject_groups", ["cnn1d", "cnn1dd"], [0], TrainConfig(max_epochs=1),
                 protocol_kwargs={"n_groups": 4}, store=store, log=None)
    with pytest.raises(KeyError, match="random_forest"):     # classical names are listed too
        run_grid(ws, "subject_groups", ["random_forestt"], [0], TrainConfig(max_epochs=1),
                 protocol_kwargs={"n_groups": 4}, store=store, log=None)
    with pytest.raises(ValueError, match="classical model"):
        run_grid(ws, "subject_groups", ["random_forest"], [0],
                 TrainConfig(max_epochs=1, trainer="unsupervised"),
                 protocol_kwargs={"n_groups": 4}, store=store, log=None)
    assert not any(store.root.iterdir()), "nothing was trained"


def test_run_grid_takes_seeds_and_folds_from_a_profile(basicmotions_windows, tmp_path):
    from harlib.training.profiles import get_profile
    ws, _ = basicmotions_windows
    smoke = get_profile("smoke")
    runs = run_grid(ws, "subject_groups", ["random_forest"], None, TrainConfig.from_profile(smoke),
                    protocol_kwargs={"n_groups": 4}, store=RunStore(tmp_path), log=None, profile=smoke)
    assert sorted(runs.seed.unique()) == list(smoke.seeds) and runs.fold.nunique() == smoke.max_folds
    with pytest.raises(ValueError, match="needs seeds"):
        run_grid(ws, "subject_groups", ["random_forest"], None, TrainConfig(), log=None)


def test_random_forest_uses_the_configured_threads():
    from harlib.models.classical import make_classifier
    assert make_classifier("random_forest", n_jobs=1).n_jobs == 1
    assert make_classifier("random_forest").n_jobs == -1


def test_stored_only_trains_nothing(basicmotions_windows, tmp_path):
    ws, _ = basicmotions_windows
    store = RunStore(tmp_path)
    cfg = TrainConfig(max_epochs=1, batch_size=16)
    empty = run_grid(ws, "subject_groups", ["random_forest"], [0], cfg,
                     protocol_kwargs={"n_groups": 4}, max_folds=1, store=store, log=None,
                     stored_only=True)
    assert empty.empty and not any(store.root.iterdir())
    run_grid(ws, "subject_groups", ["random_forest"], [0], cfg, protocol_kwargs={"n_groups": 4},
             max_folds=1, store=store, log=None)
    again = run_grid(ws, "subject_groups", ["random_forest"], [0], cfg,
                     protocol_kwargs={"n_groups": 4}, max_folds=1, store=store, log=None,
                     stored_only=True)
    assert len(again) == 1 and again.cached.all()


def test_model_kwargs_win_over_the_configuration(basicmotions_windows, tmp_path):
    """A classical model's ``n_jobs`` given as a model keyword argument wins over the
    configuration's threads (before, the run failed after the grid's other runs trained)."""
    ws, _ = basicmotions_windows
    runs = run_grid(ws, "subject_groups", {"random_forest": {"n_jobs": 1}}, [0], TrainConfig(),
                    protocol_kwargs={"n_groups": 4}, max_folds=1, store=RunStore(tmp_path), log=None)
    assert len(runs) == 1 and runs.f1_macro.notna().all()


def test_recipe_overrides_win_over_the_profile():
    from harlib.training.profiles import get_profile
    from harlib.papers.recipes import recipe
    smoke = get_profile("smoke")
    assert recipe("stdualx", smoke, budget_seconds=120).budget_seconds == 120
    assert recipe("stdualx", smoke, lr=5e-4, max_epochs=3).lr == 5e-4
    assert recipe("stdualx", smoke).budget_seconds == smoke.budget_seconds


def test_the_cpu_profiles_train_on_one_thread():
    """The thread count moves fp32 sums, so the CPU profiles pin it (it enters no run key)."""
    from harlib.training.profiles import PROFILES
    for name in ("smoke", "standard"):
        cfg = TrainConfig.from_profile(PROFILES[name])
        assert cfg.num_threads == 1 and "num_threads" not in cfg.identity()


def test_the_smoke_profile_trains_in_fp64_and_the_others_in_fp32():
    """The smoke profile's numbers are compared to 1e-6 on any CPU, so its runs are fp64
    (README, "Reproducibility across machines"); the standard and paper profiles stay fp32,
    whose run keys do not name the precision (their stored runs stay valid)."""
    from harlib.training.profiles import PROFILES
    assert TrainConfig.from_profile(PROFILES["smoke"]).precision == "fp64"
    assert TrainConfig.from_profile(PROFILES["smoke"]).identity()["precision"] == "fp64"
    for name in ("standard", "paper"):
        cfg = TrainConfig.from_profile(PROFILES[name])
        assert cfg.precision == "fp32" and "precision" not in cfg.identity()
    # an override wins over the profile's precision
    assert TrainConfig.from_profile(PROFILES["smoke"], precision="fp32").precision == "fp32"
