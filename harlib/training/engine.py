"""The stages of a training run, shared by every trainer.

prepare (subsample, standardise on training windows only) → [augment] → build (model,
loss, optimiser) → ``train_one_epoch`` / ``evaluate`` under an early-stopping monitor →
record. Each stage is a plain function, so a trainer composes the ones it needs and a
user can call them one by one (e.g. in a notebook that explains them).
"""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np
import torch
from sklearn.metrics import accuracy_score, f1_score

from ..core.numerics import pin_torch
from ..core.registry import Registry
from ..data.normalization import Standardizer
from ..data.windows import WindowSet
from ..evaluation.metrics import expected_calibration_error
from ..evaluation.splits import Split
from ..models import create_model
from ..models.inference import as_input, autocast, parameter_dtype, predict, to_fp32
from .losses import LOSSES, create_loss


def seed_everything(seed: int) -> None:
    pin_torch()
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    if torch.cuda.is_available():
        # cuBLAS is deterministic only with a fixed workspace (set before its first use)
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.cuda.manual_seed_all(seed)
        torch.backends.cudnn.benchmark = False


def stratified_subsample(idx: np.ndarray, y: np.ndarray, n: int | None, seed: int) -> np.ndarray:
    """At most ``n`` of ``idx``, drawn stratified by class (each class keeps ≥ 1 where it can)."""
    if n is None or len(idx) <= n:
        return idx
    rng = np.random.default_rng(seed)
    keep = []
    classes = np.unique(y[idx])
    for c in classes:
        members = idx[y[idx] == c]
        k = max(1, int(round(n * len(members) / len(idx))))
        keep.append(rng.choice(members, size=min(k, len(members)), replace=False))
    return np.sort(np.concatenate(keep))


# ---- prepare ----------------------------------------------------------------------------
@dataclass
class Prepared:
    """The windows of one run, subsampled and standardised with training statistics."""

    ws: WindowSet
    train_idx: np.ndarray
    val_idx: np.ndarray
    test_idx: np.ndarray
    norm: Standardizer
    X_train: np.ndarray
    X_val: np.ndarray
    X_test: np.ndarray

    @property
    def y_train(self) -> np.ndarray:
        return self.ws.y[self.train_idx]

    @property
    def y_val(self) -> np.ndarray:
        return self.ws.y[self.val_idx]

    @property
    def y_test(self) -> np.ndarray:
        return self.ws.y[self.test_idx]

    def class_weights(self) -> np.ndarray:
        """Inverse training-class frequency (WHAR Arena v1); 0 for absent classes."""
        counts = np.bincount(self.y_train, minlength=self.ws.n_classes).astype(np.float64)
        return np.where(counts > 0, counts.sum() / (self.ws.n_classes * np.maximum(counts, 1)), 0.0)


def test_windows(split: Split, y: np.ndarray, max_test_windows: int | None, seed: int) -> np.ndarray:
    """The test windows a run of ``seed`` is scored on: ``split.test``, or its stratified
    sample of ``max_test_windows`` (what :func:`prepare` draws, and what a stored run's
    test windows can be checked against)."""
    return stratified_subsample(split.test, y, max_test_windows, seed + 2)


def training_pool(split: Split, y: np.ndarray, share: float, seed: int) -> np.ndarray:
    """The training windows a run may use: ``split.train``, or a class-stratified ``share`` of
    them (at least 2), drawn with ``seed`` (``TrainConfig.train_share``)."""
    if share >= 1:
        return split.train
    return stratified_subsample(split.train, y, max(2, int(round(share * len(split.train)))), seed + 3)


def train_windows(split: Split, y: np.ndarray, max_train_windows: int | None, share: float,
                  seed: int) -> np.ndarray:
    """The training windows a run of ``seed`` fits on: its :func:`training_pool`, or that
    pool's stratified sample of ``max_train_windows`` (what :func:`prepare` draws, and the
    trainers that fit once)."""
    return stratified_subsample(training_pool(split, y, share, seed), y, max_train_windows, seed)


