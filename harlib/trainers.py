"""Trainers, registered by name: how a run turns windows into a stored result.

``supervised``         labels, early stopping on validation macro-F1 (WHAR Arena v1); an
                       optional augmentation stage adds synthetic training windows.
``pretrain_finetune``  paper B's two stages in one run: pre-train on the augmentation
                       stage's synthetic windows (``pretrain_epochs``, no early stopping),
                       then fine-tune on the real training windows with early stopping.
``unsupervised``       no labels in training: a model that returns a ``"reconstruction"``
                       learns to reconstruct its input (optionally after layer-wise
                       pre-training, paper A), selected on validation reconstruction loss,
                       and is scored by clustering its test embeddings (k-means or a
                       Gaussian mixture with one cluster per class → Hungarian-matched
                       accuracy and macro-F1, NMI, ARI). Labels are read only to score.
``classical``          hand-crafted features + a scikit-learn classifier (``classical.py``).

Every trainer goes through :func:`harlib.runs.cached_run`, so each run is stored under a
key of what determines it and loaded instead of retrained.
"""
from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch
from tqdm import tqdm

from . import invariants
from .augment import augment
from .engine import (MONITORS, TrainData, build_loss, build_model, build_optimizer,
                     classifier_scores, fit_epochs, loss_scores, parameter_groups, predict,
                     predict_outputs, prepare, seed_everything)
from .losses import UNSUPERVISED_LOSSES
from .metrics import classification_report, clustering_report, match_clusters
from .models import MODELS
from .models.base import needs_channel_groups
from .registry import Registry
from .runs import RunOutput, RunResult, RunStore, array_fingerprint, cached_run, stored_run
from .samplers import create_sampler
from .splits import Split, overlap_with_training
from .windows import WindowSet

TRAINERS: Registry = Registry("trainer")


@dataclass
class RunRequest:
    """One run to make: everything a trainer needs."""

    model: str
    ws: WindowSet
    split: Split
    config: "TrainConfig"  # noqa: F821
    seed: int = 0
    model_kwargs: dict = field(default_factory=dict)
    store: RunStore | None = None
    progress: bool = False
    callbacks: tuple = ()
    budget: dict | None = None      # the allocation of a budget_seconds config, if any

    @property
    def label(self) -> str:
        return f"{self.model} {self.ws.dataset} {self.split.protocol}/{self.split.fold} s{self.seed}"


