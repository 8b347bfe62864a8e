"""On-disk store of finished training runs, keyed by a hash of everything that defines them.

A run folder ``$HARLIB_CACHE/runs/<key>/`` holds ``result.json`` (dataset, protocol, fold,
profile, seed, model and training configuration, metrics, history), ``predictions.npz``
and ``model.pt``. It is written to a temporary folder and renamed into place, so an
interrupted run leaves nothing behind and a re-run grid resumes from the runs already stored.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

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
             state_dict: dict | None) -> Path:
        dest = self.path(key)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=self.root))
        try:
            np.savez_compressed(tmp / "predictions.npz", **predictions)
            if state_dict is not None:
                torch.save(state_dict, tmp / "model.pt")
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

    def load_state_dict(self, key: str) -> dict:
        return torch.load(self.path(key) / "model.pt", map_location="cpu", weights_only=True)


def _jsonable(obj):
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)
