"""On-disk store of finished runs, keyed by a hash of everything that defines them, and the
one skeleton every trainer shares: look the key up, train only when it is missing, save.

A run folder ``$HARLIB_CACHE/runs/<key>/`` holds ``result.json`` (dataset, protocol, fold,
profile, seed, model and training configuration, metrics, history), ``predictions.npz``,
``model.pt`` (the weights, for trained networks) and one ``<name>.pt`` per extra state
(e.g. ``loss.pt``: an adaptive loss's weights) and ``manifest.json`` (size and SHA-256 of
each of those files). It is written to a uniquely named temporary folder and renamed into
place, so an interrupted run leaves nothing behind (a temporary folder of a process that was
killed is removed when the next :class:`RunStore` opens the folder) and a re-run grid
resumes from the runs already stored. Two processes that store the same run at once both
succeed: the first complete copy is kept. A damaged run (a file missing, truncated or
altered; unreadable JSON) is reported with a :class:`~harlib.data.CacheWarning` and counts
as absent, so :func:`cached_run` trains it again.

:func:`cached_run` holds a lock per run key (:meth:`RunStore.lock`, a file lock beside the run
folder) while it trains and saves, so processes that share a store (two notebooks running
one grid, the workers of an executor) train each run once: the others wait and load it. A
full disk while a run is saved raises :class:`~harlib.core.atomic.DiskFullError` naming the
store, and leaves nothing behind.
"""
from __future__ import annotations

import hashlib
import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from ..core import numerics
from ..core.atomic import (
    CacheWarning,
    disk_full_reported,
    file_lock,
    publish_dir,
    remove_stale,
    sha256sum,
    staged_dir,
)
from ..core.config import cache_dir

