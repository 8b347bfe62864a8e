"""The dataset registry and the cached loader ``load_dataset``."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from ..config import cache_dir
from ..registry import Registry
from .base import HARDataset


@dataclass(frozen=True)
class DatasetSpec:
    """How to build a dataset. ``version`` is bumped whenever parsing changes (it keys the cache)."""

    name: str
    build: Callable[[], HARDataset]
    version: int
    summary: str


DATASETS: Registry[DatasetSpec] = Registry("dataset")


def register_dataset(name: str, *, version: int = 1, summary: str = ""):
    """Decorator registering a zero-argument builder that returns a :class:`HARDataset`."""

    def decorator(build: Callable[[], HARDataset]):
        DATASETS.register(name)(DatasetSpec(name, build, version, summary))
        return build

    return decorator


def dataset_names() -> list[str]:
    return DATASETS.names()


def load_dataset(name: str, *, use_cache: bool = True, verbose: bool = False) -> HARDataset:
    """Load a registered dataset by name.

    The first call parses the raw files (extracting a verified archive if needed) and
    stores the arrays in ``$HARLIB_CACHE/parsed``; later calls read that file.
    """
    spec = DATASETS.get(name)
    path = cache_dir("parsed") / f"{spec.name}-v{spec.version}.npz"
    t0 = time.perf_counter()
    if use_cache and path.is_file():
        ds = HARDataset.load(path)
        how = "cache"
    else:
        ds = spec.build()
        if use_cache:
            ds.save(path)
        how = "raw files"
    if verbose:
        print(f"{name}: loaded from {how} in {time.perf_counter() - t0:.1f} s")
    return ds
