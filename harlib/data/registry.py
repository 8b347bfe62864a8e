"""The dataset registry and the cached loader ``load_dataset``."""
from __future__ import annotations

import glob
import re
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..core.atomic import CacheWarning, lock, remove_stale, tree_fingerprint
from ..core.config import cache_dir
from ..core.registry import Registry
from .archive import DatasetNotFoundError, Source, locate
from .base import HARDataset

# temporaries of harlib versions before unique names: "<name>-v<version>.npz.partial.npz"
_LEGACY_TEMP = re.compile(r".+\.npz\.partial\.npz")


@dataclass(frozen=True)
class DatasetSpec:
    """How to build a dataset. ``version`` is bumped whenever parsing changes; together with
    the identity of the raw files the builder reads (``sources``) it keys the cache."""

    name: str
    build: Callable[[], HARDataset]
    version: int
    summary: str
    sources: tuple[Source, ...] = ()


DATASETS: Registry[DatasetSpec] = Registry("dataset")


def register_dataset(name: str, *, version: int = 1, summary: str = "",
                     sources: tuple[Source, ...] = (), replace: bool = False):
    """Decorator registering a zero-argument builder that returns a :class:`HARDataset`.
    ``sources``: the :class:`Source` objects the builder locates; a change to their files
    (size or modification time) makes the next load parse them again. A builder without
    ``sources`` is run on every load and its arrays are never cached: nothing would tell
    when its files or its code changed. Running the same registration again (a notebook
    cell) replaces it; another builder under a taken name needs ``replace=True``. Either
    way the cached arrays of the name (``<name>-v*.npz``, the name as written) are removed."""

    def decorator(build: Callable[[], HARDataset]):
        again = name in DATASETS
        DATASETS.register(name, replace=replace)(DatasetSpec(name, build, version, summary,
                                                             tuple(sources)))
        if again:        # the builder may have changed: its cached arrays no longer count
            for old in cache_dir("parsed").glob(f"{glob.escape(name)}-v*.npz"):
                old.unlink(missing_ok=True)
        return build

    return decorator


def dataset_names() -> list[str]:
    return DATASETS.names()


def source_identity(spec: DatasetSpec) -> str | None:
    """A digest of every file under the located roots of ``spec.sources`` (path, size,
    modification time), extracting archives where needed; ``None`` if it declares none."""
    if not spec.sources:
        return None
    parts = []
    for source in spec.sources:            # a builder may fall back from one source to another
        try:
            parts.append(tree_fingerprint(locate(source)))
        except DatasetNotFoundError:
            parts.append(f"{source.name}:absent")
    return "+".join(parts)


def _read_cache(path: Path, identity: str | None, check: bool = True) -> HARDataset | None:
    """The parsed dataset at ``path`` if it is readable and was parsed from raw files with
    ``identity``; ``None`` otherwise (a damaged file is reported and removed)."""
    if not path.is_file():
        return None
    try:
        ds, stored = HARDataset.load_with_source(path)
    except Exception as exc:  # noqa: BLE001 - any failure to read our own cache means: rebuild
        warnings.warn(f"{path}: the parsed-dataset cache is damaged ({type(exc).__name__}: "
                      f"{exc}); it is removed and rebuilt from the raw files", CacheWarning,
                      stacklevel=3)
        path.unlink(missing_ok=True)
        return None
    if check and stored != identity:
        return None                       # parsed from other raw files: parse again
    return ds


def _build(spec: DatasetSpec) -> HARDataset:
    """Run the builder of ``spec`` and check what it returns: a :class:`HARDataset` with no
    NaN or infinite value."""
    ds = spec.build()
    if not isinstance(ds, HARDataset):
        raise TypeError(f"dataset {spec.name!r}: its builder {getattr(spec.build, '__qualname__', spec.build)!r} "
                        f"returned a {type(ds).__name__}; a builder must return a HARDataset")
    ds.check_finite()
    return ds


def load_dataset(name: str, *, use_cache: bool = True, verbose: bool = False) -> HARDataset:
    """Load a registered dataset by name.

    The first call parses the raw files (extracting a verified archive if needed), checks
    that no NaN or infinite value is left, and stores the arrays in
    ``$HARLIB_CACHE/parsed``; later calls read that file as long as the raw files are
    unchanged (same paths, sizes and modification times). A damaged cache file is reported
    (:class:`CacheWarning`) and rebuilt. Concurrent processes parse a dataset once: the
    others wait for it and read the result. A dataset registered without ``sources`` is
    built on every call (:func:`register_dataset`).
    """
    spec = DATASETS.get(name)
    t0 = time.perf_counter()
    if not (use_cache and spec.sources):
        ds, how = _build(spec), "raw files"
    else:
        parsed = cache_dir("parsed")
        remove_stale(parsed, _LEGACY_TEMP)
        path = parsed / f"{spec.name}-v{spec.version}.npz"
        try:
            identity = source_identity(spec)
        except DatasetNotFoundError:
            ds = _read_cache(path, None, check=False)   # raw files gone: the cache is all there is
            if ds is None:
                raise
            identity, how = None, "cache (raw files not found)"
        else:
            ds, how = _read_cache(path, identity), "cache"
        if ds is None:
            with lock(f"parsed-{path.stem}"):
                ds = _read_cache(path, identity)      # another process may have just written it
                if ds is None:
                    ds = _build(spec)
                    ds.save(path, source=identity)
                    how = "raw files"
    if verbose:
        print(f"{name}: loaded from {how} in {time.perf_counter() - t0:.1f} s")
    return ds
