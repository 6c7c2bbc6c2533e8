"""One base for every domain error, and the kind of exit each one means.

The core raises; only the command line (:mod:`kpitool.cli.app`) turns an error
into an exit code, from :attr:`KpitoolError.exit_kind`. Subclasses keep their
historical built-in base (``ValueError``, ``OSError``) as a second base, so code
that catches those still works.
"""

from __future__ import annotations

from enum import IntEnum
from typing import ClassVar


class ExitKind(IntEnum):
    """Exit codes of kpitool, as README's table documents them."""

    OK = 0
    DATA = 1
    """Bad data: a validation error, an unreadable table or form, a failed write."""
    USAGE = 2
    """Bad usage: an unknown option, plan or year, a missing path, an output that is an input."""
    INTERNAL = 3
    """A bug in kpitool."""


class KpitoolError(Exception):
    """Base of every error kpitool raises on purpose; :attr:`exit_kind` says which exit it means."""

    exit_kind: ClassVar[ExitKind] = ExitKind.DATA


class UsageError(KpitoolError):
    """The command line asked for something that cannot be done (exit 2)."""

    exit_kind = ExitKind.USAGE
