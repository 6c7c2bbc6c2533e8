"""The actuals (実績値): each KPI's value per evaluation year, as recorded or as a form gives it.

:class:`Actual` and :class:`ActualsFile` are pydantic v2 types on the field types of
:mod:`kpitool.model.fields`, read by the loader (:mod:`kpitool.sources.documents`) from
``data/actuals/<plan>.yaml``; a :class:`Submission` is one value read from a filled form.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pydantic import Field

from kpitool.model.fields import (
    FiscalYearLabel,
    Identifier,
    OptionalNumber,
    OptionalPeriod,
    OptionalText,
    StrictModel,
)
from kpitool.values.numbers import convert

__all__ = ["Actual", "ActualsFile", "Submission"]


class Actual(StrictModel):
    """実績値 — one KPI's value as known at one evaluation year.

    ``period`` is the data period the value refers to: an R6 evaluation that
    holds R4年度 data is normal (statistics lag).
    """

    value: OptionalNumber = Field(title="実績値", description="null: no value (—)")
    period: OptionalPeriod = Field(default=None, title="実績時点")
    unit: OptionalText = Field(
        default=None, title="単位", description="only when it differs from the KPI's unit"
    )
    official_grade: OptionalText = Field(
        default=None, title="公表評価", description="the grade a published evaluation gave"
    )
    official_reason: OptionalText = Field(default=None, title="評価理由")
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


class ActualsFile(StrictModel):
    """An actuals file (data/actuals/<plan>.yaml): KPI id → evaluation year → actual."""

    plan: Identifier = Field(title="計画ID")
    source: OptionalText = Field(default=None, title="出典")
    note: OptionalText = Field(default=None, title="備考")
    actuals: dict[Identifier, dict[FiscalYearLabel, Actual]] = Field(default_factory=dict, title="実績")

    def count(self) -> int:
        """Number of recorded actuals (KPI × year)."""
        return sum(len(years) for years in self.actuals.values())


@dataclass(frozen=True)
class Submission:
    """One KPI's actual for the evaluation year, as a form gives it.

    ``value`` is in the KPI's unit. Empty ``period`` / ``note`` mean "not
    given": they keep what is recorded.
    """

    kpi_id: str
    value: Decimal
    period: str | None = None
    note: str | None = None
    origin: str = ""
    """Where it came from, for messages (``記入票!J12``)."""
