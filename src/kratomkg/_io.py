"""Write outputs atomically: a failed run never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

__all__ = [
    "atomic_text_stream",
    "atomic_write_bytes",
    "atomic_write_text",
    "release_lock",
    "replace_directory",
    "staging_directory",
]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``.

    Only a regular file (or nothing) at ``path`` is replaced that way. A FIFO, a terminal or
    a device (``/dev/stdout``, ``/dev/full``) is written into directly: renaming over it
    would turn the device into a plain file. A symbolic link is followed, so the file it
    points to is replaced and the link stays a link. A folder is refused.
    """
    with atomic_stream(path) as handle:
        handle.write(data)


@contextlib.contextmanager
def atomic_stream(path: Path) -> Iterator[BinaryIO]:
    """Yield a binary file for ``path`` that replaces it only once the block succeeds.

    For output written as it is produced (a long query answer), and the one mechanism
    behind :func:`atomic_write_bytes`: special files (FIFO, device) are written into
    directly, and a failed block leaves ``path`` as it was, with no temporary file.
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode  # follows a symbolic link
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    if mode is not None and not stat.S_ISREG(mode):
        with open(path, "wb") as handle:  # a FIFO or a device: stream into it
            yield handle
        return
    if path.is_symlink():
        path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_text_stream(path: Path) -> Iterator[TextIO]:
    """Yield a UTF-8 text file for ``path``, written as :func:`atomic_stream` writes.

    Line ends are written as given (``newline=""``): CSV's CRLF stays CRLF.
    """
    with atomic_stream(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False)
        try:
            yield text
            text.flush()
        finally:
            text.detach()  # the binary file is closed (and renamed) by atomic_stream


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def staging_directory(target: Path) -> Iterator[Path]:
    """Yield an empty sibling directory of ``target``; it is removed if the block fails."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".staging", dir=target.parent))
    os.chmod(stage, 0o777 & ~_umask())
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def replace_directory(stage: Path, target: Path) -> None:
    """Swap ``stage`` into place as ``target``, keeping the old one until the swap is done."""
    target = Path(target)
    old: Path | None = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        os.rmdir(old)
        os.replace(target, old)
    try:
        os.replace(stage, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


class ReleaseBusyError(OSError):
    """Another process holds the lock of a release folder."""


@contextlib.contextmanager
def release_lock(target: Path) -> Iterator[None]:
    """Hold the lock of ``target`` (a release folder) and clear what killed builds left.

    The lock is ``.<name>.lock`` beside the folder, taken with ``flock`` so it is released
    when its process ends, however it ends. A second build into the same folder fails at
    once with :class:`ReleaseBusyError`. While the lock is held no other build runs, so any
    ``.<name>.*.staging`` or ``.<name>.*.old`` folder beside it is litter from a build that
    was killed, and is removed.
    """
    import fcntl

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.parent / f".{target.name}.lock"
    handle = open(lock_path, "a+b")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReleaseBusyError(
                errno.EBUSY,
                "another kratomkg build is writing this release; run again when it ends",
                str(target),
            ) from None
        stale = sorted(
            p
            for p in target.parent.glob(f".{target.name}.*")
            if p.is_dir() and p.name.endswith((".staging", ".old"))
        )
        olds = [p for p in stale if p.name.endswith(".old")]
        if not target.exists() and olds:
            # A build killed between the two renames of replace_directory: the release is
            # whole in its .old folder, so it goes back before anything is cleared.
            newest = max(olds, key=lambda p: p.stat().st_mtime)
            os.replace(newest, target)
            stale.remove(newest)
        for litter in stale:
            shutil.rmtree(litter, ignore_errors=True)
        yield
    finally:
        handle.close()
