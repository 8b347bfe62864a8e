"""The supervised trainers: ``supervised`` (labels, early stopping on validation macro-F1,
WHAR Arena v1; synthetic windows of an augmentation stage join the real ones) and
``pretrain_finetune`` (paper B's two stages in one run: pre-train on the augmentation
stage's synthetic windows for ``pretrain_epochs`` without early stopping, then fine-tune on
the real training windows with early stopping; notebooks 20–25). They differ in one hook,
:meth:`_Supervised.use_synthetic`, and the name of the fine-tuning stage.""" 
from __future__ import annotations

import time

import numpy as np
import torch

from ...evaluation.metrics import classification_report
from ...models.inference import predict
from ..augment import DEFAULT_AMOUNT, augment
from ...core.checks import is_int
from ..engine import (
    TrainData,
    build_loss,
    build_model,
    build_optimizer,
    classifier_scores,
    fit_epochs,
    parameter_groups,
    seed_everything,
    stratified_subsample,
)
from ..losses import UNSUPERVISED_LOSSES
from ..runs import RunOutput
from ..samplers import create_sampler
from .base import RunRequest, Trainer, _common_record, _finish, _progress, _start
from .registry import TRAINERS


class _Supervised(Trainer):
    """Shared by ``supervised`` and ``pretrain_finetune``."""

    def resolve(self, config):
        config = super().resolve(config)
        if config.loss in UNSUPERVISED_LOSSES:
            raise ValueError(f"loss {config.loss!r} needs no labels; use trainer='unsupervised'")
        fit_windows = config.augment_kwargs.get("fit_windows")
        if fit_windows is not None and not is_int(fit_windows, 1):
            raise ValueError(f"augment_kwargs['fit_windows'] must be a positive integer or None, got {fit_windows!r}")
        return config

    def synthetic(self, req: RunRequest, prep):
        c = req.config
        if not c.augment:
            return None
        kwargs = dict(c.augment_kwargs)
        amount = kwargs.pop("amount", DEFAULT_AMOUNT)
        X, y = prep.X_train, prep.y_train
        fit_windows = kwargs.pop("fit_windows", None)    # a class-stratified sample (None: all)
        if fit_windows is not None:
            keep = stratified_subsample(np.arange(len(y)), y, fit_windows, req.seed)
            X, y = X[keep], y[keep]
        Xs, ys, res = augment(c.augment, X, y, req.ws.n_classes, req.seed,
                              amount=amount, store=req.store, device=c.device, **kwargs)
        return Xs, ys, res

    #: the stage name of the (last) training stage in the run's history
    stage: str | None = None

    def use_synthetic(self, req: RunRequest, model, loss_fn, evaluate, monitor: str, progress,
                      history: list, real: tuple, Xs, ys) -> tuple:
        """What the synthetic windows ``Xs, ys`` do before the training on ``real`` = (X, y,
        subject, index): the training windows that follow are returned. Here they join the
        real windows (synthetic subject and index: -1)."""
        X, y, subject, index = real
        return (np.concatenate([X, Xs]), np.concatenate([y, ys]),
                np.concatenate([subject, np.full(len(ys), -1)]),
                np.concatenate([index, np.full(len(ys), -1)]))

    def stage_record(self, history: list, last_stage: list) -> dict:
        """What the record adds about the run's stages."""
        return {}

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
            X, y, subject, index = self.use_synthetic(req, model, loss_fn, evaluate, monitor,
                                                      progress, history, (X, y, subject, index),
                                                      Xs, ys)
        opt, sched = build_optimizer(c, parameter_groups(model, loss_fn, c.weight_decay), c.max_epochs)
        sampler = create_sampler(c.sampler, y, subject, c.batch_size, req.seed, **c.sampler_kwargs)
        data = TrainData.of(X, y, subject, index, device)
        best, hist = fit_epochs(model, loss_fn, opt, sched, sampler, data, evaluate,
                                max_epochs=c.max_epochs, patience=c.early_stopping_patience, monitor=monitor,
                                precision=c.precision, callbacks=req.callbacks,
                                stage=self.stage,
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
        record.update(self.stage_record(history, hist))
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
    stage = "finetune"

    def use_synthetic(self, req: RunRequest, model, loss_fn, evaluate, monitor: str, progress,
                      history: list, real: tuple, Xs, ys) -> tuple:
        """Pre-train on the synthetic windows alone (``pretrain_epochs``, no early stopping,
        stage "pretrain"); the real windows are then trained on unchanged."""
        c, device = req.config, torch.device(req.config.device)
        data = TrainData.of(Xs, ys, np.full(len(ys), -1), np.full(len(ys), -1), device)
        opt, sched = build_optimizer(c, parameter_groups(model, loss_fn, c.weight_decay),
                                     c.pretrain_epochs)
        sampler = create_sampler(c.sampler, ys, np.full(len(ys), -1), c.batch_size, req.seed,
                                 **c.sampler_kwargs)
        _, pre_hist = fit_epochs(model, loss_fn, opt, sched, sampler, data, evaluate,
                                 max_epochs=c.pretrain_epochs, patience=None, monitor=monitor,
                                 precision=c.precision, callbacks=req.callbacks, stage="pretrain",
                                 progress=progress)
        history += pre_hist
        return real

    def stage_record(self, history: list, last_stage: list) -> dict:
        return {"pretrain_epochs_run": len(history) - len(last_stage)}

    def resolve(self, config):
        config = super().resolve(config)
        if not config.augment or config.pretrain_epochs < 1:
            raise ValueError("trainer 'pretrain_finetune' needs augment=<augmenter> (the synthetic "
                             f"windows) and pretrain_epochs >= 1, got augment={config.augment!r}, "
                             f"pretrain_epochs={config.pretrain_epochs}")
        return config
