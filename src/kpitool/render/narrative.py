"""The published texts (評価文) of an evaluation year, as JSON for ``evaluate --format json``."""

from __future__ import annotations

from typing import Any

from kpitool.rating.results import PlanEvaluation

__all__ = ["narrative_json"]


def narrative_json(result: PlanEvaluation) -> dict[str, Any] | None:
    """The year's published texts (評価文) as recorded, or None."""
    texts = result.narrative
    if texts is None:
        return None
    sections = {key: section.model_dump(exclude_none=True) for key, section in texts.sections.items()}
    summary = texts.summary.model_dump(exclude_none=True) if texts.summary else None
    return {"source": texts.source, "summary": summary, "sections": sections}
