"""Changes to the years a target covers, for :mod:`kpitool.diff.compare`.

An annual target (``every_year``, 毎年度) or one over several years (``over``: 最終年度に, 累計)
is graded differently from a plain one; a change to either is a change of the target.
"""

from __future__ import annotations

from kpitool.diff.changes import Value
from kpitool.model.target import Target

__all__ = ["target_span_changes"]


def target_span_changes(old: Target, new: Target) -> list[tuple[str, Value, Value]]:
    """Changes to how a target is read: strict (超・未満), its wording, and the years it covers
    (every_year 毎年度, over 最終年度・累計)."""
    changes: list[tuple[str, Value, Value]] = []
    if old.strict != new.strict:
        changes.append(("target.strict", old.strict, new.strict))
    if old.text != new.text:
        changes.append(("target.text", old.text, new.text))
    if old.every_year != new.every_year:
        changes.append(("target.every_year", old.every_year, new.every_year))
    if old.over != new.over:
        changes.append(
            ("target.over", old.over.value if old.over else None, new.over.value if new.over else None)
        )
    return changes
