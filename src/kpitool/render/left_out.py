"""How outputs name the plans a run left out (:class:`~kpitool.sources.selection.LeftOut`).

Tables end with a line naming the plans skipped for errors (``--skip-invalid``);
JSON objects gain ``skipped`` and ``not_in_period`` lists, only when they are
not empty, so the JSON of a complete run is unchanged. CSV has no place for a
note that readers would not take for data: the command line says it on stderr.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kpitool.sources.selection import LeftOut, OutOfPeriod, SkippedPlan

if TYPE_CHECKING:
    from rich.text import Text

__all__ = ["left_out_json", "not_in_period_text", "skipped_line", "skipped_text", "with_left_out"]


def skipped_text(skipped: Sequence[SkippedPlan]) -> str:
    """``除外した計画 …: plan (file: reason); …`` — one sentence naming each skipped plan."""
    items = "; ".join(f"{s.plan} ({s.file}: {s.reason})" for s in skipped)
    return f"除外した計画 (skipped, errors in their files; --skip-invalid): {items}"


def skipped_line(left_out: LeftOut) -> list[Text]:
    """The line a table output ends with when plans were skipped (none otherwise)."""
    from rich.text import Text  # here: JSON and CSV outputs need no rich

    return [Text(skipped_text(left_out.skipped))] if left_out.skipped else []


def not_in_period_text(items: Sequence[OutOfPeriod]) -> str:
    """``not evaluated outside their 計画期間: plan (R8–R12) in R6; …``."""
    listed = "; ".join(f"{o.plan} ({o.start}–{o.end}) in {', '.join(o.years)}" for o in items)
    return f"not evaluated outside their 計画期間 (and the year after it, the final evaluation): {listed}"


def left_out_json(left_out: LeftOut) -> dict[str, Any]:
    """The ``skipped`` and ``not_in_period`` members of a JSON object (each only when not empty)."""
    members: dict[str, Any] = {}
    if left_out.skipped:
        members["skipped"] = [{"file": s.file, "plan": s.plan, "reason": s.reason} for s in left_out.skipped]
    if left_out.not_in_period:
        members["not_in_period"] = [
            {"plan": o.plan, "period": {"start": o.start, "end": o.end}, "years": list(o.years)}
            for o in left_out.not_in_period
        ]
    return members


def with_left_out(item: dict[str, Any], left_out: LeftOut) -> dict[str, Any]:
    """A JSON object with the run's left-out plans added (the same object if none were)."""
    return {**item, **left_out_json(left_out)} if left_out else item
