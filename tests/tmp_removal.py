"""Remove a passing test's ``tmp_path`` on a background thread while the next tests run.

``tmp_path_retention_policy = "failed"`` has pytest remove each passing test's folder as the test
ends, in the test's own time. Where the disk is slow to delete (an ext4 mounted with ``discard``
sends a TRIM for each unlink: about 1.5 ms a file or folder on the 2-core machine, against
0.04 ms on tmpfs) the fast loop spent 5–10 s of its wall waiting on those deletions, nearly all
of it off the CPU. Here the folder is renamed aside (one metadata change, so pytest's own removal
then finds nothing) and a daemon thread deletes it; the thread waits on the disk with the GIL
released, so the tests go on. The session waits for the thread at its end, before pytest removes
the base folder, so a run leaves what it left before: nothing when it passed, the failed tests'
folders when not.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
from pathlib import Path

__all__ = ["BackgroundRemover"]


class BackgroundRemover:
    """Delete folders, handed over one by one, on one daemon thread started at the first."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Path | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._count = 0

    def discard(self, path: Path, aside: Path) -> None:
        """Move ``path`` into the folder ``aside`` (same file system) and delete it from there."""
        aside.mkdir(exist_ok=True)
        self._count += 1
        moved = aside / str(self._count)
        try:
            os.rename(path, moved)
        except OSError:  # gone already, or held open where renaming is refused: leave it to pytest
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="tmp_path remover", daemon=True)
            self._thread.start()
        self._queue.put(moved)

    def finish(self) -> None:
        """Wait until every folder handed over is deleted (what could not be, pytest removes)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _work(self) -> None:
        while (path := self._queue.get()) is not None:
            shutil.rmtree(path, ignore_errors=True)
