"""Finding a dataset on disk: extracted folder, official archive or mirror archive.

The search order for a :class:`Source` is

1. an extracted folder in any ``HARLIB_DATA`` directory (found by its marker file),
2. an archive harlib extracted earlier into ``$HARLIB_CACHE/raw/``,
3. an archive in any ``HARLIB_DATA`` directory, whose SHA-256 is checked (against the
   checksum harlib knows, or a ``SHA256SUMS`` file beside it) before it is
   extracted into a temporary folder that is renamed into place only when complete.
"""
from __future__ import annotations

import hashlib
import shutil
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..config import cache_dir, data_dirs


class DatasetNotFoundError(FileNotFoundError):
    """The files of a dataset are not where harlib looks for them."""


class CorruptArchiveError(RuntimeError):
    """An archive failed its checksum or could not be extracted."""


@dataclass(frozen=True)
class Source:
    """Where a dataset's raw files can come from.

    marker: a path, relative to the dataset's root folder, that only a complete copy has.
    archives: file names of archives that contain that root (mirror and official),
        mapped to their SHA-256 where known.
    urls: official download locations, quoted in the error when nothing is found.
    """

    name: str
    marker: str
    archives: dict[str, str | None] = field(default_factory=dict)
    urls: tuple[str, ...] = ()
    note: str = ""


def sha256sum(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def _listed_checksum(archive: Path) -> str | None:
    sums = archive.parent / "SHA256SUMS"
    if not sums.is_file():
        return None
    for line in sums.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("*") == archive.name:
            return parts[0].lower()
    return None


def _find_marker(folder: Path, marker: str, depth: int = 3) -> Path | None:
    """The root below ``folder`` (up to ``depth`` levels down) that contains ``marker``."""
    if not folder.is_dir():
        return None
    level = [folder]
    for _ in range(depth + 1):
        for d in level:
            if (d / marker).is_file():
                return d
        level = [c for d in level for c in sorted(d.iterdir()) if c.is_dir()
                 and not c.name.startswith(".")]
        if not level:
            break
    return None


def _archive_stem(name: str) -> str:
    for suffix in (".tar.xz", ".tar.gz", ".tgz", ".tar", ".zip"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def verify_archive(path: Path, expected: str | None) -> None:
    """Raise :class:`CorruptArchiveError` if ``path`` does not have the expected SHA-256."""
    expected = expected or _listed_checksum(path)
    if expected is None:
        return
    got = sha256sum(path)
    if got != expected.lower():
        raise CorruptArchiveError(
            f"{path}: SHA-256 is {got}, expected {expected}. The file is corrupt or truncated; "
            f"download it again.")


def extract_archive(path: Path, dest: Path) -> Path:
    """Extract ``path`` into ``dest`` atomically and return ``dest``.

    Extraction goes to a temporary sibling folder which is renamed to ``dest``
    only after every member was written, so an interruption leaves no partial folder.
    """
    if dest.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent))
    try:
        try:
            if path.name.endswith(".zip"):
                with zipfile.ZipFile(path) as zf:
                    zf.extractall(tmp)
            else:
                with tarfile.open(path) as tf:
                    tf.extractall(tmp, filter="data")
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise CorruptArchiveError(f"{path}: cannot be extracted ({exc}); "
                                      f"the archive is corrupt or truncated") from exc
        tmp.chmod(0o755)
        tmp.rename(dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return dest


def locate(source: Source) -> Path:
    """The root folder of ``source`` (extracting a verified archive if needed)."""
    for d in data_dirs():
        root = _find_marker(d, source.marker, depth=2)
        if root is not None:
            return root
    raw = cache_dir("raw")
    for name in source.archives:
        root = _find_marker(raw / _archive_stem(name), source.marker)
        if root is not None:
            return root
    incomplete = []
    for d in data_dirs():
        for name, checksum in source.archives.items():
            path = d / name
            if not path.is_file():
                continue
            dest = raw / _archive_stem(name)
            if not dest.exists():
                verify_archive(path, checksum)
                extract_archive(path, dest)
            root = _find_marker(dest, source.marker)
            if root is not None:
                return root
            incomplete.append(str(path))
    searched = ", ".join(str(d) for d in data_dirs())
    msg = [f"dataset {source.name!r}: no file '{source.marker}' found.",
           f"Searched HARLIB_DATA folders ({searched}) for an extracted folder containing it"
           f" and for the archives {', '.join(source.archives) or '(none)'}."]
    if incomplete:
        msg.append(f"These archives were found but do not contain it (partial copies): "
                   f"{', '.join(incomplete)}.")
    if source.note:
        msg.append(source.note)
    if source.urls:
        msg.append(f"Download from {' or '.join(source.urls)} into one of the HARLIB_DATA folders.")
    raise DatasetNotFoundError(" ".join(msg))
