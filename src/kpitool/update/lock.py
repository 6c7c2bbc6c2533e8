"""The lock that keeps two imports from interleaving their read-modify-write of an actuals file.

``<file>.lock`` beside the actuals file is opened (created if missing) and held
with ``fcntl.flock`` for the whole read-merge-verify-rename. The operating
system releases the lock when its holder's file is closed, also when the
process dies (SIGKILL, power loss), so there is no stale lock to take over:
the file is never removed, and one left behind is simply reused.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from kpitool.support.safe_write import WriteError

__all__ = ["DEFAULT_LOCK_TIMEOUT", "LockError", "actuals_lock"]

DEFAULT_LOCK_TIMEOUT = 10.0
"""Seconds to wait for another import to release the lock before giving up."""


class LockError(WriteError):
    """Another import holds the lock on the actuals file."""


def _open(lock: Path) -> int:
    try:
        # Read-only is enough for flock, and opens a lock file another user left (0644).
        return os.open(lock, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise WriteError(f"{lock}: cannot create the lock file: {exc.strerror or exc}") from None


def _same_file(handle: int, lock: Path) -> bool:
    """True while the open lock file is still the one at ``lock`` (nobody deleted or replaced it)."""
    try:
        return os.path.samestat(os.fstat(handle), os.stat(lock))
    except OSError:
        return False


@contextlib.contextmanager
def actuals_lock(path: Path, timeout: float | None = None, poll: float = 0.05) -> Iterator[Path]:
    """Hold ``<path>.lock`` (an exclusive ``flock``) while a read-modify-write runs.

    Waits up to ``timeout`` seconds (None: :data:`DEFAULT_LOCK_TIMEOUT`) for
    another holder. Raises :class:`LockError` after the wait,
    :class:`WriteError` when the lock file cannot be created at all.
    """
    import fcntl  # POSIX only; imported here so that the module loads anywhere

    lock = path.with_name(path.name + ".lock")
    deadline = time.monotonic() + (DEFAULT_LOCK_TIMEOUT if timeout is None else timeout)
    while True:
        handle = _open(lock)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            if time.monotonic() >= deadline:
                raise LockError(
                    f"another kpitool import is running (lock {lock}); wait for it to finish, then try again"
                ) from None
            time.sleep(poll)
            continue
        except OSError as exc:  # e.g. a file system without locks
            os.close(handle)
            raise WriteError(f"{lock}: cannot lock: {exc.strerror or exc}") from None
        if _same_file(handle, lock):
            break
        os.close(handle)  # the file was deleted while we waited: lock the one now at the path
    try:
        yield lock
    finally:
        os.close(handle)  # releases the lock; the file stays for the next import
