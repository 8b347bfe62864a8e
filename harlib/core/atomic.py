"""Temporary files and folders renamed into place when complete, locks, and the removal of
temporaries a dead process left behind.

Every temporary harlib writes (an archive being extracted under ``raw/``, a parsed dataset
under ``parsed/``, a run being saved under ``runs/``) is named
``.<name>.pid<PID>-<host>.<random><suffix>``: unique, hidden, and carrying the process id
and a tag of the machine that owns it. :func:`remove_stale` deletes those whose owner is no
longer running (``kill -9``, a crash, a power cut), so an interruption leaves nothing behind
for long; temporaries of a live process are never touched. Temporaries from another machine
sharing the cache (whose processes cannot be checked) and from harlib versions before this
naming are removed only once they are :data:`FOREIGN_AGE_S` old.

A temporary folder gets the permissions of a plain new folder (``0777`` less the umask), so
what is renamed into place (an extracted archive, a stored run) can be read by the other
users of a shared cache as its other files can. A full disk while writing any of them raises
:class:`DiskFullError`, which names the path (:func:`disk_full_reported`).
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
import socket
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: rely on unique names and rename races only
    fcntl = None

HOST_TAG = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]
FOREIGN_AGE_S = 24 * 3600
_OWNED = re.compile(r"^\..*\.pid(\d+)-([0-9a-f]{8})\.[A-Za-z0-9_]+(\.[A-Za-z0-9_.]+)?$")
_cleaned: set[Path] = set()


class CacheWarning(UserWarning):
    """A cached file (a parsed dataset, a stored run) is damaged; it is rebuilt or retrained."""


class DiskFullError(OSError):
    """The disk filled up while harlib was writing; the message names where and what."""


@contextlib.contextmanager
def disk_full_reported(path: Path, doing: str):
    """Turn a full disk (``OSError`` with ``ENOSPC``) inside the block into a
    :class:`DiskFullError` naming ``path`` and what was being done; other errors pass."""
    try:
        yield
    except OSError as exc:
        if exc.errno != errno.ENOSPC or isinstance(exc, DiskFullError):
            raise
        raise DiskFullError(errno.ENOSPC, f"disk full: no space left on the device of {path} "
                            f"while {doing}; nothing was kept. Free some space and try again") from exc


def _prefix(name: str) -> str:
    return f".{name}.pid{os.getpid()}-{HOST_TAG}."


def temp_dir(parent: Path, name: str, suffix: str = ".partial") -> Path:
    """A new, empty, uniquely named hidden folder in ``parent`` owned by this process, with
    the permissions of a plain new folder (``mkdtemp`` would make it ``0700``)."""
    parent.mkdir(parents=True, exist_ok=True)
    while True:
        path = parent / f"{_prefix(name)}{secrets.token_hex(4)}{suffix}"
        try:
            path.mkdir()                     # 0777 less the umask
            return path
        except FileExistsError:
            continue


@contextlib.contextmanager
def staged_dir(parent: Path, name: str, suffix: str = ".partial"):
    """A temporary folder (:func:`temp_dir`) to fill before :func:`publish_dir` renames it
    into place; whatever is left of it on the way out (an error, a copy not needed) is
    removed."""
    tmp = temp_dir(parent, name, suffix)
    try:
        yield tmp
    finally:
        if tmp.exists():
            remove(tmp)


def publish_dir(tmp: Path, dest: Path, replace_existing: bool, existing_ok) -> None:
    """Rename the complete folder ``tmp`` to ``dest``, atomically.

    ``replace_existing``: an existing ``dest`` is first moved aside onto a fresh temporary
    folder (then removed), so ``dest`` is never half old, half new. If the rename fails
    because another process put its own ``dest`` in place first, ``existing_ok()`` says
    whether that copy can be used (else the error is raised)."""
    old = None
    try:
        if replace_existing and dest.exists():
            old = temp_dir(dest.parent, dest.name, suffix=".old")
            try:
                os.replace(dest, old)          # onto the empty folder just made
            except FileNotFoundError:          # another process moved it already
                pass
        try:
            tmp.rename(dest)
        except OSError:
            if not existing_ok():
                raise
    finally:
        if old is not None and old.exists():
            remove(old)


def temp_file(parent: Path, name: str, suffix: str = ".partial") -> tuple[int, Path]:
    """``(fd, path)`` of a new, uniquely named hidden file in ``parent`` owned by this process."""
    parent.mkdir(parents=True, exist_ok=True)
    fd, path = tempfile.mkstemp(prefix=_prefix(name), suffix=suffix, dir=parent)
    return fd, Path(path)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (a reused id counts as alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:          # PermissionError: it exists but belongs to another user
        return True
    return True


def is_stale(path: Path, legacy: re.Pattern | None = None, now: float | None = None) -> bool:
    """Whether ``path`` is a temporary whose owner is gone (see the module doc)."""
    m = _OWNED.match(path.name)
    if m is not None and m[2] == HOST_TAG:
        return not pid_alive(int(m[1]))
    if m is None and (legacy is None or not legacy.fullmatch(path.name)):
        return False                                     # not a temporary at all
    try:                                                 # another machine's, or an old name
        age = (now or time.time()) - path.lstat().st_mtime
    except FileNotFoundError:
        return False
    return age > FOREIGN_AGE_S


def remove(path: Path) -> None:
    """Delete a file or a folder tree; a path already gone is fine."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def remove_stale(folder: Path, legacy: re.Pattern | None = None, once: bool = True) -> list[Path]:
    """Remove the stale temporaries directly inside ``folder`` and return them. With
    ``once`` a folder is swept only on its first use in this process (the "next start")."""
    folder = Path(folder)
    if once and folder in _cleaned:
        return []
    _cleaned.add(folder)
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return []
    now = time.time()
    stale = [p for p in entries if is_stale(p, legacy, now)]
    for p in stale:
        remove(p)
    return stale


@contextlib.contextmanager
def file_lock(path: Path):
    """An exclusive inter-process lock on the file ``path`` (created on demand; other
    processes wait for it; released when the block ends or the process dies). The holder
    removes the file when it is done, so no lock files pile up; a waiter that wakes up on a
    removed file takes the lock again on the current one, so two holders never overlap.
    A no-op where ``fcntl`` is missing (unique names and rename races still keep results whole)."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    path = Path(path)
    while True:
        f = open(path, "a+b")
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            if os.stat(path).st_ino == os.fstat(f.fileno()).st_ino:
                break
        except FileNotFoundError:
            pass
        f.close()                            # the file was removed while this one waited
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        f.close()


def lock(name: str):
    """An exclusive inter-process lock named ``name``: :func:`file_lock` on
    ``$HARLIB_CACHE/locks/<name>.lock``."""
    from .config import cache_dir
    return file_lock(cache_dir("locks") / f"{name}.lock")


def sha256sum(path: Path, chunk: int = 1 << 20) -> str:
    """The SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def tree_fingerprint(root: Path) -> str:
    """A digest of the relative path, size and modification time of every file under
    ``root``: it changes when any file is added, removed, replaced or edited."""
    h = hashlib.sha256()
    root = Path(root)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            h.update(f"{p.relative_to(root).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]
