"""Finding a dataset on disk: extracted folder, official archive or mirror archive.

The search order for a :class:`Source` is

1. an extracted folder in any ``HARLIB_DATA`` directory (found by its marker file),
2. an archive harlib extracted earlier into ``$HARLIB_CACHE/raw/``,
3. an archive in any ``HARLIB_DATA`` directory, whose SHA-256 is checked (against the
   checksum harlib knows, or a ``SHA256SUMS`` file beside it) before it is
   extracted into a temporary folder that is renamed into place only when complete.

Each extracted folder records the size and modification time of the archive it came from
(``.harlib-archive.json``); when that archive changes (a repaired or newer copy), it is
extracted again. Processes that need the same archive at the same time take turns (a file
lock); should two extract it anyway, the one that renames second discards its copy and uses
the first one's. Temporary folders of processes that died are removed on the next start
(:mod:`harlib.core.atomic`).

Three failures are told apart, and none leaves a folder behind: an archive that cannot be
read (:class:`CorruptArchiveError`: download it again), a tar member that would land outside
the folder or is not a plain file, folder or inside link (:class:`UnsafeArchiveError`, naming
the member: the archive is refused, not repaired), and a full disk
(:class:`~harlib.core.atomic.DiskFullError`, naming the folder).
"""
from __future__ import annotations

import json
import lzma
import re
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..core.atomic import (
    DiskFullError,
    disk_full_reported,
    lock,
    publish_dir,
    remove_stale,
    sha256sum,
    staged_dir,
)
from ..core.config import cache_dir, data_dirs

STAMP = ".harlib-archive.json"
"""File inside an extracted folder naming the archive (name, size, mtime) it came from."""
# temporaries of harlib versions that put no process id in the name: ".<stem>.<random>.partial"
_LEGACY_TEMP = re.compile(r"\..+\.[a-z0-9_]{8}\.partial")


SEARCH_DEPTH = 3
"""How many folder levels below each ``HARLIB_DATA`` folder an extracted dataset is looked for."""


class DatasetNotFoundError(FileNotFoundError):
    """The files of a dataset are not where harlib looks for them."""


class CorruptArchiveError(RuntimeError):
    """An archive failed its checksum or could not be extracted."""


class UnsafeArchiveError(CorruptArchiveError):
    """A tar member would be written outside the extraction folder (``../`` or absolute
    paths, links pointing out) or is a device or other special file; nothing is extracted."""


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


def archive_identity(path: Path) -> dict:
    """What identifies an archive file cheaply: name, size and modification time."""
    st = path.stat()
    return {"archive": path.name, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def read_stamp(folder: Path) -> dict | None:
    try:
        return json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        return None


def is_current(dest: Path, archive: Path) -> bool:
    """Whether ``dest`` holds an extraction of ``archive`` as it is now. A folder extracted by
    a harlib version that wrote no stamp counts if it is newer than the archive."""
    if not dest.is_dir():
        return False
    stamp = read_stamp(dest)
    if stamp is None:
        return dest.stat().st_mtime >= archive.stat().st_mtime
    return stamp == archive_identity(archive)


def extract_archive(path: Path, dest: Path, replace: bool = False) -> Path:
    """Extract ``path`` into ``dest`` atomically and return ``dest``.

    Extraction goes to a uniquely named temporary sibling folder which is renamed to ``dest``
    only after every member was written, so an interruption leaves no partial folder (and
    one left by a killed process is removed on the next start). If another process renamed
    its copy into place first, that copy is used and this one discarded. An existing
    ``dest`` is kept unless ``replace`` is set and it is not an extraction of ``path`` as it
    is now (:func:`is_current`): then it is swapped for the new copy.
    """
    if dest.exists() and not replace:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(dest.parent, _LEGACY_TEMP)
    with staged_dir(dest.parent, dest.name) as tmp:
        try:
            with disk_full_reported(dest.parent, f"extracting {path}"):
                if path.name.endswith(".zip"):
                    with zipfile.ZipFile(path) as zf:
                        zf.extractall(tmp)
                else:
                    with tarfile.open(path) as tf:
                        tf.extractall(tmp, filter="data")
                (tmp / STAMP).write_text(json.dumps(archive_identity(path)))
        except tarfile.FilterError as exc:
            raise UnsafeArchiveError(f"{path}: unsafe archive, refused: member {exc.tarinfo.name!r} "
                                     f"({exc}). Nothing was extracted") from exc
        except (tarfile.TarError, zipfile.BadZipFile, lzma.LZMAError, zlib.error, EOFError,
                OSError, ValueError) as exc:
            if isinstance(exc, DiskFullError):
                raise
            raise CorruptArchiveError(f"{path}: cannot be extracted ({type(exc).__name__}: "
                                      f"{exc}); the archive is corrupt or truncated") from exc
        # if another process renamed its complete copy into place first, that one is used
        publish_dir(tmp, dest, replace_existing=replace and dest.exists() and not is_current(dest, path),
                    existing_ok=dest.is_dir)
    return dest


def _first_archive(name: str) -> Path | None:
    for d in data_dirs():
        if (d / name).is_file():
            return d / name
    return None


def locate(source: Source) -> Path:
    """The root folder of ``source`` (extracting a verified archive if needed)."""
    for d in data_dirs():
        root = _find_marker(d, source.marker, depth=SEARCH_DEPTH)
        if root is not None:
            return root
    raw = cache_dir("raw")
    remove_stale(raw, _LEGACY_TEMP)
    for name in source.archives:           # extracted earlier, from the archive as it is now
        archive = _first_archive(name)
        dest = raw / _archive_stem(name)
        if archive is not None and not is_current(dest, archive):
            continue
        root = _find_marker(dest, source.marker)
        if root is not None:
            return root
    incomplete = []
    for d in data_dirs():
        for name, checksum in source.archives.items():
            path = d / name
            if not path.is_file() or _first_archive(name) != path:
                continue
            dest = raw / _archive_stem(name)
            if not is_current(dest, path):
                with lock(f"raw-{dest.name}"):      # another process may be extracting it
                    if not is_current(dest, path):
                        verify_archive(path, checksum)
                        extract_archive(path, dest, replace=True)
            root = _find_marker(dest, source.marker)
            if root is not None:
                return root
            incomplete.append(str(path))
    searched = ", ".join(str(d) for d in data_dirs())
    msg = [f"dataset {source.name!r}: no file '{source.marker}' found.",
           f"Searched HARLIB_DATA folders ({searched}) and up to {SEARCH_DEPTH} folder levels "
           f"below each for an extracted folder containing it, and the folders themselves for "
           f"the archives {', '.join(source.archives) or '(none)'}."]
    if incomplete:
        msg.append(f"These archives were found but do not contain it (partial copies): "
                   f"{', '.join(incomplete)}.")
    if source.note:
        msg.append(source.note)
    if source.urls:
        msg.append(f"Download from {' or '.join(source.urls)} into one of the HARLIB_DATA folders.")
    raise DatasetNotFoundError(" ".join(msg))