def run_spec(ws: WindowSet, split: Split, model_name: str, model_kwargs: dict,
             train_identity: dict, seed: int) -> dict:
    """Everything that defines a run's result; its hash is the run's key in the store."""
    return {
        "dataset": ws.dataset, "window": {k: v for k, v in ws.info.items() if k != "official_split"},
        "data": array_fingerprint(ws.y, ws.subject, ws.start, ws.X[:: max(1, len(ws) // 64)]),
        "protocol": split.protocol, "fold": split.fold,
        "split": array_fingerprint(split.train, split.val, split.test),
        "model": model_name, "model_kwargs": model_kwargs, "train": train_identity, "seed": seed,
    }


class Trainer:
    """Base class: resolves defaults, builds the run's specification, runs it cached."""

    name = "trainer"
    default_loss: str | None = "cross_entropy"
    default_monitor: str | None = "val_f1_macro"

    def accepts(self, model_name: str) -> bool:
        return model_name in MODELS

    def resolve(self, config):
        """The configuration with this trainer's defaults filled in, checked for fit."""
        return replace(config, loss=config.loss or self.default_loss)

    def monitor(self, config) -> str:
        return config.monitor or self.default_monitor

    def spec(self, req: RunRequest) -> dict:
        spec = run_spec(req.ws, req.split, req.model, req.model_kwargs, req.config.identity(),
                        req.seed)
        if needs_channel_groups(req.model):
            spec["channel_groups"] = req.ws.channel_groups()
        return spec

    def run(self, req: RunRequest, force: bool = False) -> RunResult:
        spec = self.spec(req)
        return _noted(req, spec, cached_run(spec, req.store, lambda key: self.train(req), force))

    def stored(self, req: RunRequest) -> RunResult | None:
        """The stored run of ``req``, or ``None`` (nothing is trained)."""
        spec = self.spec(req)
        return _noted(req, spec, stored_run(spec, req.store))

    def train(self, req: RunRequest) -> RunOutput:  # pragma: no cover - abstract
        raise NotImplementedError


def _noted(req: RunRequest, spec: dict, result: RunResult | None) -> RunResult | None:
    """``result``, noted among this process's runs (:mod:`harlib.invariants`)."""
    if result is not None:
        invariants.note(spec, result.key, result.record.get("n_parameters", 0), req.ws, req.split)
    return result


def _progress(req: RunRequest, total: int):
    if not req.progress:
        return None
    bar = tqdm(total=total, desc=req.label, file=sys.stderr, leave=False)

    def update(row: dict) -> None:
        bar.update(1)
        bar.set_postfix({k: f"{v:.3f}" for k, v in row.items()
                         if k in ("train_loss", "val_f1_macro", "val_reconstruction")})
    return update


def _start(req: RunRequest):
    """Threads, seeds, then the prepared windows: the start of every network's run."""
    if req.config.num_threads:
        torch.set_num_threads(req.config.num_threads)
    seed_everything(req.seed)
    return prepare(req.ws, req.split, req.config, req.seed)


def _common_record(req: RunRequest, prep, model, history: list, best: dict,
                   train_seconds: float) -> dict:
    ws, split = req.ws, req.split
    record = {
        "profile": req.config.profile, "train_config": asdict(req.config),
        "in_channels": ws.n_channels, "n_classes": ws.n_classes, "window_length": ws.length,
        "class_names": list(ws.class_names), "channel_names": [c.name for c in ws.channels],
        "n_windows": {"train": len(prep.train_idx), "val": len(prep.val_idx),
                      "test": len(prep.test_idx)},
        "test_overlap_with_train": overlap_with_training(
            ws, replace(split, train=prep.train_idx, val=prep.val_idx, test=prep.test_idx)),
        "best_epoch": best["epoch"], "epochs_run": len(history), "train_seconds": train_seconds,
        "n_parameters": sum(p.numel() for p in model.parameters()),
    }
    return record


def fitted_once_record(req: RunRequest, train_idx, test_idx, train_seconds: float, trainer: str,
                       test_metrics: dict) -> dict:
    """The record of a run fitted once, without epochs or a validation partition (the
    classical models and the clustering baselines)."""
    ws, split = req.ws, req.split
    return {
        "profile": req.config.profile, "class_names": list(ws.class_names), "trainer": trainer,
        "in_channels": ws.n_channels, "n_classes": ws.n_classes, "window_length": ws.length,
        "n_windows": {"train": len(train_idx), "val": 0, "test": len(test_idx)},
        "test_overlap_with_train": overlap_with_training(
            ws, Split(train_idx, split.val[:0], test_idx, split.protocol, split.fold,
                      split.subject_independent)),
        "best_epoch": 0, "epochs_run": 0, "train_seconds": train_seconds,
        "n_parameters": 0, "history": [], "test_metrics": test_metrics,
    }


def _finish(record: dict, req: RunRequest, prep, history, monitor: str, best: dict) -> dict:
    record.update({"history": history, "norm_mean": prep.norm.mean_.tolist(),
                   "norm_std": prep.norm.std_.tolist(), "torch": torch.__version__,
                   "trainer": req.config.trainer, "monitor": monitor,
                   "best_score": best["score"]})
    if req.budget is not None:
        record["budget"] = req.budget
    if needs_channel_groups(req.model):
        record["channel_groups"] = req.ws.channel_groups()
    return record


class _Supervised(Trainer):
    """Shared by ``supervised`` and ``pretrain_finetune``."""

    def resolve(self, config):
        config = super().resolve(config)
        if config.loss in UNSUPERVISED_LOSSES:
            raise ValueError(f"loss {config.loss!r} needs no labels; use trainer='unsupervised'")
        return config

    def synthetic(self, req: RunRequest, prep):
        c = req.config
        if not c.augment:
            return None
        kwargs = dict(c.augment_kwargs)
        amount = kwargs.pop("amount", "balance")
        Xs, ys, res = augment(c.augment, prep.X_train, prep.y_train, req.ws.n_classes, req.seed,
                              amount=amount, store=req.store, **kwargs)
        return Xs, ys, res

    def train(self, req: RunRequest) -> RunOutput:
        c, ws = req.config, req.ws
        prep = _start(req)
        synth = self.synthetic(req, prep)
        if synth is not None:
            seed_everything(req.seed)    # the model's initialisation must not depend on the cache
        device = torch.device(c.device)
        model = build_model(req.model, ws, req.model_kwargs, device)
        loss_fn = build_loss(c, prep, device)
        monitor = self.monitor(c)
        evaluate = lambda: classifier_scores(model, prep.X_val, prep.y_val, device, c.precision)  # noqa: E731
        history, t0 = [], time.perf_counter()
        progress = _progress(req, c.max_epochs + c.pretrain_epochs)
        X, y = prep.X_train, prep.y_train
        subject, index = ws.subject[prep.train_idx], prep.train_idx
        extra = {}
        if synth is not None:
            Xs, ys, aug = synth
            extra["augmentation"] = {"augmenter": c.augment, "run_key": aug.key,
                                     "n_synthetic": int(len(ys))}
            if self.name == "pretrain_finetune":
                data = TrainData.of(Xs, ys, np.full(len(ys), -1), np.full(len(ys), -1), device)
                opt, sched = build_optimizer(c, parameter_groups(model, loss_fn, c.weight_decay),
                                             c.pretrain_epochs)
                sampler = create_sampler(c.sampler, ys, np.full(len(ys), -1), c.batch_size, req.seed,
                                         **c.sampler_kwargs)
                _, pre_hist = fit_epochs(model, loss_fn, opt, sched, sampler, data, evaluate,
                                         max_epochs=c.pretrain_epochs, patience=None,
                                         monitor=monitor, precision=c.precision,
                                         callbacks=req.callbacks, stage="pretrain",
                                         progress=progress)
                history += pre_hist
            else:   # synthetic windows join the real ones (synthetic subject and index: -1)
                X, y = np.concatenate([X, Xs]), np.concatenate([y, ys])
                subject = np.concatenate([subject, np.full(len(ys), -1)])
                index = np.concatenate([index, np.full(len(ys), -1)])
        opt, sched = build_optimizer(c, parameter_groups(model, loss_fn, c.weight_decay), c.max_epochs)
        sampler = create_sampler(c.sampler, y, subject, c.batch_size, req.seed, **c.sampler_kwargs)
        data = TrainData.of(X, y, subject, index, device)
        best, hist = fit_epochs(model, loss_fn, opt, sched, sampler, data, evaluate,
                                max_epochs=c.max_epochs, patience=c.patience, monitor=monitor,
                                precision=c.precision, callbacks=req.callbacks,
                                stage="finetune" if self.name == "pretrain_finetune" else None,
                                progress=progress)
        history += hist
        train_seconds = time.perf_counter() - t0
        model.load_state_dict(best["state"])
        proba, emb = predict(model, prep.X_test, device=device, precision=c.precision)
        val_proba, _ = predict(model, prep.X_val, device=device, precision=c.precision)
        record = _common_record(req, prep, model, hist, best, train_seconds)
        record.update({
            "val_metrics": classification_report(prep.y_val, val_proba.argmax(1), val_proba),
            "test_metrics": classification_report(prep.y_test, proba.argmax(1), proba),
            **extra})
        if self.name == "pretrain_finetune":
            record["pretrain_epochs_run"] = len(history) - len(hist)
        record = _finish(record, req, prep, history, monitor, best)
        predictions = {"test_index": prep.test_idx, "y_true": prep.y_test,
                       "proba": proba.astype(np.float32), "embedding": emb.astype(np.float32)}
        loss_state = {k: v.cpu() for k, v in loss_fn.state_dict().items()
                      if k not in ("weight",) and not k.endswith(".weight")}
        return RunOutput(record, predictions, {k: v.cpu() for k, v in best["state"].items()},
                         {"loss": loss_state} if loss_state else {})


@TRAINERS.register("supervised")
class SupervisedTrainer(_Supervised):
    name = "supervised"


@TRAINERS.register("pretrain_finetune")
class PretrainFinetuneTrainer(_Supervised):
    name = "pretrain_finetune"

    def resolve(self, config):
        config = super().resolve(config)
        if not config.augment or config.pretrain_epochs < 1:
            raise ValueError("trainer 'pretrain_finetune' needs augment=<augmenter> (the synthetic "
                             f"windows) and pretrain_epochs >= 1, got augment={config.augment!r}, "
                             f"pretrain_epochs={config.pretrain_epochs}")
        return config


@dataclass
class PretrainStage:
    """One stage of layer-wise pre-training: ``forward(x) → (reconstruction, target)`` is
    trained to reconstruct its target, updating only ``parameters``."""

    name: str
    parameters: list
    forward: object


CLUSTERERS = ("kmeans", "gmm")


def cluster(Z: np.ndarray, k: int, method: str, seed: int) -> np.ndarray:
    """Cluster ids of embeddings ``Z``: k-means (10 restarts) or a full-covariance Gaussian
    mixture (diagonal when there are fewer windows than dimensions × clusters)."""
    from sklearn.cluster import KMeans
    from sklearn.mixture import GaussianMixture
    if method == "kmeans":
        return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(Z)
    if method == "gmm":
        cov = "full" if len(Z) > k * Z.shape[1] else "diag"
        return GaussianMixture(k, covariance_type=cov, random_state=seed, reg_covar=1e-4).fit_predict(Z)
    raise KeyError(f"unknown clusterer {method!r}; choose one of {', '.join(CLUSTERERS)}")


def check_clustering_options(options: dict) -> None:
    """Raise for a clusterer harlib does not know or fewer than two clusters."""
    if options.get("clusterer", "kmeans") not in CLUSTERERS:
        raise ValueError(f"clusterer must be one of {CLUSTERERS}, got {options['clusterer']!r}")
    k = options.get("n_clusters")
    if k is not None and (not isinstance(k, int) or isinstance(k, bool) or k < 2):
        raise ValueError(f"n_clusters must be an integer >= 2 (one cluster scores nothing), got {k!r}")


@TRAINERS.register("unsupervised")
class UnsupervisedTrainer(Trainer):
    """Options (``TrainConfig.trainer_kwargs``): ``clusterer`` ("kmeans" | "gmm", default
    kmeans), ``n_clusters`` (default: the dataset's number of classes — paper A clusters
    into as many groups as there are activities). The clustering is fitted on the test
    windows' embeddings (transductive, as clustering accuracy is usually reported)."""

    name = "unsupervised"
    default_loss = "reconstruction_mse"
    default_monitor = "val_reconstruction"

    def resolve(self, config):
        config = replace(super().resolve(config), class_weighted=False)
        if config.loss not in UNSUPERVISED_LOSSES:
            raise ValueError(f"trainer 'unsupervised' trains without labels; loss {config.loss!r} "
                             f"needs them. Use one of {', '.join(UNSUPERVISED_LOSSES)}")
        if config.sampler != "random":
            raise ValueError(f"trainer 'unsupervised' has no labels for sampler {config.sampler!r}")
        if self.monitor(config) != "val_reconstruction":
            raise ValueError("trainer 'unsupervised' selects on 'val_reconstruction' (no labels)")
        unknown = set(config.trainer_kwargs) - {"clusterer", "n_clusters"}
        if unknown:
            raise ValueError(f"unknown unsupervised trainer options {sorted(unknown)}; "
                             "known: clusterer, n_clusters")
        check_clustering_options(config.trainer_kwargs)
        return config

    def pretrain_layerwise(self, req, model, data, device, history, progress) -> None:
        c = req.config
        stages = model.pretraining_stages() if hasattr(model, "pretraining_stages") else []
        if c.pretrain_epochs < 1:
            return
        if not stages:
            raise ValueError(f"pretrain_epochs={c.pretrain_epochs} but model {req.model!r} defines "
                             "no pretraining_stages()")
        sampler = create_sampler("random", np.zeros(len(data.X)), np.zeros(len(data.X)),
                                 c.batch_size, req.seed + 100)
        for stage in stages:
            opt, sched = build_optimizer(c, [{"params": list(stage.parameters),
                                              "weight_decay": c.weight_decay}], c.pretrain_epochs)
            for epoch in range(c.pretrain_epochs):
                model.train()
                total, n = 0.0, 0
                for positions, _ in sampler.epoch():
                    rec, target = stage.forward(data.X[positions.to(device)])
                    loss = torch.nn.functional.mse_loss(rec.float(), target.float().detach())
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    total, n = total + float(loss.detach()) * len(positions), n + len(positions)
                sched.step()
                history.append({"epoch": epoch + 1, "stage": f"pretrain:{stage.name}",
                                "train_loss": total / max(1, n)})

    def train(self, req: RunRequest) -> RunOutput:
        c, ws = req.config, req.ws
        prep = _start(req)
        device = torch.device(c.device)
        model = build_model(req.model, ws, req.model_kwargs, device)
        loss_fn = build_loss(c, None, device)
        data = TrainData.of(prep.X_train, None, ws.subject[prep.train_idx], prep.train_idx, device)
        history, t0 = [], time.perf_counter()
        progress = _progress(req, c.max_epochs)
        self.pretrain_layerwise(req, model, data, device, history, progress)
        opt, sched = build_optimizer(c, parameter_groups(model, loss_fn, c.weight_decay), c.max_epochs)
        sampler = create_sampler("random", prep.y_train, data.subject.cpu().numpy(), c.batch_size,
                                 req.seed)
        evaluate = lambda: loss_scores(model, loss_fn, prep.X_val, device, c.precision)  # noqa: E731
        best, hist = fit_epochs(model, loss_fn, opt, sched, sampler, data, evaluate,
                                max_epochs=c.max_epochs, patience=c.patience,
                                monitor="val_reconstruction", precision=c.precision,
                                callbacks=req.callbacks, progress=progress)
        history += hist
        train_seconds = time.perf_counter() - t0
        model.load_state_dict(best["state"])
        emb = predict_outputs(model, prep.X_test, device=device, precision=c.precision,
                              keys=("embedding",))["embedding"]
        k = int(c.trainer_kwargs.get("n_clusters", ws.n_classes))
        method = c.trainer_kwargs.get("clusterer", "kmeans")
        clusters = cluster(emb.astype(np.float64), min(k, len(emb)), method, req.seed)
        mapping = match_clusters(prep.y_test, clusters)
        pred = np.array([mapping.get(int(q), -1) for q in clusters])
        record = _common_record(req, prep, model, hist, best, train_seconds)
        record.update({
            "clustering": {"method": method, "n_clusters": k, "fitted_on": "test embeddings",
                           "mapping": {str(a): b for a, b in mapping.items()}},
            "test_metrics": {**classification_report(prep.y_test, pred),
                             **clustering_report(prep.y_test, clusters)}})
        record = _finish(record, req, prep, history, "val_reconstruction", best)
        predictions = {"test_index": prep.test_idx, "y_true": prep.y_test,
                       "clusters": clusters.astype(np.int64), "y_pred": pred,
                       "embedding": emb.astype(np.float32)}
        return RunOutput(record, predictions, {k: v.cpu() for k, v in best["state"].items()})


def trainer_for(model_name: str, config) -> Trainer:
    """The trainer a run of ``model_name`` under ``config`` uses: classical models always
    use ``classical``; other models the configured trainer. Unknown names raise with the
    known ones listed."""
    from .classical import CLASSICAL_MODELS
    from .clustering import CLUSTERING_MODELS
    if model_name in CLUSTERING_MODELS:
        if config.trainer not in ("supervised", "unsupervised", "clustering"):
            raise ValueError(f"{model_name!r} is a clustering baseline; it cannot use trainer "
                             f"{config.trainer!r}")
        return TRAINERS.get("clustering")()
    if model_name in CLASSICAL_MODELS:
        if config.trainer not in ("supervised", "classical"):
            raise ValueError(f"{model_name!r} is a classical model; it cannot use trainer "
                             f"{config.trainer!r}")
        return TRAINERS.get("classical")()
    trainer = TRAINERS.get(config.trainer)()
    if not trainer.accepts(model_name):
        known = ", ".join([*MODELS.names(), *CLASSICAL_MODELS, *CLUSTERING_MODELS])
        raise KeyError(f"unknown model {model_name!r} for trainer {config.trainer!r}. Known: {known}")
    return trainer


from . import classical  # noqa: E402,F401  (registers the classical trainer)
from . import clustering  # noqa: E402,F401  (registers the clustering trainer)
