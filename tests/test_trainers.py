"""The training engine's trainers and hooks, each trained through the public API on small
real data (BasicMotions), stored, and reloaded by key."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from harlib.training.losses import LOSSES
from harlib.models import MODELS, create_model, register_model
from harlib.models.cnn import SmallCNN
from harlib.training.runs import RunStore
from harlib.training.train import TrainConfig, fit

torch.set_num_threads(1)
FAST = dict(max_epochs=3, patience=3, batch_size=16, num_threads=1)


@pytest.fixture
def registered():
    """Register test-only models and losses for one test, then remove them."""
    names = []

    def add(registry, name, obj):
        registry.register(name)(obj)
        names.append((registry, name))
        return obj
    yield add
    for registry, name in names:
        registry.unregister(name)


class SaliencyCNN(SmallCNN):
    """cnn1d plus an extra output: a per-channel gate the loss regularises."""

    def __init__(self, in_channels, n_classes, window_length, **kw):
        super().__init__(in_channels, n_classes, window_length, **kw)
        self.gate = torch.nn.Parameter(torch.zeros(in_channels))

    def forward_outputs(self, x):
        gate = torch.sigmoid(self.gate)
        z = self.forward_features(x * gate[None, :, None])
        return {"embedding": z, "logits": self.forward_head(z), "gate": gate}


class GateSparsity(torch.nn.Module):
    def __init__(self, class_weights=None, strength=1.0):
        super().__init__()
        self.strength = strength

    def forward(self, outputs, batch):
        return F.cross_entropy(outputs["logits"], batch["y"]) + self.strength * outputs["gate"].mean()


def test_model_extra_output_read_by_loss(basicmotions_windows, registered, tmp_path):
    ws, split = basicmotions_windows
    registered(MODELS, "test_saliency_cnn", SaliencyCNN)
    registered(LOSSES, "test_gate_sparsity", GateSparsity)
    store = RunStore(tmp_path)
    cfg = TrainConfig(**FAST, loss="test_gate_sparsity", loss_kwargs={"strength": 5.0})
    run = fit("test_saliency_cnn", ws, split, cfg, store=store)
    gate = torch.sigmoid(run.load_model().gate)
    assert (gate < 0.5).all(), "the loss read the extra output and pushed the gates down"
    again = fit("test_saliency_cnn", ws, split, cfg, store=store)
    assert again.cached and again.key == run.key and again.metrics == run.metrics
    with pytest.raises(KeyError, match="gate"):          # a model without the output
        fit("cnn1d", ws, split, cfg, store=store)


def test_adaptive_loss_epoch_callback_state_is_saved(basicmotions_windows, tmp_path):
    ws, split = basicmotions_windows
    store = RunStore(tmp_path)
    cfg = TrainConfig(**{**FAST, "max_epochs": 4, "patience": 4}, loss="adaptive_composite",
                      loss_kwargs={"step": 0.05})
    run = fit("cnn1d", ws, split, cfg, store=store)
    weights = [row["loss_weights"] for row in run.record["history"]]
    assert weights[0] == pytest.approx([0.33, 0.33, 0.34], abs=1e-9)   # epoch 1: nothing to compare
    assert any(w != weights[0] for w in weights[1:]), "the feedback rule moved the weights"
    assert all(sum(w) == pytest.approx(1.0) for w in weights)
    state = run.load_state("loss")
    np.testing.assert_allclose(state["weights"].numpy(), weights[-1], atol=1e-6)
    assert float(state["previous"]) == pytest.approx(run.record["history"][-1]["val_accuracy"])
    again = fit("cnn1d", ws, split, cfg, store=store)
    assert again.cached
    torch.testing.assert_close(again.load_state("loss")["weights"], state["weights"])


def test_adaptive_loss_feedback_rule():
    loss = LOSSES.get("adaptive_composite")(weights=(0.2, 0.3, 0.5), step=0.05)
    loss.on_epoch_end({"val_accuracy": 0.5})               # first epoch: remembered only
    np.testing.assert_allclose(loss.weights.numpy(), [0.2, 0.3, 0.5])
    loss.on_epoch_end({"val_accuracy": 0.6})               # better: largest down, smallest up
    np.testing.assert_allclose(loss.weights.numpy(), [0.25, 0.3, 0.45])
    loss.on_epoch_end({"val_accuracy": 0.4})               # worse: the reverse
    np.testing.assert_allclose(loss.weights.numpy(), [0.2, 0.3, 0.5])
    with pytest.raises(KeyError, match="val_accuracy"):
        loss.on_epoch_end({"train_loss": 1.0})


def test_triplet_sampled_training(basicmotions_windows, tmp_path):
    ws, split = basicmotions_windows
    store = RunStore(tmp_path)
    cfg = TrainConfig(**FAST, sampler="triplet", loss="ce_triplet", loss_kwargs={"weight": 0.5})
    run = fit("cnn1d", ws, split, cfg, store=store)
    assert run.record["train"]["sampler"] == "triplet"
    assert run.metrics["accuracy"] > 1 / ws.n_classes
    plain = fit("cnn1d", ws, split, TrainConfig(**FAST), store=store)
    assert plain.key != run.key
    assert fit("cnn1d", ws, split, cfg, store=store).cached


def test_pretrain_then_finetune_is_one_run(basicmotions_windows, tmp_path):
    ws, split = basicmotions_windows
    store = RunStore(tmp_path)
    cfg = TrainConfig(**FAST, trainer="pretrain_finetune", augment="jitter_scale",
                      augment_kwargs={"amount": 1.0, "sigma": 0.1}, pretrain_epochs=2)
    run = fit("cnn1d", ws, split, cfg, store=store)
    stages = [row["stage"] for row in run.record["history"]]
    assert stages[:2] == ["pretrain", "pretrain"] and set(stages[2:]) == {"finetune"}
    assert run.record["pretrain_epochs_run"] == 2
    aug_key = run.record["augmentation"]["run_key"]
    assert store.has(aug_key) and store.load_result(aug_key)["kind"] == "augmentation"
    # the synthetic windows were made from this fold's training windows only
    assert store.load_result(aug_key)["n_real"] == run.record["n_windows"]["train"]
    assert fit("cnn1d", ws, split, cfg, store=store).cached
    # a run table counts the augmentation stage's seconds beside the classifier's
    from harlib.training.experiment import augmentation_cost
    cost = augmentation_cost(aug_key, store)
    assert cost == {"augment_run_key": aug_key, "augment_seconds": store.load_result(aug_key)["seconds"]}
    assert cost["augment_seconds"] > 0
    assert augmentation_cost("0" * 16, store)["augment_seconds"] != augmentation_cost("0" * 16, store)["augment_seconds"]  # NaN
    other = TrainConfig(**FAST, trainer="pretrain_finetune", augment="jitter_scale",
                        augment_kwargs={"amount": 1.0, "sigma": 0.2}, pretrain_epochs=2)
    assert fit("cnn1d", ws, split, other, store=store).key != run.key


def test_the_augmenter_can_fit_on_a_sample_of_the_training_windows(basicmotions_windows, tmp_path):
    ws, split = basicmotions_windows
    store = RunStore(tmp_path)
    n = len(split.train) // 2
    cfg = TrainConfig(**FAST, trainer="pretrain_finetune", augment="jitter_scale",
                      augment_kwargs={"amount": 1.0, "sigma": 0.1, "fit_windows": n}, pretrain_epochs=1)
    run = fit("cnn1d", ws, split, cfg, store=store)
    aug = store.load_result(run.record["augmentation"]["run_key"])
    # a class-stratified sample: n up to each class's rounding
    assert abs(aug["n_real"] - n) <= ws.n_classes and aug["n_synthetic"] == aug["n_real"]
    assert aug["n_real"] < run.record["n_windows"]["train"]
    every = TrainConfig(**FAST, trainer="pretrain_finetune", augment="jitter_scale",
                        augment_kwargs={"amount": 1.0, "sigma": 0.1}, pretrain_epochs=1)
    whole = fit("cnn1d", ws, split, every, store=store)     # the sample is in the key through its windows
    assert whole.record["augmentation"]["run_key"] != run.record["augmentation"]["run_key"] != whole.key != run.key
    for bad in (0, 2.5, True):
        wrong = TrainConfig(**FAST, trainer="pretrain_finetune", augment="jitter_scale",
                            augment_kwargs={"amount": 1.0, "fit_windows": bad}, pretrain_epochs=1)
        with pytest.raises(ValueError, match=r"augment_kwargs\['fit_windows'\] must be a positive integer"):
            fit("cnn1d", ws, split, wrong, store=store)


def test_unsupervised_run_uses_no_labels_and_is_scored_by_clustering(basicmotions_windows, tmp_path):
    ws, split = basicmotions_windows
    cfg = TrainConfig(**FAST, trainer="unsupervised", trainer_kwargs={"clusterer": "kmeans"})
    run = fit("lstm_autoencoder", ws, split, cfg, store=RunStore(tmp_path / "a"), model_kwargs={"hidden": 16})
    m = run.metrics
    assert {"cluster_accuracy", "nmi", "ari", "accuracy", "f1_macro"} <= set(m)
    assert m["cluster_accuracy"] == pytest.approx(m["accuracy"])
    assert run.record["monitor"] == "val_reconstruction"
    assert "val_reconstruction" in run.record["history"][0]
    # shuffling the training labels changes nothing: training never reads them
    shuffled = ws.subset(np.arange(len(ws)))
    shuffled.y = shuffled.y.copy()
    shuffled.y[split.train] = np.random.default_rng(0).permutation(shuffled.y[split.train])
    again = fit("lstm_autoencoder", shuffled, split, cfg, store=RunStore(tmp_path / "b"),
                model_kwargs={"hidden": 16})
    np.testing.assert_array_equal(again.predictions["embedding"], run.predictions["embedding"])
    with pytest.raises(ValueError, match="needs them"):
        fit("lstm_autoencoder", ws, split, TrainConfig(**FAST, trainer="unsupervised",
                                                        loss="cross_entropy"))
    with pytest.raises(ValueError, match="pretraining_stages"):
        fit("lstm_autoencoder", ws, split, TrainConfig(**FAST, trainer="unsupervised",
                                                        pretrain_epochs=1), store=RunStore(tmp_path / "c"))


def test_channel_groups_reach_models_that_need_them(basicmotions_windows, registered, tmp_path):
    ws, split = basicmotions_windows

    class PerSensor(SmallCNN):
        needs_channel_groups = True

        def __init__(self, in_channels, n_classes, window_length, channel_groups):
            super().__init__(in_channels, n_classes, window_length)
            self.groups = channel_groups

    registered(MODELS, "test_per_sensor", PerSensor)
    with pytest.raises(ValueError, match="needs channel_groups"):
        create_model("test_per_sensor", ws.n_channels, ws.n_classes, ws.length)
    with pytest.raises(ValueError, match="exactly once"):
        create_model("test_per_sensor", 6, 4, 50, channel_groups={"placement": {"a": [0, 1]}})
    run = fit("test_per_sensor", ws, split, TrainConfig(**{**FAST, "max_epochs": 1}),
              store=RunStore(tmp_path))
    assert run.record["channel_groups"]["modality"] == {"acc": [0, 1, 2], "gyro": [3, 4, 5]}
    assert run.load_model().groups == run.record["channel_groups"]


def test_learnable_loss_weights_are_not_weight_decayed():
    from harlib.training.engine import parameter_groups
    model = create_model("cnn1d", 6, 4, 50)
    loss = LOSSES.get("ce_triplet")(learn_weights=True)
    groups = parameter_groups(model, loss, weight_decay=0.1)
    assert groups[0]["weight_decay"] == 0.1 and groups[1]["weight_decay"] == 0.0
    assert any(p is loss.log_vars for p in groups[1]["params"])
    assert sum(len(g["params"]) for g in groups) == len(list(model.parameters())) + 1


def test_bf16_runs_are_repeatable_and_keyed_apart(basicmotions_windows, tmp_path):
    ws, split = basicmotions_windows
    cfg = TrainConfig(**{**FAST, "max_epochs": 2}, precision="bf16")
    a = fit("cnn1d", ws, split, cfg, store=RunStore(tmp_path / "a"))
    b = fit("cnn1d", ws, split, cfg, store=RunStore(tmp_path / "b"))
    np.testing.assert_array_equal(a.predictions["proba"], b.predictions["proba"])
    fp32 = fit("cnn1d", ws, split, TrainConfig(**{**FAST, "max_epochs": 2}), store=RunStore(tmp_path / "a"))
    assert fp32.key != a.key and a.record["train"]["precision"] == "bf16"
    assert "precision" not in fp32.record["train"]       # default fields keep old keys


class DtypeSpy(SmallCNN):
    """cnn1d that notes the dtype of its inputs and parameters at each forward pass."""
    seen: list = []

    def forward_outputs(self, x):
        DtypeSpy.seen.append((x.dtype, next(self.parameters()).dtype, torch.get_default_dtype()))
        return super().forward_outputs(x)


def test_fp64_runs_train_in_float64_and_restore_the_default_dtype(basicmotions_windows, registered,
                                                                  tmp_path):
    """precision="fp64" (the smoke profile's): inputs, parameters and the losses are float64
    for the run, torch's default dtype is float32 again after it, the run is keyed apart
    from fp32, and its stored outputs are float32 like every run's."""
    ws, split = basicmotions_windows
    registered(MODELS, "dtype_spy", DtypeSpy)
    DtypeSpy.seen = []
    cfg = TrainConfig(**{**FAST, "max_epochs": 2}, precision="fp64", loss="ce_triplet",
                      sampler="triplet", loss_kwargs={"weight": 0.5})
    run = fit("dtype_spy", ws, split, cfg, store=RunStore(tmp_path))
    assert DtypeSpy.seen and set(DtypeSpy.seen) == {(torch.float64, torch.float64, torch.float64)}
    assert torch.get_default_dtype() == torch.float32
    assert run.record["train"]["precision"] == "fp64"
    assert run.predictions["proba"].dtype == np.float32 and np.isfinite(run.predictions["proba"]).all()
    DtypeSpy.seen = []
    fp32 = fit("dtype_spy", ws, split, TrainConfig(**{**FAST, "max_epochs": 2}, loss="ce_triplet",
                                                   sampler="triplet", loss_kwargs={"weight": 0.5}),
               store=RunStore(tmp_path))
    assert fp32.key != run.key and {s[0] for s in DtypeSpy.seen} == {torch.float32}


def test_fp64_covers_the_unsupervised_and_diffusion_paths(basicmotions_windows, tmp_path):
    """paper A's model (clustered embeddings) and paper B's diffusion augmenter run in fp64."""
    ws, split = basicmotions_windows
    cfg = TrainConfig(**FAST, precision="fp64", trainer="unsupervised",
                      trainer_kwargs={"clusterer": "kmeans"})
    run = fit("memae_lstm", ws, split, cfg, store=RunStore(tmp_path))
    assert np.isfinite(run.predictions["embedding"]).all() and 0 <= run.metrics["accuracy"] <= 1
    aug = TrainConfig(**FAST, precision="fp64", trainer="pretrain_finetune", augment="diffusion",
                      augment_kwargs={"amount": 0.5, "epochs": 1, "sample_steps": 2}, pretrain_epochs=1)
    done = fit("cnn1d", ws, split, aug, store=RunStore(tmp_path))
    assert torch.get_default_dtype() == torch.float32 and done.record["train"]["precision"] == "fp64"


def test_precision_helpers():
    from harlib.models.inference import at_least_fp32, compute_dtype, default_dtype, to_fp32
    assert compute_dtype("fp64") == torch.float64 and compute_dtype("bf16") == torch.float32
    with pytest.raises(ValueError, match=r"precision must be one of .*'fp64'.*got 'fp16'"):
        compute_dtype("fp16")
    with pytest.raises(RuntimeError):
        with default_dtype("fp64"):
            assert torch.zeros(1).dtype == torch.float64
            raise RuntimeError("inside")
    assert torch.get_default_dtype() == torch.float32           # restored after an error too
    d = torch.zeros(2, dtype=torch.float64)
    assert at_least_fp32(d) is d and at_least_fp32(d.bfloat16()).dtype == torch.float32
    out = to_fp32({"a": d, "b": d.half(), "c": [d.bfloat16()]})
    assert out["a"].dtype == torch.float64 and out["b"].dtype == torch.float32
    assert out["c"][0].dtype == torch.float32
    with pytest.raises(ValueError, match="precision must be one of"):
        TrainConfig(precision="double")


def test_observer_callbacks_see_every_epoch(basicmotions_windows, tmp_path):
    ws, split = basicmotions_windows
    seen = []

    class Log:
        def on_epoch_end(self, row):
            seen.append(row["epoch"])
    run = fit("cnn1d", ws, split, TrainConfig(**FAST), store=RunStore(tmp_path), callbacks=[Log()])
    assert seen == [r["epoch"] for r in run.record["history"]]


def test_monitor_chooses_the_best_epoch(basicmotions_windows, tmp_path):
    ws, split = basicmotions_windows
    cfg = TrainConfig(**{**FAST, "max_epochs": 4, "patience": 4}, monitor="val_accuracy")
    run = fit("cnn1d", ws, split, cfg, store=RunStore(tmp_path))
    acc = [row["val_accuracy"] for row in run.record["history"]]
    assert run.record["monitor"] == "val_accuracy"
    assert run.record["best_epoch"] == 1 + acc.index(max(acc))       # the first best epoch
    assert run.record["best_score"] == max(acc)


def test_checkpoint_last_trains_every_epoch_and_keeps_the_last(basicmotions_windows, tmp_path):
    ws, split = basicmotions_windows
    store = RunStore(tmp_path)
    best = fit("cnn1d", ws, split, TrainConfig(**{**FAST, "max_epochs": 4, "patience": 1}), store=store)
    last = fit("cnn1d", ws, split, TrainConfig(**{**FAST, "max_epochs": 4, "patience": 1},
                                               checkpoint="last"), store=store)
    assert last.key != best.key
    assert [r["epoch"] for r in last.record["history"]] == [1, 2, 3, 4]   # patience 1 unused
    assert last.record["best_epoch"] == 4
    assert len(best.record["history"]) == best.record["best_epoch"] + 1 or best.record["best_epoch"] == 4
    # the same seed trains the same epochs: the kept weights are those after epoch 4
    assert last.record["history"][:len(best.record["history"])] == best.record["history"]


def test_class_balanced_weights_follow_the_effective_number():
    counts = torch.tensor([100, 10, 0, 1])
    loss = LOSSES.get("class_balanced")(beta=0.9, class_counts=counts)
    eff = (1 - 0.9 ** np.array([100, 10, 1])) / (1 - 0.9)
    expected = (1 / eff) * 3 / (1 / eff).sum()
    np.testing.assert_allclose(loss.weight.numpy()[[0, 1, 3]], expected, rtol=1e-6)
    assert loss.weight[2] == 0                                 # an absent class weighs nothing
    assert loss.weight[3] > loss.weight[1] > loss.weight[0]    # rarer classes weigh more
    flat = LOSSES.get("class_balanced")(beta=0.0, class_counts=counts)
    np.testing.assert_allclose(flat.weight.numpy()[[0, 1, 3]], 1.0)    # β = 0: plain CE
    logits, y = torch.randn(6, 4), torch.tensor([0, 1, 3, 0, 1, 3])
    np.testing.assert_allclose(float(flat({"logits": logits}, {"y": y})),
                               float(torch.nn.functional.cross_entropy(logits, y)), rtol=1e-6)
    with pytest.raises(ValueError, match="class_counts"):
        LOSSES.get("class_balanced")(beta=0.9)
    with pytest.raises(ValueError, match="beta"):
        LOSSES.get("class_balanced")(beta=1.0, class_counts=counts)


def test_composite_temperature_sharpens_or_flattens_the_update():
    def after_one_update(temperature):
        loss = LOSSES.get("adaptive_composite")(weights=(0.2, 0.3, 0.5), step=0.05, min_weight=0.0,
                                                max_weight=1.0, temperature=temperature)
        loss.on_epoch_end({"val_accuracy": 0.5})
        loss.on_epoch_end({"val_accuracy": 0.6})
        return loss.weights.numpy()
    np.testing.assert_allclose(after_one_update(1.0), [0.25, 0.3, 0.45])
    w = np.array([0.25, 0.3, 0.45])
    np.testing.assert_allclose(after_one_update(0.5), w ** 2 / (w ** 2).sum())
    assert np.ptp(after_one_update(0.5)) > np.ptp(w) > np.ptp(after_one_update(2.0))
    with pytest.raises(ValueError, match="temperature"):
        LOSSES.get("adaptive_composite")(temperature=0.0)
    with pytest.raises(ValueError, match="terms"):
        LOSSES.get("adaptive_composite")(terms=("cross_entropy", "focal", "dice"))


def test_app_c_composite_trains_with_the_class_counts(basicmotions_windows, tmp_path):
    ws, split = basicmotions_windows
    cfg = TrainConfig(**FAST, loss="adaptive_composite", class_weighted=False,
                      loss_kwargs={"terms": ["label_smoothing", "focal", "class_balanced"], "beta": 0.99})
    run = fit("cnn1d", ws, split, cfg, store=RunStore(tmp_path))
    assert "ece" in run.metrics and 0 <= run.metrics["ece"] <= 1
    assert all("val_ece" in row for row in run.record["history"])
    from harlib.training.engine import build_loss, prepare
    prep = prepare(ws, split, cfg, seed=0)
    cb = build_loss(cfg, prep, "cpu").terms[2].weight          # from the training class counts
    counts = np.bincount(prep.y_train, minlength=ws.n_classes)
    assert cb.shape == (ws.n_classes,) and ((cb > 0).numpy() == (counts > 0)).all()


def test_train_data_keeps_the_windows_dtype_and_casts_each_batch():
    import torch
    from harlib.models.inference import default_dtype
    from harlib.training.engine import TrainData
    X = np.random.default_rng(0).normal(size=(6, 2, 5)).astype(np.float32)
    data = TrainData.of(X, np.arange(6) % 2, np.zeros(6, int), np.arange(6), "cpu")
    assert data.X.dtype == torch.float32 and data.X.data_ptr() == torch.from_numpy(X).data_ptr()  # no copy
    with default_dtype("fp64"):
        batch = data.batch(torch.tensor([4, 1]))
    assert batch["x"].dtype == torch.float64
    np.testing.assert_array_equal(batch["x"].numpy(), X[[4, 1]].astype(np.float64))
    assert data.batch(torch.tensor([0]))["x"].dtype == torch.float32      # an fp32 run's batches stay fp32