def prepare(ws: WindowSet, split: Split, config, seed: int, need_val: bool = True) -> Prepared:
    """Subsample each partition (stratified, seeded) and standardise on training windows."""
    train_idx = train_windows(split, ws.y, config.max_train_windows, config.train_share, seed)
    val_idx = stratified_subsample(split.val, ws.y, config.max_val_windows, seed + 1)
    test_idx = test_windows(split, ws.y, config.max_test_windows, seed)
    empty = [p for p, i in (("train", train_idx), ("validation", val_idx), ("test", test_idx))
             if len(i) == 0 and (need_val or p != "validation")]
    if empty:
        raise ValueError(f"{ws.dataset} {split.protocol} fold {split.fold}: empty "
                         f"{' and '.join(empty)} partition")
    if len(train_idx) < 2:
        raise ValueError(f"{ws.dataset} {split.protocol} fold {split.fold}: {len(train_idx)} "
                         "training window; at least 2 are needed")
    X_train = ws.X[train_idx]
    if not np.isfinite(X_train).all():
        raise ValueError(f"{ws.dataset}: the training windows hold NaN or infinite values; "
                         "clean the data before training")
    norm = Standardizer().fit(X_train)
    return Prepared(ws, train_idx, val_idx, test_idx, norm, norm.transform(X_train),
                    norm.transform(ws.X[val_idx]), norm.transform(ws.X[test_idx]))


# ---- build ------------------------------------------------------------------------------
OPTIMIZERS: Registry = Registry("optimiser")


OPTIMIZERS.register("adamw")(torch.optim.AdamW)


OPTIMIZERS.register("adam")(torch.optim.Adam)


OPTIMIZERS.register("sgd")(lambda params, lr, weight_decay: torch.optim.SGD(
    params, lr=lr, momentum=0.9, weight_decay=weight_decay))


def build_model(name: str, ws: WindowSet, model_kwargs: dict, device) -> torch.nn.Module:
    return create_model(name, ws.n_channels, ws.n_classes, ws.length,
                        channel_groups=ws.channel_groups(), **model_kwargs).to(device)


def build_loss(config, prep: Prepared | None, device) -> torch.nn.Module:
    weights = None
    if config.class_weighted and prep is not None:
        weights = torch.tensor(prep.class_weights(), dtype=torch.get_default_dtype(), device=device)
    extra = {}
    if getattr(LOSSES.get(config.loss), "uses_class_counts", False) and prep is not None:
        extra["class_counts"] = torch.from_numpy(np.bincount(prep.y_train, minlength=prep.ws.n_classes))
    return create_loss(config.loss, class_weights=weights, **extra, **config.loss_kwargs).to(device)


def parameter_groups(model: torch.nn.Module, loss_fn: torch.nn.Module | None,
                     weight_decay: float) -> list[dict]:
    """Optimiser parameter groups: the model's parameters with weight decay, except those a
    model names in ``no_weight_decay()`` (timm's hook); learnable loss parameters (e.g.
    adaptive loss weights) never decay."""
    skip = set(model.no_weight_decay()) if hasattr(model, "no_weight_decay") else set()
    decay = [p for n, p in model.named_parameters() if n not in skip and p.requires_grad]
    no_decay = [p for n, p in model.named_parameters() if n in skip and p.requires_grad]
    if loss_fn is not None:
        no_decay += [p for p in loss_fn.parameters() if p.requires_grad]
    groups = [{"params": decay, "weight_decay": weight_decay}]
    if no_decay:
        groups.append({"params": no_decay, "weight_decay": 0.0})
    return groups


def build_optimizer(config, groups: list[dict], epochs: int):
    opt = OPTIMIZERS.get(config.optimizer)(groups, lr=config.lr, weight_decay=config.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, epochs))
    return opt, sched


@dataclass
class TrainData:
    """Standardised training windows on the device, with what losses and samplers read. The
    windows are kept in their own dtype (float32 windows are not copied on the CPU) and each
    batch is cast to the run's dtype (:meth:`batch`): an fp64 run holds no float64 copy of
    every training window, and its batches have the same values as such a copy's."""

    X: torch.Tensor
    y: torch.Tensor | None
    subject: torch.Tensor
    index: torch.Tensor

    @classmethod
    def of(cls, X: np.ndarray, y: np.ndarray | None, subject: np.ndarray, index: np.ndarray,
           device) -> "TrainData":
        return cls(torch.from_numpy(np.asarray(X)).to(device),
                   None if y is None else torch.from_numpy(np.asarray(y)).to(device),
                   torch.from_numpy(np.asarray(subject)).to(device),
                   torch.from_numpy(np.asarray(index)).to(device))

    def batch(self, positions: torch.Tensor, triplets=None) -> dict:
        p = positions.to(self.X.device)
        return {"x": self.X[p].to(torch.get_default_dtype()), "y": None if self.y is None else self.y[p],
                "subject": self.subject[p], "index": self.index[p],
                "triplets": None if triplets is None else tuple(t.to(self.X.device) for t in triplets)}


