"""Atomic file writes: nothing is ever half-written or clobbered by a failed run.

Every output goes to a temporary file in the target's directory, is flushed
and fsynced, then renamed over the target (an atomic replace on POSIX and
Windows) and the directory is fsynced. If anything fails — an exception, a
full disk, Ctrl-C — the temporary file is removed and the previous target is
untouched. Only a killed process (SIGKILL, power cut) can leave the hidden
temporary file ``.NAME.XXXX.tmp`` behind; the target is never half-written.
A replaced file keeps its permissions; a read-only target is refused.

Rename is for regular files only. A symlink is followed: its target is written
atomically (the temporary file beside the target) and the link stays a link.
A character device or a named pipe (``/dev/null``, ``/dev/stdout``, a FIFO) is
written straight through, never created, truncated or replaced; writing to a
FIFO waits for its reader, as a shell redirection does. Anything else that is
not a regular file (a socket, a block device) is refused (:class:`NotRegularFileError`,
a usage error); a directory is refused as before.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from kpitool.errors import ExitKind, KpitoolError

__all__ = ["NotRegularFileError", "WriteError", "atomic_path", "write_bytes_atomic", "write_text_atomic"]


class WriteError(KpitoolError, OSError):
    """An output could not be written; the message names the path and the reason."""


class NotRegularFileError(WriteError):
    """The output names something that is neither a file, a device nor a pipe (a socket …): exit 2."""

    exit_kind = ExitKind.USAGE


_KINDS = {stat.S_IFSOCK: "a socket", stat.S_IFBLK: "a block device"}


def _destination(target: Path) -> tuple[Path, bool]:
    """Where the bytes for ``target`` go, and whether they are streamed (a device or a pipe).

    A symlink gives its resolved target, so the rename replaces the file, not the link.
    """
    try:
        info = os.stat(target)  # follows symlinks: what the bytes would reach
    except OSError as exc:
        if exc.errno not in (errno.ENOENT, errno.ENOTDIR):  # ELOOP, EACCES, ENAMETOOLONG …
            raise WriteError(f"{target}: cannot write: {exc.strerror or exc}") from None
        info = None  # a new file (or a dangling link, whose target is created)
    if info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        return target, True
    if info is not None and not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise NotRegularFileError(f"{target}: is {kind}, not a regular file; give a file name")
    if os.path.islink(target):
        return Path(os.path.realpath(target)), False
    return target, False


def _check_target(target: Path) -> None:
    try:
        _check_target_kind(target)
    except OSError as exc:  # ENAMETOOLONG, ELOOP, EACCES on a parent: the name cannot be used
        if isinstance(exc, WriteError):
            raise
        raise WriteError(f"{target}: cannot write: {exc.strerror or exc}") from None


def _check_target_kind(target: Path) -> None:
    parent = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise WriteError(f"{target}: is a directory; give a file name")
    if not parent.exists():
        raise WriteError(f"{target}: directory {parent} does not exist")
    if not parent.is_dir():
        raise WriteError(f"{target}: {parent} is not a directory")
    # Checked on the mode, not with os.access: as root every file is "writable".
    if target.is_file() and not target.stat().st_mode & 0o222:
        raise WriteError(f"{target}: is read-only; make it writable or write elsewhere")


def _sync_directory(directory: Path) -> None:
    # The rename lives in the directory: sync it too, or a power cut can undo it.
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows cannot open a directory
        return
    try:
        os.fsync(handle)
    except OSError:  # pragma: no cover - some file systems refuse fsync on a directory
        pass
    finally:
        os.close(handle)


@contextlib.contextmanager
def atomic_path(target: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it over ``target``.

    For writers that want a path (openpyxl's ``save``). The temporary file is
    fsynced before the rename and removed on any failure.
    """
    target, streamed = _destination(Path(target))
    if streamed:
        with _streamed_path(target, suffix) as temp:
            yield temp
        return
    _check_target(target)
    try:
        # Cut to 100 bytes: a long (or Japanese, 3 bytes a character) name must not push
        # the temporary one past NAME_MAX (255 bytes).
        short = target.name.encode()[:100].decode(errors="ignore")
        handle, name = tempfile.mkstemp(prefix=f".{short}.", suffix=suffix, dir=target.parent)
    except OSError as exc:
        raise WriteError(f"{target}: cannot write in {target.parent}: {exc.strerror or exc}") from None
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        with open(temp, "rb+") as written:
            os.fsync(written.fileno())
        _keep_mode(target, temp)
        os.replace(temp, target)
        _sync_directory(target.parent)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, WriteError):
            raise WriteError(f"{target}: write failed: {exc.strerror or exc}") from None
        raise


@contextlib.contextmanager
def _streamed_path(target: Path, suffix: str) -> Iterator[Path]:
    """A private temporary file for a writer that wants a path; its bytes then go to ``target``."""
    handle, name = tempfile.mkstemp(prefix=".kpitool.", suffix=suffix)
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        _write_through(target, temp.read_bytes())
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def _write_through(target: Path, data: bytes) -> None:
    """Write ``data`` to a character device or FIFO: opened as it is, never created or truncated."""
    try:
        handle = os.open(target, os.O_WRONLY | os.O_NOCTTY)
    except OSError as exc:
        raise WriteError(f"{target}: cannot open for writing: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(handle).st_mode
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):  # replaced since it was looked at
            raise WriteError(f"{target}: changed while being opened; run again")
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
    except OSError as exc:
        if isinstance(exc, WriteError):
            raise
        raise WriteError(f"{target}: write failed: {exc.strerror or exc}") from None
    finally:
        os.close(handle)


def _keep_mode(target: Path, temp: Path) -> None:
    # mkstemp creates 0600 files; keep the permissions a replaced file had,
    # or the usual 0644-under-umask for a new one.
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temp, mode)


def _write_with(target: Path, write: Callable[[IO[bytes]], None]) -> None:
    with atomic_path(target) as temp, open(temp, "wb") as stream:
        write(stream)
        stream.flush()


def write_bytes_atomic(target: Path, data: bytes) -> None:
    """Write bytes to ``target`` atomically (straight through to a device or a pipe)."""
    destination, streamed = _destination(Path(target))
    if streamed:
        _write_through(destination, data)
        return

    def write(stream: IO[bytes]) -> None:
        stream.write(data)

    _write_with(destination, write)


def write_text_atomic(target: Path, text: str, encoding: str = "utf-8") -> None:
    """Write text to ``target`` atomically (UTF-8, newlines as given)."""
    write_bytes_atomic(target, text.encode(encoding))
