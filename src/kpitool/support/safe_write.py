"""Atomic file writes: nothing is ever half-written or clobbered by a failed run.

Every output goes to a temporary file in the target's directory, is flushed
and fsynced, then renamed over the target (an atomic replace on POSIX and
Windows) and the directory is fsynced. If anything fails — an exception, a
full disk, Ctrl-C — the temporary file is removed and the previous target is
untouched. Only a killed process (SIGKILL, power cut) can leave the hidden
temporary file ``.NAME.XXXX.tmp`` behind; the target is never half-written.
A replaced file keeps its permissions; a read-only target is refused.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from kpitool.errors import KpitoolError

__all__ = ["WriteError", "atomic_path", "write_bytes_atomic", "write_text_atomic"]


class WriteError(KpitoolError, OSError):
    """An output could not be written; the message names the path and the reason."""


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
    target = Path(target)
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
    """Write bytes to ``target`` atomically."""

    def write(stream: IO[bytes]) -> None:
        stream.write(data)

    _write_with(Path(target), write)


def write_text_atomic(target: Path, text: str, encoding: str = "utf-8") -> None:
    """Write text to ``target`` atomically (UTF-8, newlines as given)."""
    write_bytes_atomic(target, text.encode(encoding))
