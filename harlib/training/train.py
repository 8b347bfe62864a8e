"""The training entry point: ``fit(model, windows, split, TrainConfig(...))``.

Defaults follow the WHAR Arena v1 protocol: AdamW (lr 1e-3, weight decay 1e-4), cosine
annealing, batch 64, early stopping on validation macro-F1 with the best weights restored,
cross-entropy weighted by inverse training-class frequency. Normalisation is fitted on the
training windows only. Runs are seeded and deterministic on the CPU, and stored in a
:class:`~harlib.training.runs.RunStore` so a second call with the same inputs loads instead of training.

The stages live in :mod:`harlib.training.engine`, the trainers (supervised, pretrain_finetune,
unsupervised, classical) in :mod:`harlib.training.trainers`; ``fit`` picks the trainer and runs it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

from ..core.checks import is_int, is_number
from ..data.windows import WindowSet
from ..evaluation.splits import Split
from ..models.inference import PRECISIONS, predict
from .augment import AUGMENTERS
from .engine import MONITORS, OPTIMIZERS, seed_everything, stratified_subsample
from .losses import LOSSES
from .profiles import Profile
from .runs import RunResult, RunStore
from .samplers import SAMPLERS
from .trainers.base import RunRequest, run_spec
from .trainers.registry import TRAINERS, trainer_for

# Fields added after the first release enter a run's key only when they differ from their
# default, so every run stored before they existed keeps its key.
_KEY_IF_NOT_DEFAULT = ("trainer", "optimizer", "sampler", "sampler_kwargs", "monitor", "precision",
                       "augment", "augment_kwargs", "pretrain_epochs", "trainer_kwargs", "budget_seconds",
                       "budget_keep_windows_to_epochs", "checkpoint", "train_share")
#: which epoch's weights a run keeps (TrainConfig.checkpoint)
CHECKPOINTS = ("best", "last")


#: the largest learning rate TrainConfig accepts (the defaults are 1e-3; a rate above 1 is a
#: slip such as a misplaced exponent, not a setting)
MAX_LR = 1.0
#: the largest batch TrainConfig accepts, in windows (more than any dataset here has for training)
MAX_BATCH_SIZE = 65536


@dataclass(frozen=True)
class TrainConfig:
    """How a run trains. Checked on construction: impossible values raise ``ValueError``
    naming the field and the accepted range, and unknown names ``KeyError`` listing the
    known ones. Integer fields refuse booleans; ``lr`` must be a number in
    ``(0, MAX_LR]``, ``batch_size`` at most ``MAX_BATCH_SIZE`` and ``budget_seconds`` finite.

    trainer: ``supervised`` | ``pretrain_finetune`` | ``unsupervised`` (classical models
        always use ``classical``).
    loss: a registered loss; ``None`` → the trainer's default (cross-entropy, or the
        reconstruction loss for ``unsupervised``).
    sampler: batch sampler (``random``; ``triplet`` for paper C's triplets).
    monitor: the validation score that selects the best epoch; ``None`` → the trainer's.
    train_share: the share of a split's training windows the run may use, in (0, 1]: a
        class-stratified sample of them (seeded by the run's seed), drawn before
        ``max_train_windows`` and the sampler, so that every epoch draws from the same share.
        Paper B's PAMAP2 (50 %) column of Table 3 is ``0.5``; 1 (the default) keeps them all.
    checkpoint: ``best`` keeps the epoch with the best ``monitor`` score and stops after
        ``patience`` epochs without improvement; ``last`` trains every one of ``max_epochs``
        and keeps the last (no selection on validation; ``patience`` is then unused).
    precision: ``fp32``, ``bf16`` (autocast; losses and metrics stay fp32) or ``fp64`` (the
        run in float64: parameters, inputs, losses; :mod:`harlib.models.inference`).
    augment: a registered augmenter for the train-only augmentation stage, with
        ``augment_kwargs`` (``amount``: ``"balance"`` or a ratio; ``fit_windows``: the
        augmenter fits on, and makes its ``amount`` for, a class-stratified sample of this
        many training windows instead of all of them; plus the augmenter's options).
    pretrain_epochs: epochs of pre-training (on synthetic windows for
        ``pretrain_finetune``; per layer-wise stage for ``unsupervised``).
    budget_seconds: a CPU-time budget per run; when set, each network's training windows
        and epochs come from the recorded cost table (:mod:`harlib.training.budget`) instead of
        ``max_train_windows`` and ``max_epochs``, which then act as upper bounds.
    budget_keep_windows_to_epochs: with a budget, keep every training window while at least
        this many epochs fit, and cut windows only below it (``None``: keep ``max_epochs``
        and cut windows first; see :func:`harlib.training.budget.allocate`).
    num_threads, device, profile: do not enter the run key. The thread count can move fp32
        results (torch and MKL split their sums by thread), so the smoke and standard
        profiles train on one thread (``Profile.num_threads``), as their numbers were.
    """

    max_epochs: int = 100
    patience: int = 10
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 1e-4
    class_weighted: bool = True
    loss: str | None = None
    loss_kwargs: dict = field(default_factory=dict)
    max_train_windows: int | None = None
    max_val_windows: int | None = None
    max_test_windows: int | None = None
    num_threads: int | None = None
    device: str = "cpu"
    profile: str = "custom"
    trainer: str = "supervised"
    optimizer: str = "adamw"
    sampler: str = "random"
    sampler_kwargs: dict = field(default_factory=dict)
    monitor: str | None = None
    precision: str = "fp32"
    augment: str | None = None
    augment_kwargs: dict = field(default_factory=dict)
    pretrain_epochs: int = 0
    trainer_kwargs: dict = field(default_factory=dict)
    budget_seconds: float | None = None
    budget_keep_windows_to_epochs: int | None = None
    checkpoint: str = "best"
    train_share: float = 1.0

    def __post_init__(self):
        def need(ok: bool, what: str):
            if not ok:
                raise ValueError(f"TrainConfig: {what}")
        for name, low in (("max_epochs", 1), ("patience", 1), ("pretrain_epochs", 0)):
            v = getattr(self, name)
            need(is_int(v, low), f"{name} must be an integer >= {low}, got {v!r}")
        need(is_int(self.batch_size, 2, MAX_BATCH_SIZE),
             f"batch_size must be an integer >= 2 (BatchNorm needs two windows) and <= {MAX_BATCH_SIZE}, "
             f"got {self.batch_size!r}")
        need(is_number(self.lr) and 0 < self.lr <= MAX_LR,
             f"lr must be > 0 and <= {MAX_LR:g} (a number in (0, {MAX_LR:g}]), got {self.lr!r}")
        need(is_number(self.weight_decay) and self.weight_decay >= 0,
             f"weight_decay must be >= 0 (a finite number), got {self.weight_decay!r}")
        for name in ("max_train_windows", "max_val_windows", "max_test_windows"):
            v = getattr(self, name)
            need(v is None or is_int(v, 2), f"{name} must be None or an integer >= 2, got {v!r}")
        need(self.num_threads is None or is_int(self.num_threads, 1),
             f"num_threads must be None or an integer >= 1, got {self.num_threads!r}")
        k = self.budget_keep_windows_to_epochs
        need(k is None or is_int(k, 1, self.max_epochs),
             f"budget_keep_windows_to_epochs must be None or an integer in [1, max_epochs], got {k!r}")
        need(k is None or self.budget_seconds is not None,
             "budget_keep_windows_to_epochs needs budget_seconds")
        need(self.budget_seconds is None or (is_number(self.budget_seconds) and self.budget_seconds > 0),
             f"budget_seconds must be None or a finite number > 0, got {self.budget_seconds!r}")
        need(is_number(self.train_share) and 0 < self.train_share <= 1,
             f"train_share must be a number in (0, 1], got {self.train_share!r}")
        need(self.train_share == 1 or self.budget_seconds is None,
             "train_share < 1 with budget_seconds: a budgeted run takes its windows from the cost "
             "table; keep a share or a budget, not both")
        need(self.checkpoint in CHECKPOINTS,
             f"checkpoint must be one of {CHECKPOINTS}, got {self.checkpoint!r}")
        need(self.precision in PRECISIONS, f"precision must be one of {PRECISIONS}, got {self.precision!r}")
        need(self.device == "cpu" or str(self.device).startswith("cuda"),
             f"device must be 'cpu' or 'cuda[:n]', got {self.device!r}")
        for d in ("loss_kwargs", "sampler_kwargs", "augment_kwargs", "trainer_kwargs"):
            need(isinstance(getattr(self, d), dict), f"{d} must be a dict, got {getattr(self, d)!r}")
        TRAINERS.get(self.trainer) if self.trainer != "classical" else None
        OPTIMIZERS.get(self.optimizer)
        SAMPLERS.get(self.sampler)
        if self.loss is not None:
            LOSSES.get(self.loss)
        if self.augment is not None:
            AUGMENTERS.get(self.augment)
        if self.monitor is not None and self.monitor not in MONITORS:
            raise KeyError(f"unknown monitor {self.monitor!r}. Known: {', '.join(MONITORS)}")

    @classmethod
    def from_profile(cls, profile: Profile, **overrides) -> "TrainConfig":
        base = dict(max_epochs=profile.max_epochs, patience=profile.patience,
                    max_train_windows=profile.max_train_windows,
                    max_val_windows=profile.max_val_windows,
                    max_test_windows=profile.max_test_windows, num_threads=profile.num_threads,
                    precision=profile.precision, profile=profile.name)
        return cls(**{**base, **overrides})

    @property
    def early_stopping_patience(self) -> int | None:
        """The patience the training loop stops on: ``None`` (every epoch, keep the last)
        under ``checkpoint="last"``."""
        return self.patience if self.checkpoint == "best" else None

    def identity(self) -> dict:
        """What changes the result (device, threads and profile name do not enter the key)."""
        d = asdict(self)
        for k in ("num_threads", "device", "profile"):
            d.pop(k)
        defaults = {f.name: (f.default_factory() if callable(f.default_factory) else f.default)
                    for f in fields(self)}
        for k in _KEY_IF_NOT_DEFAULT:
            if d[k] == defaults[k]:
                d.pop(k)
        return d


def fit(model_name: str, ws: WindowSet, split: Split, config: TrainConfig, seed: int = 0,
        model_kwargs: dict | None = None, store: RunStore | None = None,
        progress: bool = False, force: bool = False, callbacks=(),
        stored_only: bool = False) -> RunResult | None:
    """Train ``model_name`` on ``split.train`` (early stopping on ``split.val``), evaluate on
    ``split.test``; load the stored run instead when an identical one exists.

    ``callbacks``: objects with ``on_epoch_end(row)`` that observe training (a progress
    log, a plot); they must not change the result, which is why they are not in the key.
    ``stored_only``: return the stored run, or ``None`` if there is none (train nothing).
    """
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    trainer = trainer_for(model_name, config)
    config = trainer.resolve(config)
    budget = None
    if config.budget_seconds is not None and trainer.name not in ("classical", "clustering"):
        config, budget = apply_budget(config, model_name, ws, split)
    req = RunRequest(model_name, ws, split, config, seed, dict(model_kwargs or {}), store,
                     progress, tuple(callbacks), budget)
    if stored_only:
        return trainer.stored(req)
    return trainer.run(req, force=force)


#: windows trained per sampled item, by batch sampler (a budget counts items)
WINDOWS_PER_ITEM = {"triplet": 3}


def apply_budget(config: TrainConfig, model_name: str, ws: WindowSet, split: Split,
                 costs: dict | None = None) -> tuple[TrainConfig, dict]:
    """The configuration with the training windows and epochs that ``config.budget_seconds``
    buys ``model_name`` (from the recorded cost table), and the allocation itself."""
    from .budget import allocate, seconds_per_window
    n = len(split.train) if config.max_train_windows is None else min(len(split.train),
                                                                        config.max_train_windows)
    cost = seconds_per_window(model_name, config.precision, ws.n_channels, ws.length, costs)
    cost *= WINDOWS_PER_ITEM.get(config.sampler, 1)   # a triplet trains three windows
    alloc = allocate(n, config.max_epochs, config.budget_seconds, cost,
                     keep_windows_to_epochs=config.budget_keep_windows_to_epochs)
    windows = None if alloc["windows"] >= len(split.train) else alloc["windows"]
    alloc = {**alloc, "model": model_name, "seconds_per_window": cost}
    return replace(config, max_train_windows=windows, max_epochs=alloc["epochs"]), alloc


__all__ = ["TrainConfig", "fit", "predict", "run_spec", "seed_everything", "stratified_subsample",
           "RunResult"]
