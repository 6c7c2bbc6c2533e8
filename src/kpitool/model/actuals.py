"""The actuals (実績値): each KPI's value per evaluation year, as recorded or as a form gives it.

:class:`Actual`, :class:`PublishedSummary` and :class:`ActualsFile` are pydantic v2 types on
the field types of :mod:`kpitool.model.fields`, read by the loader (:mod:`kpitool.sources.documents`) from
``data/actuals/<plan>.yaml``; a :class:`Submission` is one value read from a filled form.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pydantic import Field, field_validator

from kpitool.model.fields import (
    Count,
    FiscalYearLabel,
    GradeSymbol,
    Identifier,
    Label,
    OptionalNumber,
    OptionalPeriod,
    OptionalText,
    StrictModel,
)
from kpitool.values.numbers import convert

__all__ = [
    "NARRATIVE_LABELS",
    "Actual",
    "ActualsFile",
    "PublishedSummary",
    "SectionNarrative",
    "Submission",
    "SummaryNarrative",
    "YearNarrative",
    "paragraphs",
]

NARRATIVE_LABELS = {
    "kpi_status": "①KPIの達成状況",
    "results": "<実績>",
    "issues": "<課題>",
    "overall": "②取組に対する全体評価",
}
"""The heading each narrative text is printed under, as the published evaluations print it."""


class Actual(StrictModel):
    """実績値 — one KPI's value as known at one evaluation year.

    ``period`` is the data period the value refers to: an R6 evaluation that
    holds R4年度 data is normal (statistics lag).
    """

    value: OptionalNumber = Field(
        title="実績値", description="null: no value (—); a note may say why (a note-only entry)"
    )
    period: OptionalPeriod = Field(default=None, title="実績時点")
    unit: OptionalText = Field(
        default=None, title="単位", description="only when it differs from the KPI's unit"
    )
    official_grade: OptionalText = Field(
        default=None, title="公表評価", description="the grade a published evaluation gave"
    )
    official_reason: OptionalText = Field(default=None, title="評価理由")
    annotation: OptionalText = Field(
        default=None, title="注記", description="printed with the value, e.g. 速報値, 全国16位"
    )
    note: OptionalText = Field(default=None, title="備考")
    source: OptionalText = Field(default=None, title="出典")

    def value_in(self, unit: str) -> Decimal | None:
        """The value in ``unit`` (the KPI's): converted exactly when the actual records another unit.

        None when there is no value. Raises :class:`~kpitool.values.numbers.UnitError` when the
        actual's unit does not convert to ``unit`` (``件`` to ``人``).
        """
        if self.value is None or not self.unit or self.unit == unit:
            return self.value
        return convert(self.value, self.unit, unit)


class PublishedSummary(StrictModel):
    """公表総括 — the counts of each grade a published evaluation gave for one year.

    Recorded so the computed 総括 can be set beside the published one and any difference
    shown. A grade symbol left out counts 0; ``validate`` checks every symbol is a grade of
    the plan's scheme.
    """

    counts: dict[GradeSymbol, Count] = Field(
        title="件数", description="grade symbol → published count", json_schema_extra={"minProperties": 1}
    )
    source: OptionalText = Field(default=None, title="出典", description="where the counts are published")
    note: OptionalText = Field(default=None, title="備考")

    @field_validator("counts")
    @classmethod
    def _some_counts(cls, counts: dict[str, int]) -> dict[str, int]:
        if not counts:
            raise ValueError("no counts: give each grade's published count, e.g. {○: 3, △: 3, ×: 6, —: 0}")
        return counts

    @property
    def total(self) -> int:
        """The number of KPIs the published 総括 counts."""
        return sum(self.counts.values())


_PARAGRAPHS = "text; paragraphs one a line (a YAML block scalar: |-)"


class SectionNarrative(StrictModel):
    """施策分野の評価文 — what an evaluation wrote under one section's KPI table.

    Each text is given or left out; a text given is never empty.
    """

    kpi_status: Label | None = Field(default=None, title="KPIの達成状況", description=_PARAGRAPHS)
    results: Label | None = Field(default=None, title="取組の実績", description=_PARAGRAPHS)
    issues: Label | None = Field(default=None, title="取組の課題", description=_PARAGRAPHS)

    def texts(self) -> list[tuple[str, str]]:
        """(heading, text) of each text given, in print order."""
        given = [("kpi_status", self.kpi_status), ("results", self.results), ("issues", self.issues)]
        return [(NARRATIVE_LABELS[key], text) for key, text in given if text is not None]


class SummaryNarrative(StrictModel):
    """総括の評価文 — what an evaluation wrote under the plan's 総括 table."""

    kpi_status: Label | None = Field(default=None, title="KPIの達成状況", description=_PARAGRAPHS)
    overall: Label | None = Field(default=None, title="取組に対する全体評価", description=_PARAGRAPHS)

    def texts(self) -> list[tuple[str, str]]:
        """(heading, text) of each text given, in print order."""
        given = [("kpi_status", self.kpi_status), ("overall", self.overall)]
        return [(NARRATIVE_LABELS[key], text) for key, text in given if text is not None]


class YearNarrative(StrictModel):
    """評価文 — an evaluation year's texts: per section (by section id) and under the 総括."""

    source: OptionalText = Field(default=None, title="出典")
    summary: SummaryNarrative | None = Field(default=None, title="総括")
    sections: dict[Identifier, SectionNarrative] = Field(
        default_factory=dict, title="施策分野", description="section id → its texts"
    )


def paragraphs(text: str) -> list[str]:
    """A narrative text's paragraphs: its non-blank lines, each stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class ActualsFile(StrictModel):
    """An actuals file (data/actuals/<plan>.yaml): KPI id → evaluation year → actual.

    ``published_summary`` holds the 総括 as published, per evaluation year (公表総括);
    ``narrative`` the texts published with it (評価文).
    """

    plan: Identifier = Field(title="計画ID")
    source: OptionalText = Field(default=None, title="出典")
    note: OptionalText = Field(default=None, title="備考")
    published_summary: dict[FiscalYearLabel, PublishedSummary] = Field(
        default_factory=dict,
        title="公表総括",
        description="evaluation year → the counts of each grade as published",
    )
    actuals: dict[Identifier, dict[FiscalYearLabel, Actual]] = Field(default_factory=dict, title="実績")
    narrative: dict[FiscalYearLabel, YearNarrative] = Field(
        default_factory=dict,
        title="評価文",
        description="evaluation year → the texts of its published evaluation (達成状況・実績・課題, 総括)",
    )

    def count(self) -> int:
        """Number of recorded actuals (KPI × year)."""
        return sum(len(years) for years in self.actuals.values())


@dataclass(frozen=True)
class Submission:
    """One KPI's actual for the evaluation year, as a form gives it.

    ``value`` is in the KPI's unit; None for a row left without a 実績値 whose 備考 says why
    (a note-only submission: it adds ``value: null`` with the note, and never removes a
    recorded value). Empty ``period`` / ``note`` mean "not given": they keep what is recorded.
    """

    kpi_id: str
    value: Decimal | None
    period: str | None = None
    note: str | None = None
    origin: str = ""
    """Where it came from, for messages (``記入票!J12``)."""
