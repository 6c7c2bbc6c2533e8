"""The lock that keeps two imports from interleaving their read-modify-write of an actuals file."""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from kpitool.support.safe_write import WriteError

__all__ = ["DEFAULT_LOCK_TIMEOUT", "LockError", "actuals_lock"]

DEFAULT_LOCK_TIMEOUT = 10.0
"""Seconds to wait for another import to release the lock before giving up."""


class LockError(WriteError):
    """Another import holds the lock on the actuals file."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but belongs to someone else
        return True
    return True


def _stale(lock: Path) -> bool:
    """A lock left by a process of this host that no longer runs."""
    try:
        pid_text, _, host = lock.read_text(encoding="utf-8").strip().partition(" ")
        return host == socket.gethostname() and pid_text.isdigit() and not _pid_alive(int(pid_text))
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def actuals_lock(path: Path, timeout: float = DEFAULT_LOCK_TIMEOUT, poll: float = 0.05) -> Iterator[Path]:
    """Hold ``<path>.lock`` (created with O_CREAT|O_EXCL) while a read-modify-write runs.

    Waits up to ``timeout`` seconds for another holder; a lock left by a dead
    process of this host is removed. Raises :class:`LockError` after the wait,
    :class:`WriteError` when the lock cannot be created at all.
    """
    lock = path.with_name(path.name + ".lock")
    deadline = time.monotonic() + timeout
    while True:
        try:
            handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if _stale(lock):
                with contextlib.suppress(FileNotFoundError):
                    lock.unlink()
                continue
            if time.monotonic() >= deadline:
                raise LockError(
                    f"another kpitool import is running (lock {lock}); wait for it to finish, "
                    "or delete the lock file if no import is running"
                ) from None
            time.sleep(poll)
            continue
        except OSError as exc:
            raise WriteError(f"{lock}: cannot create the lock file: {exc.strerror or exc}") from None
        break
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(f"{os.getpid()} {socket.gethostname()}\n")
        yield lock
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