def train_one_epoch(model, loss_fn, opt, sampler, data: TrainData, precision: str = "fp32",
                    ) -> dict:
    """One pass of ``sampler``'s batches; returns mean training loss and (with labels)
    training accuracy."""
    model.train()
    device = data.X.device
    total, n_seen, correct = 0.0, 0, 0
    for positions, triplets in sampler.epoch():
        batch = data.batch(positions, triplets)
        with autocast(device, precision):
            outputs = model.forward_outputs(batch["x"])
        outputs = to_fp32(outputs)
        loss = loss_fn(outputs, batch)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        n = len(positions)
        total += float(loss.detach()) * n
        n_seen += n
        if batch["y"] is not None and "logits" in outputs:
            correct += int((outputs["logits"].argmax(1) == batch["y"]).sum())
    out = {"train_loss": total / max(1, n_seen)}
    if data.y is not None:
        out["train_accuracy"] = correct / max(1, n_seen)
    return out


def classifier_scores(model, X: np.ndarray, y: np.ndarray, device, precision: str) -> dict:
    """Validation scores of a classifier: macro-F1 and accuracy."""
    proba, _ = predict(model, X, device=device, precision=precision)
    pred = proba.argmax(1)
    return {"val_f1_macro": float(f1_score(y, pred, average="macro", zero_division=0)),
            "val_accuracy": float(accuracy_score(y, pred)),
            "val_ece": expected_calibration_error(y, proba)}


@torch.no_grad()
def loss_scores(model, loss_fn, X: np.ndarray, device, precision: str, batch_size: int = 512,
                name: str = "val_reconstruction") -> dict:
    """Mean of an unsupervised loss over windows ``X`` (e.g. validation reconstruction)."""
    model.eval()
    device = torch.device(device)
    total = 0.0
    for i in range(0, len(X), batch_size):
        xb = as_input(X[i:i + batch_size], device, parameter_dtype(model))
        with autocast(device, precision):
            out = to_fp32(model.forward_outputs(xb))
        total += float(loss_fn(out, {"x": xb, "y": None})) * len(xb)
    return {name: total / max(1, len(X))}


# ---- early stopping ---------------------------------------------------------------------
#: monitor name → "max" or "min"
MONITORS = {"val_f1_macro": "max", "val_accuracy": "max", "val_reconstruction": "min"}


def fit_epochs(model, loss_fn, opt, sched, sampler, data: TrainData,
               evaluate: Callable[[], dict], *, max_epochs: int, patience: int | None,
               monitor: str, precision: str = "fp32", callbacks: Iterable = (),
               stage: str | None = None, progress=None) -> tuple[dict, list[dict]]:
    """Train up to ``max_epochs`` epochs; after each, ``evaluate()`` gives the validation
    scores, the loss's and the callbacks' ``on_epoch_end`` see them, and the best epoch by
    ``monitor`` is kept (early stopping after ``patience`` epochs without improvement;
    ``patience=None`` trains every epoch and keeps the last).

    Returns ``best`` (``epoch``, ``score`` and the model's ``state``) and the history.
    """
    if monitor not in MONITORS:
        raise KeyError(f"unknown monitor {monitor!r}; choose one of {', '.join(MONITORS)}")
    sign = 1.0 if MONITORS[monitor] == "max" else -1.0
    history, best = [], {"score": -np.inf, "epoch": -1, "state": None}
    hooks = [h for h in (loss_fn, *callbacks) if hasattr(h, "on_epoch_end")]
    for epoch in range(max_epochs):
        row = {"epoch": epoch + 1, **({"stage": stage} if stage else {}),
               **train_one_epoch(model, loss_fn, opt, sampler, data, precision)}
        sched.step()
        scores = evaluate()
        row.update(scores)
        for h in hooks:
            h.on_epoch_end(dict(row))
        if hasattr(loss_fn, "epoch_log"):
            row.update(loss_fn.epoch_log())
        history.append(row)
        if progress is not None:
            progress(row)
        if monitor not in scores:
            raise KeyError(f"monitor {monitor!r} is not among the validation scores {sorted(scores)}")
        score = sign * scores[monitor]
        if patience is None or score > best["score"]:
            best = {"score": score, "epoch": epoch + 1, "state": copy.deepcopy(model.state_dict())}
        elif epoch + 1 - best["epoch"] >= patience:
            break
    best["score"] = sign * best["score"]
    return best, history