MANIFEST = "manifest.json"
# temporaries of harlib versions before process ids in names: ".<key>.<random>"
_LEGACY_TEMP = re.compile(r"\.[0-9a-f]{16}\.[a-z0-9_]{8}")


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
        remove_stale(self.root, _LEGACY_TEMP)

    def path(self, key: str) -> Path:
        return self.root / key

    def lock(self, key: str):
        """The inter-process lock of run ``key``: a hidden lock file beside its folder."""
        return file_lock(self.root / f".{key}.lock")

    def damage(self, key: str) -> str | None:
        """Why the stored run ``key`` cannot be used (``"absent"``, or what is damaged), or
        ``None`` if it is complete. Runs with a manifest have every file's size and SHA-256
        checked; older runs have ``result.json`` parsed and ``predictions.npz`` read."""
        folder = self.path(key)
        if not folder.is_dir():
            return "absent"
        if (folder / MANIFEST).is_file():
            try:
                files = json.loads((folder / MANIFEST).read_text())["files"]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                return f"{MANIFEST} is unreadable ({exc})"
            for name, (size, digest) in files.items():
                f = folder / name
                if not f.is_file():
                    return f"{name} is missing"
                if f.stat().st_size != size:
                    return f"{name} has {f.stat().st_size} bytes, {size} were written"
                if sha256sum(f) != digest:
                    return f"{name} does not match its SHA-256 (altered or corrupt)"
            return None
        try:                                               # stored before manifests existed
            json.loads((folder / "result.json").read_text())
            with np.load(folder / "predictions.npz") as z:
                for k in z.files:
                    z[k]
        except Exception as exc:  # noqa: BLE001 - whatever fails, the run is unusable
            return f"{type(exc).__name__}: {exc}"
        return None

    def has(self, key: str) -> bool:
        """Whether a complete run ``key`` is stored; a damaged one is reported and counts as
        absent."""
        why = self.damage(key)
        if why not in (None, "absent"):
            warnings.warn(f"stored run {self.path(key)} is damaged ({why}); it is ignored and "
                          f"will be trained again", CacheWarning, stacklevel=2)
        return why is None

    def result(self, key: str) -> "RunResult":
        """The complete stored run ``key`` (e.g. from a run table's ``run_key`` column), to
        load its model, predictions or standardisation."""
        stored = self.load(key)
        if stored is None:
            raise KeyError(f"no complete run {key!r} in {self.root}")
        return RunResult(key, *stored, True, self)

    def load(self, key: str) -> tuple[dict, dict[str, np.ndarray]] | None:
        """``(record, predictions)`` of a complete stored run, or ``None`` if it is absent or
        damaged (reported)."""
        if not self.has(key):
            return None
        try:
            return self.load_result(key), self.load_predictions(key)
        except Exception as exc:  # noqa: BLE001
            warnings.warn(f"stored run {self.path(key)} cannot be read ({type(exc).__name__}: "
                          f"{exc}); it will be trained again", CacheWarning, stacklevel=2)
            return None

    def save(self, key: str, result: dict, predictions: dict[str, np.ndarray],
             state_dict: dict | None, extra_states: dict[str, dict] | None = None,
             overwrite: bool = False) -> Path:
        """Write a run atomically; ``extra_states`` maps a name to a state dict (``name.pt``).

        If a complete run ``key`` is already stored (another process finished it first), it
        is kept and this copy discarded, unless ``overwrite``; a damaged one is replaced."""
        dest = self.path(key)
        with staged_dir(self.root, key, suffix="") as tmp:
            with disk_full_reported(self.root, f"saving run {key}"):
                np.savez_compressed(tmp / "predictions.npz", **predictions)
                states = {"model": state_dict} if state_dict is not None else {}
                for name, state in (extra_states or {}).items():
                    if name == "model" or not name.isidentifier():
                        raise ValueError(f"extra state name {name!r} must be an identifier other than 'model'")
                    states[name] = state
                for name, state in states.items():
                    with open(tmp / f"{name}.pt", "wb") as f:    # a file object: write errors keep their errno
                        torch.save(state, f)
                (tmp / "result.json").write_text(json.dumps(result, indent=2, default=_jsonable))
                files = {f.name: [f.stat().st_size, sha256sum(f)] for f in sorted(tmp.iterdir())}
                (tmp / MANIFEST).write_text(json.dumps({"files": files}, indent=1))
            if dest.exists() and not overwrite and self.damage(key) is None:
                return dest                         # another process stored it first: keep that
            # a copy renamed into place by another writer meanwhile is used if complete
            publish_dir(tmp, dest, replace_existing=True,
                        existing_ok=lambda: self.damage(key) is None)
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
        from ..models import create_model
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
        from ..data.normalization import Standardizer
        s = Standardizer()
        s.mean_ = np.asarray(self.record["norm_mean"])
        s.std_ = np.asarray(self.record["norm_std"])
        return s


def stored_run(spec: dict, store: RunStore | None = None) -> RunResult | None:
    """The complete stored run of ``spec``, or ``None`` if there is none (a damaged one is
    reported and counts as none). The one lookup of stored runs: :func:`cached_run` uses it,
    and so should anything that only collects stored runs."""
    store = store or RunStore()
    key = run_key(spec)
    stored = store.load(key)
    return None if stored is None else RunResult(key, *stored, True, store)


def cached_run(spec: dict, store: RunStore | None, train: Callable[[str], RunOutput],
               force: bool = False) -> RunResult:
    """The run skeleton: return the stored run of ``spec`` if there is a complete one
    (:func:`stored_run`); otherwise (absent, damaged, or ``force``) call ``train(key)``,
    store its output under the key (the record is prefixed by ``spec`` and the key, and ends
    with the CPU numerics it was trained under, :func:`harlib.core.numerics.state`) and
    return it. Training and saving hold the run's lock (:meth:`RunStore.lock`); a process
    that waited for it looks the run up again and loads what the other one stored. Every
    trainer goes through here."""
    store = store or RunStore()
    found = None if force else stored_run(spec, store)
    if found is not None:
        return found
    key = run_key(spec)
    with store.lock(key):               # another process training this run finishes first
        found = None if force else stored_run(spec, store)
        if found is not None:
            return found
        out = train(key)
        record = {**spec, "key": key, **out.record, "numerics": numerics.state()}
        store.save(key, record, out.predictions, out.state_dict, out.extra_states, overwrite=force)
    return RunResult(key, record, out.predictions, False, store)


def _jsonable(obj):
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)
