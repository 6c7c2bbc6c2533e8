"""Standard output and error as kpitool writes them: failures named, legacy encodings readable.

:func:`prepare_streams` runs once, before any command, and makes three environment
failures ordinary errors instead of internal ones:

- a write to stdout that fails — a full disk or ``/dev/full`` (ENOSPC), a closed stdout
  (``>&-``), a reader that went away (``| head -1``, EPIPE) — raises :class:`StreamError`,
  which the command line turns into one line and exit 1 (a broken pipe exits 1 quietly, as
  the reader asked for no more; see docs/reliability.md);
- a closed stdout or stderr is held open on the null device, so a file kpitool opens later
  never takes descriptor 1 or 2 and receives a report or a message by mistake;
- a console in a legacy encoding (CP932 on Japanese Windows, ``PYTHONIOENCODING=cp932``)
  gets the nearest character it has for one it has not: ``—`` (U+2014) is written as the
  CP932 dash ``―`` (0x815C), ``−`` as ``－``, ``〜`` as ``～``; anything else with no
  look-alike as ``?``. Files kpitool writes (``--output``) are UTF-8 whatever the console.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import sys
import unicodedata
from typing import Any, TextIO

from kpitool.errors import KpitoolError

__all__ = ["LOOKALIKE_ERRORS", "StreamError", "discard_stdout", "prepare_streams"]

LOOKALIKE_ERRORS = "kpitool-lookalike"
"""The codec error handler that writes a look-alike for a character the encoding lacks."""

_LOOKALIKES = {
    "\u2014": "\u2015",  # — EM DASH: CP932's dash 0x815C is U+2015
    "\u2212": "\uff0d",  # − MINUS SIGN
    "\u301c": "\uff5e",  # 〜 WAVE DASH
    "\u2016": "\u2225",  # ‖ DOUBLE VERTICAL LINE
    "\u00a2": "\uffe0",  # ¢
    "\u00a3": "\uffe1",  # £
    "\u00ac": "\uffe2",  # ¬
    "\u2013": "-",  # – EN DASH
    "\u2521": "\u251d",  # ┡ → ┝: the table head's lower corners (rich's heavy head)
    "\u2547": "\u253f",  # ╇ → ┿
    "\u2529": "\u2525",  # ┩ → ┥
}
"""Characters Unicode text uses where CP932 (Shift_JIS as Windows has it) has a twin."""


class StreamError(KpitoolError, OSError):
    """Standard output could not be written: full, closed, or its reader has gone."""

    def __init__(self, reason: str, *, broken_pipe: bool = False) -> None:
        super().__init__(f"cannot write to standard output: {reason}")
        self.broken_pipe = broken_pipe
        """True when the reader closed the pipe: exit 1 without a message."""


def _lookalike(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    replaced = []
    for char in error.object[error.start : error.end]:
        for candidate in (_LOOKALIKES.get(char, ""), unicodedata.normalize("NFKC", char), "?"):
            try:
                if candidate:
                    candidate.encode(error.encoding)
                    replaced.append(candidate)
                    break
            except UnicodeEncodeError:
                continue
    return "".join(replaced), error.end


codecs.register_error(LOOKALIKE_ERRORS, _lookalike)


class _StdoutFile(io.FileIO):
    """Descriptor 1, whose failed writes are a :class:`StreamError`."""

    def write(self, data: Any) -> int:
        try:
            return super().write(data)
        except BrokenPipeError:
            raise StreamError("the reader closed the pipe", broken_pipe=True) from None
        except OSError as exc:
            raise StreamError(exc.strerror or str(exc)) from None


class _ClosedStdout(io.RawIOBase):
    """What stdout is when kpitool was started with it closed: every write fails."""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raise StreamError(os.strerror(errno.EBADF) + " (stdout is closed)")


def _hold_closed_descriptor(fd: int) -> None:
    # The lowest free descriptor is what open() returns: fill fd with the null device.
    try:
        os.fstat(fd)
    except OSError:
        held = os.open(os.devnull, os.O_RDWR)
        if held != fd:
            os.dup2(held, fd)
            os.close(held)


def _errors(stream: TextIO | None) -> str:
    # A legacy console gets look-alikes, unless PYTHONIOENCODING chose its own handler.
    if stream is None:
        return "strict"
    legacy = not codecs.lookup(stream.encoding).name.startswith("utf")
    return LOOKALIKE_ERRORS if legacy and stream.errors == "strict" else stream.errors or "strict"


def prepare_streams() -> None:
    """Make stdout raise :class:`StreamError` on a failed write, and give legacy consoles look-alikes."""
    stdout, stderr = sys.stdout, sys.stderr
    for fd in (1, 2):
        _hold_closed_descriptor(fd)
    if stderr is None:
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115 - lives as long as the process
    else:
        sys.stderr.reconfigure(errors=_errors(stderr))  # type: ignore[union-attr]
    if not isinstance(stdout, io.TextIOWrapper) and stdout is not None:
        return  # a test runner's capture: it reports its own failures
    raw: io.RawIOBase = _ClosedStdout() if stdout is None else _StdoutFile(1, "w", closefd=False)
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(raw),
        encoding=stdout.encoding if stdout is not None else "utf-8",
        errors=_errors(stdout),
        line_buffering=stdout.line_buffering if stdout is not None else False,
        write_through=stdout.write_through if stdout is not None else False,
    )


def discard_stdout() -> None:
    """After a failed write: drop what is buffered, so the exit does not fail again on it."""
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
