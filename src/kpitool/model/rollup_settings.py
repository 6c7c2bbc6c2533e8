"""施策別評価の設定 — how a plan's sections are graded from their KPIs (``evaluation.rollup``).

Pure pydantic types; :mod:`kpitool.rating.rollup` applies them and docs/rating.md documents them.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from kpitool.model.fields import Label, Number, OptionalNumber, OptionalText, StrictModel, Text

__all__ = ["RollupBand", "RollupMethod", "RollupSettings"]


class RollupMethod(StrEnum):
    """How a section (施策, 基本目標) is graded from its KPIs' grades."""

    COUNTS = "counts"
    """The counts of each grade only, no section grade."""
    MEAN_SCORE = "mean_score"
    """Each grade a score (○ 3 / △ 2 / × 1); the mean cut into bands."""
    WORST = "worst"
    """The worst grade of its KPIs."""
    SHARE_AT_LEAST = "share_at_least"
    """The share of its KPIs with one of the ``count`` grades, cut into bands (A when ≥ 80% are ○)."""


class RollupBand(StrictModel):
    """One grade of a section: its symbol, and the mean score or share it needs (the last: none)."""

    symbol: Label = Field(title="記号")
    label: OptionalText = Field(default=None, title="名称")
    at_least: OptionalNumber = Field(default=None, title="下限", description="score, or share 0.8 = 80%")


class RollupSettings(StrictModel):
    """施策別評価 — the grade of each section from its KPIs' (``evaluation.rollup``)."""

    method: RollupMethod = Field(default=RollupMethod.COUNTS, title="方式")
    scores: dict[str, Number] = Field(
        default_factory=dict, title="点数", description="mean_score: grade → score"
    )
    count: tuple[Text, ...] = Field(
        default=(), title="対象", description="share_at_least: the grades counted"
    )
    grades: tuple[RollupBand, ...] = Field(
        default=(), title="区分", description="best first; the last takes the rest"
    )
