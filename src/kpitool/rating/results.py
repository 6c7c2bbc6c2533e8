"""What grading produces: one row per KPI, the 総括 of a year, a plan's evaluation.

Every row carries the achievement rate (達成率), the progress rate (進捗率), the
grade the rule computed, the official grade a published evaluation gave (if
any), and the rule that decided, so a reader can see why. These are plain
frozen values: renderers read them, the cache pickles them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kpitool.model.actuals import YearNarrative
from kpitool.model.plan import KPI, Direction, Plan, Section
from kpitool.rating.facts import Observation
from kpitool.rating.schemes.base import GradeSpec, Scheme
from kpitool.support.frozen import fast_init
from kpitool.values.fiscal_year import FiscalYear

__all__ = ["PERCENT_ROUNDING_NOTE", "Evaluation", "PlanEvaluation", "Published", "Summary"]

PERCENT_ROUNDING_NOTE = "割合は端数処理（四捨五入）のため、合計が100%にならない場合がある。"
"""The note shown under a 総括 whose rounded percents do not add up to 100.0."""


@fast_init
@dataclass(frozen=True)
class Evaluation:
    """One KPI graded for one evaluation year."""

    kpi: KPI
    section: Section | None
    number: str
    """The No. shown: the KPI's own number (①) where the plan gives one, else its 1-based position."""
    year: FiscalYear
    observation: Observation | None
    baseline: Decimal | None
    target: Decimal | None
    direction: Direction
    """The direction the rule applied (a misdrawn increase target becomes at_least)."""
    achievement: Decimal | None
    """達成率 as a ratio (actual/target, or target/actual when lower is better)."""
    progress: Decimal | None
    """進捗率 as a ratio: (actual − baseline) / (target − baseline)."""
    computed: GradeSpec
    official: str | None
    official_reason: str | None
    grade: str
    """The grade symbol shown: the official one where recorded, else the computed one."""
    rule: str
    """Why the computed grade: the rule or setting that decided."""
    details: Mapping[str, Any] = field(default_factory=dict)
    """Scheme-specific values (expected value, trend grade …)."""

    @property
    def actual_value(self) -> Decimal | None:
        """The actual in the KPI's unit, or None."""
        return self.observation.value if self.observation else None

    @property
    def value_notes(self) -> tuple[str, ...]:
        """注記 kept with the figures: ``基準値: 参考値``, ``実績値: 速報値`` (the evaluated year's)."""
        kpi = self.kpi
        actual = self.observation.actual if self.observation else None
        found = (
            ("基準値", kpi.baseline.annotation if kpi.baseline else None),
            ("目標値", kpi.target.annotation),
            ("実績値", actual.annotation if actual else None),
        )
        return tuple(f"{label}: {note}" for label, note in found if note)

    @property
    def disagrees(self) -> bool:
        """True when a recorded official grade differs from the computed one."""
        return self.official is not None and self.official != self.computed.symbol


@dataclass(frozen=True)
class Published:
    """公表 — the 総括 a published evaluation gave for the year, set beside the computed one."""

    counts: Mapping[str, int]
    """grade symbol → published count: every grade of the scheme (0 where the record leaves it
    out), then any other symbol recorded."""
    differing: tuple[str, ...]
    """The symbols whose published count differs from the computed one, in grade order."""
    source: str | None = None
    """Where the counts are published (出典)."""

    @property
    def matches(self) -> bool:
        """True when every grade's count is the one published."""
        return not self.differing

    @property
    def total(self) -> int:
        """Number of KPIs the published 総括 counts."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class Summary:
    """総括 — count and percent of each grade for one year."""

    year: FiscalYear
    grades: tuple[GradeSpec, ...]
    counts: Mapping[str, int]
    """grade symbol → count."""
    percents: Mapping[str, Decimal]
    """grade symbol → percent with one decimal, each rounded half-up on its own."""
    official: int = 0
    """How many of the counted grades are official (公表評価), used instead of the computed one."""
    overridden: int = 0
    """How many of those official grades differ from the grade the rule computed."""
    published: Published | None = None
    """The published 総括 of the year, when the actuals file records one."""

    @property
    def total(self) -> int:
        """Number of KPIs counted."""
        return sum(self.counts.values())

    @property
    def percent_total(self) -> Decimal:
        """The sum of the rounded percents: 100.0, or 99.9 / 100.1 … after rounding (0.0 with no KPI)."""
        return sum(self.percents.values(), Decimal("0.0"))

    @property
    def rounding_note(self) -> str | None:
        """:data:`PERCENT_ROUNDING_NOTE` when the percents shown do not add up to 100.0, else None."""
        if self.total and self.percent_total != 100:
            return PERCENT_ROUNDING_NOTE
        return None


@dataclass(frozen=True)
class PlanEvaluation:
    """A plan graded for one evaluation year."""

    plan: Plan
    year: FiscalYear
    scheme: Scheme
    rows: tuple[Evaluation, ...]
    summary: Summary
    narrative: YearNarrative | None = None
    """The year's published texts (評価文), when the actuals file records them."""

    @property
    def disagreements(self) -> tuple[Evaluation, ...]:
        """Rows whose official grade differs from the computed one."""
        return tuple(row for row in self.rows if row.disagrees)
