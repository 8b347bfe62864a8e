"""The training engine: fit any registered model on a split of a :class:`WindowSet`.

Defaults follow the WHAR Arena v1 protocol: AdamW (lr 1e-3, weight decay 1e-4), cosine
annealing, batch 64, early stopping on validation macro-F1 with the best weights restored,
cross-entropy weighted by inverse training-class frequency. Normalisation is fitted on the
training windows only. Runs are seeded and deterministic on the CPU, and stored in a
:class:`~harlib.runs.RunStore` so a second call with the same inputs loads instead of training.
"""
from __future__ import annotations

import copy
import sys
import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch
from sklearn.metrics import f1_score
from tqdm import tqdm

from .losses import create_loss
from .metrics import classification_report
from .models import create_model
from .normalization import Standardizer
from .profiles import Profile
from .runs import RunStore, array_fingerprint, run_key
from .splits import Split, overlap_with_training
from .windows import WindowSet


@dataclass(frozen=True)
class TrainConfig:
    max_epochs: int = 100
    patience: int = 10
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 1e-4
    class_weighted: bool = True
    loss: str = "cross_entropy"
    loss_kwargs: dict = field(default_factory=dict)
    max_train_windows: int | None = None
    max_val_windows: int | None = None
    max_test_windows: int | None = None
    num_threads: int | None = None
    device: str = "cpu"
    profile: str = "custom"

    @classmethod
    def from_profile(cls, profile: Profile, **overrides) -> "TrainConfig":
        base = cls(max_epochs=profile.max_epochs, patience=profile.patience,
                   max_train_windows=profile.max_train_windows,
                   max_val_windows=profile.max_val_windows,
                   max_test_windows=profile.max_test_windows, profile=profile.name)
        return replace(base, **overrides)

    def identity(self) -> dict:
        """What changes the result (device, threads and profile name do not enter the key)."""
        d = asdict(self)
        for k in ("num_threads", "device", "profile"):
            d.pop(k)
        return d


@dataclass
class RunResult:
    key: str
    record: dict
    predictions: dict[str, np.ndarray]
    cached: bool
    store: RunStore

    @property
    def metrics(self) -> dict:
        return self.record["test_metrics"]

    def load_model(self) -> torch.nn.Module:
        """The trained model (best validation epoch), in eval mode."""
        r = self.record
        model = create_model(r["model"], r["in_channels"], r["n_classes"], r["window_length"],
                             **r["model_kwargs"])
        model.load_state_dict(self.store.load_state_dict(self.key))
        return model.eval()

    def standardizer(self) -> Standardizer:
        s = Standardizer()
        s.mean_ = np.asarray(self.record["norm_mean"])
        s.std_ = np.asarray(self.record["norm_std"])
        return s


def seed_everything(seed: int) -> None:
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


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


