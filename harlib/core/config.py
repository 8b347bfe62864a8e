"""Where harlib looks for raw data and where it keeps its caches.

Two environment variables, both optional:

``HARLIB_DATA``
    One or more folders (separated by ``os.pathsep``) that may hold a dataset
    as an extracted folder, as the official archive from its publisher, or as
    a mirror archive (``*.tar.xz`` with a ``SHA256SUMS`` file beside it).
    Default: ``~/.cache/harlib/data`` (put downloads there).
``HARLIB_CACHE``
    Where extracted archives, parsed arrays and trained runs are stored.
    Default: ``~/.cache/harlib``.
"""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_ROOT = Path.home() / ".cache" / "harlib"


def data_dirs() -> list[Path]:
    """Folders searched for datasets, in order."""
    raw = os.environ.get("HARLIB_DATA", "")
    dirs = [Path(p).expanduser() for p in raw.split(os.pathsep) if p.strip()]
    return dirs or [DEFAULT_ROOT / "data"]


def cache_dir(*parts: str) -> Path:
    """A sub-folder of the cache (created on demand)."""
    root = Path(os.environ.get("HARLIB_CACHE", "") or DEFAULT_ROOT).expanduser()
    path = root.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path
