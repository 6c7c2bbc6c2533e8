"""SIGTERM and SIGHUP end kpitool the way Ctrl-C does: cleanly, with no temporary file left.

Python turns SIGINT into :class:`KeyboardInterrupt`, so every ``finally`` runs and a
half-written temporary file (``.NAME.XXXX.tmp``) is removed; by default SIGTERM (``kill``,
a CI job cancelled, a container stopped) and SIGHUP (the terminal closed) end the
process at once, leaving that file behind. :func:`terminate_on_signals` makes both
raise :class:`Terminated` instead, so they unwind like Ctrl-C. The exit code is then
128 + the signal number (143 for SIGTERM, 129 for SIGHUP), as a shell reports a
process the signal killed. A signal that was ignored when kpitool started (``nohup``
ignores SIGHUP) stays ignored. Only SIGKILL, or a power cut, cannot be cleaned up after.
"""

from __future__ import annotations

import signal
from types import FrameType

__all__ = ["Terminated", "terminate_on_signals"]

_HANDLED = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Terminated(BaseException):  # named like KeyboardInterrupt, which it mirrors
    """SIGTERM or SIGHUP arrived; like KeyboardInterrupt, no ``except Exception`` catches it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        """``SIGTERM`` or ``SIGHUP``."""
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as shells report it."""
        return 128 + self.signum


def _raise(signum: int, _frame: FrameType | None) -> None:
    # Once: a second signal while the first unwinds must not cut its clean-up short.
    for handled in _HANDLED:
        signal.signal(handled, signal.SIG_IGN)
    raise Terminated(signum)


def terminate_on_signals() -> None:
    """Make SIGTERM and SIGHUP raise :class:`Terminated` (in the main thread; ignored ones stay so)."""
    for signum in _HANDLED:
        if signal.getsignal(signum) is signal.SIG_DFL:
            signal.signal(signum, _raise)
