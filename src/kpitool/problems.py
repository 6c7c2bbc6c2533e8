"""Problems found in plan data, as plain values.

The loader and the checks collect every problem instead of stopping at the
first, so one bad file never hides the errors of another. Reporters render
them; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from kpitool.errors import KpitoolError

__all__ = ["DataError", "Problem", "Severity", "format_path", "has_errors"]


class Severity(StrEnum):
    """How bad a problem is: errors fail validation, warnings only under ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One problem at one place: file, line and column (1-based), field path and message."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str
    severity: Severity = Severity.ERROR
    code: str = "data"
    """A short stable id of the kind of problem (yaml, schema, duplicate-key, reference …)."""

    def location(self) -> str:
        """``file:line:col`` (as much of it as is known)."""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        where = self.location()
        field = f" {self.path}:" if self.path else ""
        level = "" if self.severity is Severity.ERROR else " warning:"
        return f"{where}:{level}{field} {self.message}"


class DataError(KpitoolError):
    """Raised by the core when data cannot be used; carries the problems found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def has_errors(problems: Iterable[Problem]) -> bool:
    """True if any problem is an error (not just a warning)."""
    return any(p.severity is Severity.ERROR for p in problems)


def format_path(loc: Iterable[str | int]) -> str:
    """A field path for humans: ``('sections', 0, 'kpis', 2, 'unit')`` → ``sections[0].kpis[2].unit``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
