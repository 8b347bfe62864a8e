"""On-disk store of finished runs, keyed by a hash of everything that defines them, and the
one skeleton every trainer shares: look the key up, train only when it is missing, save.

A run folder ``$HARLIB_CACHE/runs/<key>/`` holds ``result.json`` (dataset, protocol, fold,
profile, seed, model and training configuration, metrics, history), ``predictions.npz``,
``model.pt`` (the weights, for trained networks) and one ``<name>.pt`` per extra state
(e.g. ``loss.pt``: an adaptive loss's weights). It is written to a temporary folder and
renamed into place, so an interrupted run leaves nothing behind and a re-run grid resumes
from the runs already stored.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from .config import cache_dir


def run_key(spec: dict) -> str:
    """A stable 16-hex-digit key of a JSON-serialisable run specification."""
    blob = json.dumps(spec, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def array_fingerprint(*arrays: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str((a.dtype, a.shape)).encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]


class RunStore:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root is not None else cache_dir("runs")
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.root / key

    def has(self, key: str) -> bool:
        return (self.path(key) / "result.json").is_file()

    def save(self, key: str, result: dict, predictions: dict[str, np.ndarray],
             state_dict: dict | None, extra_states: dict[str, dict] | None = None) -> Path:
        """Write a run atomically; ``extra_states`` maps a name to a state dict (``name.pt``)."""
        dest = self.path(key)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=self.root))
        try:
            np.savez_compressed(tmp / "predictions.npz", **predictions)
            if state_dict is not None:
                torch.save(state_dict, tmp / "model.pt")
            for name, state in (extra_states or {}).items():
                if name == "model" or not name.isidentifier():
                    raise ValueError(f"extra state name {name!r} must be an identifier other than 'model'")
                torch.save(state, tmp / f"{name}.pt")
            (tmp / "result.json").write_text(json.dumps(result, indent=2, default=_jsonable))
            if dest.exists():
                shutil.rmtree(dest)
            tmp.rename(dest)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return dest

    def load_result(self, key: str) -> dict:
        return json.loads((self.path(key) / "result.json").read_text())

    def load_predictions(self, key: str) -> dict[str, np.ndarray]:
        with np.load(self.path(key) / "predictions.npz") as z:
            return {k: z[k] for k in z.files}

    def load_state_dict(self, key: str, name: str = "model") -> dict:
        path = self.path(key) / f"{name}.pt"
        if not path.is_file():
            raise FileNotFoundError(f"run {key} has no stored state {name!r} ({path})")
        return torch.load(path, map_location="cpu", weights_only=True)


@dataclass
class RunOutput:
    """What a trainer hands back to :func:`cached_run`: the record (merged with the run
    specification), the predictions, the model weights and any extra states."""

    record: dict
    predictions: dict[str, np.ndarray]
    state_dict: dict | None = None
    extra_states: dict[str, dict] = field(default_factory=dict)


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
        """The trained network (best validation epoch), in eval mode."""
        from .models import create_model
        r = self.record
        if not (self.store.path(self.key) / "model.pt").is_file():
            raise ValueError(f"run {self.key} ({r['model']}) stored no network weights")
        model = create_model(r["model"], r["in_channels"], r["n_classes"], r["window_length"],
                             channel_groups=r.get("channel_groups"), **r["model_kwargs"])
        model.load_state_dict(self.store.load_state_dict(self.key))
        return model.eval()

    def load_state(self, name: str) -> dict:
        """An extra state stored with the run, e.g. ``"loss"``."""
        return self.store.load_state_dict(self.key, name)

    def standardizer(self):
        from .normalization import Standardizer
        s = Standardizer()
        s.mean_ = np.asarray(self.record["norm_mean"])
        s.std_ = np.asarray(self.record["norm_std"])
        return s


def cached_run(spec: dict, store: RunStore | None, train: Callable[[str], RunOutput],
               force: bool = False) -> RunResult:
    """The run skeleton: return the stored run of ``spec`` if there is one; otherwise call
    ``train(key)``, store its output under the key (the record is prefixed by ``spec`` and
    the key) and return it."""
    store = store or RunStore()
    key = run_key(spec)
    if store.has(key) and not force:
        return RunResult(key, store.load_result(key), store.load_predictions(key), True, store)
    out = train(key)
    record = {**spec, "key": key, **out.record}
    store.save(key, record, out.predictions, out.state_dict, out.extra_states)
    return RunResult(key, record, out.predictions, False, store)


def _jsonable(obj):
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)
