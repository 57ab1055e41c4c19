"""Atomic file writes: write beside the target, then rename onto it.

A reader never sees a half-written file, and an interrupted write leaves nothing under the
final name (the temporary file is removed). A write that fails because the disk is full
raises :class:`~humanalign.errors.DiskFullError` naming the file, not the bare ``OSError``
of the library that was writing; one stopped by a file-size limit raises
:class:`~humanalign.errors.FileSizeLimitError`, and one into a read-only folder, or a
"folder" that is a file, :class:`~humanalign.errors.NotWritableError`.

:func:`file_state` says which file a path holds now, so that what was read from it can be
kept in memory until the file is rewritten or replaced.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import DiskFullError, FileSizeLimitError, NotWritableError

__all__ = ["atomic_path", "file_state", "follow_umask", "probe_writable", "raise_if_disk_full", "raise_if_not_writable",
           "write_text_atomic"]

# "No space left on device" and "disk quota exceeded" (the latter is not defined everywhere).
_FULL = frozenset(code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None)) if code is not None)


# numpy reports a short write (the disk filled up under it) without an errno.
_SHORT_WRITE = re.compile(r"\d+ requested and \d+ written")
_FOLDERS = "point HUMANALIGN_DATA (data) or HUMANALIGN_CACHE (features, results) at"
_NOT_WRITABLE = frozenset(code for code in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EEXIST,
                                            errno.EISDIR) if code is not None)


def raise_if_disk_full(err: BaseException, path: str | os.PathLike) -> None:
    """Raise :class:`DiskFullError` naming ``path`` when ``err`` says its disk or quota is full
    (or :class:`FileSizeLimitError` when a file-size limit stopped it).

    Writers call this in their ``except OSError`` clause, before their own handling.

    Raises:
        DiskFullError: ``err`` is an ``OSError`` with errno ``ENOSPC`` or ``EDQUOT``, or a
            short write without an errno (numpy's "N requested and M written").
        FileSizeLimitError: ``err`` has errno ``EFBIG``.
    """
    if not isinstance(err, OSError):
        return
    if err.errno in _FULL or (err.errno is None and _SHORT_WRITE.search(str(err))):
        cause = err.strerror or ("the file was cut short: " + " ".join(str(err).split()))
        raise DiskFullError(
            f"No space left to write {path} ({cause}): its disk or your quota is full; "
            f"the file was not written. Free some space there, or {_FOLDERS} a folder on a disk with room, "
            "then run again."
        ) from err
    if err.errno == errno.EFBIG:
        raise FileSizeLimitError(
            f"Could not write {path} ({err.strerror or err}): it reached this session's file-size limit "
            "(ulimit -f); the file was not written. Lift the limit (ulimit -f unlimited) and run again."
        ) from err


def raise_if_not_writable(err: BaseException, path: str | os.PathLike) -> None:
    """Raise :class:`NotWritableError` naming ``path`` and the cause when ``err`` says its folder
    cannot take the file: read-only, not the user's, or a file where a folder belongs.

    Raises:
        NotWritableError: ``err`` is an ``OSError`` with errno ``EACCES``, ``EPERM``,
            ``EROFS``, ``ENOTDIR``, ``EEXIST`` or ``EISDIR``.
    """
    if not isinstance(err, OSError) or err.errno not in _NOT_WRITABLE:
        return
    target = Path(path)
    blocker = next((p for p in (target.parent, *target.parent.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        cause = f"{blocker} is a file, not a folder"
    elif target.is_dir():
        cause = f"{target} is a folder, where a file belongs"
    else:
        cause = f"its folder cannot be written: {err.strerror or err}"
    raise NotWritableError(
        f"Could not write {path}: {cause}. Make the folder writable (or move the file out of the way), "
        f"or {_FOLDERS} a writable folder, then run again."
    ) from err


def _umask() -> int:
    # os.umask can only be read by setting it; put the old value straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def follow_umask(path: str | os.PathLike, folder: bool = False) -> None:
    """Give ``path`` the permissions a plain ``open`` or ``mkdir`` would have given it.

    ``tempfile`` creates private files (0600) and folders (0700); a cache shared on a lab
    machine must instead be readable as the user's umask allows.
    """
    os.chmod(path, (0o777 if folder else 0o666) & ~_umask())


def probe_writable(folder: str | os.PathLike) -> None:
    """Create ``folder`` when missing and write (then drop) a file in it.

    Raises:
        OSError: the folder cannot be created or written; the caller names what to do.
    """
    Path(folder).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=folder):
        pass


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; it replaces ``path`` when the block succeeds.

    Args:
        path: Final location; its folder is created.
        suffix: Ending of the temporary name. Writers that append their own extension
            (``np.savez`` adds ``.npz``) need a suffix that already ends with it.

    Raises:
        DiskFullError: the disk or quota filled up while writing; ``path`` is unchanged.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=path.name + ".", suffix=suffix, dir=path.parent)
    except OSError as err:
        raise_if_disk_full(err, path)
        raise_if_not_writable(err, path)
        raise
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if tmp.exists():
            follow_umask(tmp)
        os.replace(tmp, path)
    except OSError as err:
        raise_if_disk_full(err, path)
        # Only a failure to write this file speaks of its folder (not one of the block's own reads).
        if getattr(err, "filename", None) in (None, str(tmp), str(path)):
            raise_if_not_writable(err, path)
        raise
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def file_state(path: str | os.PathLike) -> tuple | None:
    """Which file a path holds now: its name, device, inode, size and modification time (a
    rewritten or replaced file is another state), or ``None`` when it cannot be read. The
    key of the in-memory copies of files (hashes, parsed data, cached arrays)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (os.fspath(path), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
