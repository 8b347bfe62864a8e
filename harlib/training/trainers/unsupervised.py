"""The ``unsupervised`` trainer: no labels in training (paper A, notebooks 10–14).

A model that returns a ``"reconstruction"`` learns to reconstruct its input (optionally
after layer-wise pre-training, one :class:`~harlib.models.base.PretrainStage` at a time),
is selected on validation reconstruction loss, and is scored by clustering its test
embeddings (:func:`harlib.evaluation.clustering.cluster`: k-means or a Gaussian mixture with
one cluster per class → Hungarian-matched accuracy and macro-F1, NMI, ARI). Labels are read
only to score."""
from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import torch
from torch import nn

from ...evaluation.clustering import check_clustering_options, cluster
from ...evaluation.metrics import classification_report, clustering_report, match_clusters
from ...models.base import PretrainStage
from ...models.inference import predict_outputs
from ..engine import (
    TrainData,
    build_loss,
    build_model,
    build_optimizer,
    fit_epochs,
    loss_scores,
    parameter_groups,
    train_one_epoch,
)
from ..losses import UNSUPERVISED_LOSSES
from ..runs import RunOutput
from ..samplers import create_sampler
from .base import RunRequest, Trainer, _common_record, _finish, _progress, _start
from .registry import TRAINERS


class _StageModel(nn.Module):
    """One pre-training stage seen as a model, so that it trains through
    :func:`~harlib.training.engine.train_one_epoch` (and its precision) like any model."""

    def __init__(self, model: nn.Module, stage: PretrainStage):
        super().__init__()
        self.model, self.stage = model, stage

    def forward_outputs(self, x: torch.Tensor) -> dict:
        reconstruction, target = self.stage.forward(x)
        return {"reconstruction": reconstruction, "target": target.detach()}


def _stage_loss(outputs: dict, batch: dict) -> torch.Tensor:
    """A stage's reconstruction error against its (fixed) target."""
    return torch.nn.functional.mse_loss(outputs["reconstruction"], outputs["target"])


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
                                 c.batch_size, req.seed + 100, **c.sampler_kwargs)
        for stage in stages:
            opt, sched = build_optimizer(c, [{"params": list(stage.parameters),
                                              "weight_decay": c.weight_decay}], c.pretrain_epochs)
            stage_model = _StageModel(model, stage)
            for epoch in range(c.pretrain_epochs):
                row = train_one_epoch(stage_model, _stage_loss, opt, sampler, data, c.precision)
                sched.step()
                history.append({"epoch": epoch + 1, "stage": f"pretrain:{stage.name}", **row})

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
                                 req.seed, **c.sampler_kwargs)
        evaluate = lambda: loss_scores(model, loss_fn, prep.X_val, device, c.precision)  # noqa: E731
        best, hist = fit_epochs(model, loss_fn, opt, sched, sampler, data, evaluate,
                                max_epochs=c.max_epochs, patience=c.early_stopping_patience,
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
