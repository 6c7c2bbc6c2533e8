"""A private scratch folder for libraries that spill temporary files, removed when the work ends.

openpyxl's write-only sheets stream each sheet's XML into a file made by
:mod:`tempfile` in ``$TMPDIR`` and delete it only when the workbook is saved:
a report interrupted before then leaves one ``openpyxl.*`` file per sheet
behind (hundreds after a few killed runs). :func:`private_scratch` points
:data:`tempfile.tempdir` — the documented default for every ``tempfile``
function — at a fresh 0700 folder for the duration of the work and removes it
afterwards, also on Ctrl-C, SIGTERM and SIGHUP (which unwind like Ctrl-C, see
:mod:`kpitool.support.signals`). A process killed outright (SIGKILL) cannot
clean up; its folder is named after its process id, and the next run removes
every such folder of this user whose process no longer exists.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["SCRATCH_PREFIX", "private_scratch", "sweep_abandoned"]

SCRATCH_PREFIX = "kpitool-scratch-"
"""Folders are ``$TMPDIR/kpitool-scratch-<pid>-<random>``."""

_NAME = re.compile(re.escape(SCRATCH_PREFIX) + r"(\d+)-[A-Za-z0-9_]+\Z")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive, and not ours to judge
        return True
    except OverflowError:
        return False
    return True


def sweep_abandoned(parent: Path) -> list[Path]:
    """Remove the scratch folders in ``parent`` left by this user's processes that no longer run.

    Only folders named by :func:`private_scratch`, owned by the current user and
    not symlinks are touched; anything else in ``parent`` is left alone.
    Returns the folders removed.
    """
    removed: list[Path] = []
    with contextlib.suppress(OSError), os.scandir(parent) as entries:
        for entry in entries:
            match = _NAME.match(entry.name)
            if match is None or entry.is_symlink() or not entry.is_dir(follow_symlinks=False):
                continue
            try:
                owner = entry.stat(follow_symlinks=False).st_uid
            except OSError:
                continue
            if owner != os.getuid() or _alive(int(match.group(1))):
                continue
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def private_scratch() -> Iterator[Path]:
    """Within the block, :mod:`tempfile` writes into a private folder that is removed at its end."""
    parent = Path(tempfile.gettempdir())
    sweep_abandoned(parent)
    folder = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=parent))
    previous = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = previous
        shutil.rmtree(folder, ignore_errors=True)
