"""One bounded read of an input file, for every reader (YAML, CSV, workbook, git blobs).

A data file is read whole, so its size is capped before reading: the file's
size as the file system reports it, then one byte past the cap while reading
(a file that grows while read is caught too). A directory, FIFO or device is
refused before it is opened (it would block or never end). Each reader words
the refusal in its own message, from :class:`FileRefused`.
"""

from __future__ import annotations

import stat
from enum import Enum
from pathlib import Path

from kpitool.errors import KpitoolError

__all__ = ["MAX_FILE_BYTES", "MAX_FILE_MIB", "FileRefused", "Refusal", "read_bounded"]

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest input file read (20 MiB): a plan or table is well under 1 MiB; more is a mistake or an attack."""

MAX_FILE_MIB = MAX_FILE_BYTES // 1048576
""":data:`MAX_FILE_BYTES` in MiB, as messages give it."""


class Refusal(Enum):
    """Why a file was not read."""

    DIRECTORY = "directory"
    NOT_REGULAR = "not-regular"
    UNREADABLE = "unreadable"
    TOO_LARGE = "too-large"


class FileRefused(KpitoolError):
    """A file that :func:`read_bounded` did not read, and why; each reader words its own message."""

    def __init__(self, reason: Refusal, *, size: int = 0, detail: str = "", while_read: bool = False) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.size = size
        """The file's size in bytes (for :attr:`Refusal.TOO_LARGE`)."""
        self.detail = detail
        """The operating system's reason (for :attr:`Refusal.UNREADABLE`)."""
        self.while_read = while_read
        """True when the size was within the cap but the file grew past it while read."""

    def describe(self, what: str = "file") -> str:
        """The refusal in words, ``what`` naming what was expected: ``is a directory, not a file``."""
        if self.reason is Refusal.DIRECTORY:
            return f"is a directory, not a {what}"
        if self.reason is Refusal.NOT_REGULAR:
            return "is not a regular file"
        if self.reason is Refusal.UNREADABLE:
            return f"cannot read: {self.detail}"
        if self.while_read:
            return f"file is over the {MAX_FILE_MIB} MiB limit"
        return f"file is {self.size // 1048576} MiB, over the {MAX_FILE_MIB} MiB limit"


def read_bounded(path: Path, *, head: int | None = None) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_FILE_BYTES`, or its first ``head`` bytes.

    Raises :class:`FileRefused` for a directory, a special file, an unreadable file
    or one over the cap.
    """
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise FileRefused(Refusal.DIRECTORY)
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            raise FileRefused(Refusal.NOT_REGULAR)
        if info.st_size > MAX_FILE_BYTES:
            raise FileRefused(Refusal.TOO_LARGE, size=info.st_size)
        with open(path, "rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1 if head is None else head)
    except OSError as exc:
        raise FileRefused(Refusal.UNREADABLE, detail=str(exc.strerror or exc)) from None
    if len(raw) > MAX_FILE_BYTES:
        raise FileRefused(Refusal.TOO_LARGE, size=len(raw), while_read=True)
    return raw