@torch.no_grad()
def predict(model: torch.nn.Module, X: np.ndarray, batch_size: int = 512,
            device: str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """Class probabilities and embeddings of standardised windows ``X``."""
    model.eval()
    probs, embs = [], []
    for i in range(0, len(X), batch_size):
        xb = torch.from_numpy(X[i:i + batch_size]).to(device)
        z = model.forward_features(xb)
        probs.append(torch.softmax(model.forward_head(z), dim=1).cpu().numpy())
        embs.append(z.cpu().numpy())
    return np.concatenate(probs), np.concatenate(embs)


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


def fit(model_name: str, ws: WindowSet, split: Split, config: TrainConfig, seed: int = 0,
        model_kwargs: dict | None = None, store: RunStore | None = None,
        progress: bool = False, force: bool = False) -> RunResult:
    """Train ``model_name`` on ``split.train`` (early stopping on ``split.val``), evaluate on
    ``split.test``; load the stored run instead when an identical one exists."""
    model_kwargs = dict(model_kwargs or {})
    store = store or RunStore()
    spec = run_spec(ws, split, model_name, model_kwargs, config.identity(), seed)
    key = run_key(spec)
    if store.has(key) and not force:
        return RunResult(key, store.load_result(key), store.load_predictions(key), True, store)

    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    seed_everything(seed)
    train_idx = stratified_subsample(split.train, ws.y, config.max_train_windows, seed)
    val_idx = stratified_subsample(split.val, ws.y, config.max_val_windows, seed + 1)
    test_idx = stratified_subsample(split.test, ws.y, config.max_test_windows, seed + 2)
    if len(train_idx) == 0 or len(val_idx) == 0 or len(test_idx) == 0:
        raise ValueError(f"{split.protocol} fold {split.fold}: empty train, validation or test set")

    norm = Standardizer().fit(ws.X[train_idx])
    Xtr, Xva, Xte = (norm.transform(ws.X[i]) for i in (train_idx, val_idx, test_idx))
    ytr = ws.y[train_idx]
    device = torch.device(config.device)

    model = create_model(model_name, ws.n_channels, ws.n_classes, ws.length, **model_kwargs).to(device)
    weights = None
    if config.class_weighted:
        counts = np.bincount(ytr, minlength=ws.n_classes).astype(np.float64)
        w = np.where(counts > 0, counts.sum() / (ws.n_classes * np.maximum(counts, 1)), 0.0)
        weights = torch.tensor(w, dtype=torch.float32, device=device)
    loss_fn = create_loss(config.loss, class_weights=weights, **config.loss_kwargs).to(device)
    params = list(model.parameters()) + list(loss_fn.parameters())
    opt = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=config.max_epochs)

    Xtr_t = torch.from_numpy(Xtr).to(device)
    ytr_t = torch.from_numpy(ytr).to(device)
    gen = torch.Generator().manual_seed(seed)
    history, best = [], {"f1": -1.0, "epoch": -1, "state": None}
    t0 = time.perf_counter()
    epochs = tqdm(range(config.max_epochs), desc=f"{model_name} {ws.dataset} {split.protocol}"
                  f"/{split.fold} s{seed}", disable=not progress, file=sys.stderr, leave=False)
    for epoch in epochs:
        model.train()
        order = torch.randperm(len(Xtr_t), generator=gen).to(device)
        total, n_seen = 0.0, 0
        for i in range(0, len(order), config.batch_size):
            b = order[i:i + config.batch_size]
            if len(b) < 2:  # BatchNorm needs two samples
                continue
            z = model.forward_features(Xtr_t[b])
            loss = loss_fn(model.forward_head(z), z, ytr_t[b])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(b)
            n_seen += len(b)
        sched.step()
        proba, _ = predict(model, Xva, device=device)
        val_f1 = f1_score(ws.y[val_idx], proba.argmax(1), average="macro", zero_division=0)
        history.append({"epoch": epoch + 1, "train_loss": total / max(1, n_seen),
                        "val_f1_macro": float(val_f1)})
        epochs.set_postfix(loss=f"{total / max(1, n_seen):.3f}", val_f1=f"{val_f1:.3f}")
        if val_f1 > best["f1"]:
            best = {"f1": float(val_f1), "epoch": epoch + 1,
                    "state": copy.deepcopy(model.state_dict())}
        elif epoch + 1 - best["epoch"] >= config.patience:
            break
    train_seconds = time.perf_counter() - t0
    model.load_state_dict(best["state"])
    proba, emb = predict(model, Xte, device=device)
    val_proba, _ = predict(model, Xva, device=device)
    record = {
        **spec, "key": key, "profile": config.profile, "train_config": asdict(config),
        "in_channels": ws.n_channels, "n_classes": ws.n_classes, "window_length": ws.length,
        "class_names": list(ws.class_names),
        "n_windows": {"train": len(train_idx), "val": len(val_idx), "test": len(test_idx)},
        "test_overlap_with_train": overlap_with_training(
            ws, replace(split, train=train_idx, val=val_idx, test=test_idx)),
        "best_epoch": best["epoch"], "epochs_run": len(history), "train_seconds": train_seconds,
        "n_parameters": sum(p.numel() for p in model.parameters()),
        "val_metrics": classification_report(ws.y[val_idx], val_proba.argmax(1), val_proba),
        "test_metrics": classification_report(ws.y[test_idx], proba.argmax(1), proba),
        "history": history, "norm_mean": norm.mean_.tolist(), "norm_std": norm.std_.tolist(),
        "torch": torch.__version__,
    }
    predictions = {"test_index": test_idx, "y_true": ws.y[test_idx], "proba": proba.astype(np.float32),
                   "embedding": emb.astype(np.float32)}
    store.save(key, record, predictions, {k: v.cpu() for k, v in best["state"].items()})
    return RunResult(key, record, predictions, False, store)
