"""What every trainer shares: the run request, the run's specification (its key), the
:class:`Trainer` base class and the pieces of a run's record.""" 
from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import torch
from tqdm import tqdm

from ...data.windows import WindowSet
from ...evaluation import invariants
from ...evaluation.splits import Split, overlap_with_training
from ...models import MODELS
from ...models.base import needs_channel_groups
from ...models.inference import default_dtype
from ..engine import prepare, seed_everything
from ..runs import RunOutput, RunResult, RunStore, array_fingerprint, cached_run, stored_run


@dataclass
class RunRequest:
    """One run to make: everything a trainer needs."""

    model: str
    ws: WindowSet
    split: Split
    config: Any  # a harlib.training.train.TrainConfig (train.py imports this module)
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

    #: the models only this trainer can run (it owns them); empty: the registered networks
    owned_models: tuple = ()
    #: the configured trainer names this trainer replaces for the models it owns
    stands_in_for: tuple = ()
    #: how an error message names the models it owns
    kind_of_model: str = "a network"

    def model_names(self) -> list[str]:
        """The model names this trainer can run."""
        return list(self.owned_models) or MODELS.names()

    def accepts(self, model_name: str) -> bool:
        return model_name in (self.owned_models or MODELS)

    def owns(self, model_name: str) -> bool:
        """Whether ``model_name`` runs under this trainer whatever trainer is configured."""
        return model_name in self.owned_models

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
        return _noted(req, spec, cached_run(spec, req.store, lambda key: self._train(req), force))

    def _train(self, req: RunRequest) -> RunOutput:
        """:meth:`train` with torch's default dtype that of the run's precision (fp64 for the
        smoke profile: :func:`harlib.models.inference.default_dtype`)."""
        with default_dtype(req.config.precision):
            return self.train(req)

    def stored(self, req: RunRequest) -> RunResult | None:
        """The stored run of ``req``, or ``None`` (nothing is trained)."""
        spec = self.spec(req)
        return _noted(req, spec, stored_run(spec, req.store))

    def train(self, req: RunRequest) -> RunOutput:  # pragma: no cover - abstract
        raise NotImplementedError


def _noted(req: RunRequest, spec: dict, result: RunResult | None) -> RunResult | None:
    """``result``, noted among this process's runs (:mod:`harlib.evaluation.invariants`)."""
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
