"""Baselines and targets (基準値・目標値) of a KPI, with interim targets (中間目標).

Pure pydantic v2 types, part of the plan model (:mod:`kpitool.model.plan` re-exports them).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from kpitool.model.fields import (
    Flag,
    Number,
    OptionalNumber,
    OptionalPeriod,
    OptionalText,
    PeriodField,
    StrictModel,
)

__all__ = ["Baseline", "InterimTarget", "Target", "TargetBasis", "TargetOver"]


class Baseline(StrictModel):
    """基準値 — the value at the start, with its period. ``value: null`` for "—"."""

    value: OptionalNumber = Field(title="基準値", description="null where the plan prints —")
    period: OptionalPeriod = Field(default=None, title="基準時点")
    text: OptionalText = Field(
        default=None, title="表記", description="the wording when it is not a plain number"
    )
    annotation: OptionalText = Field(
        default=None, title="注記", description="printed with the value, e.g. 参考値, 旧指標"
    )


class TargetBasis(StrEnum):
    """What a target that is not a plain number is measured against."""

    BASELINE = "baseline"
    """The target is ``baseline × factor`` (維持 = factor 1, 8割減 = factor 0.2)."""


class TargetOver(StrEnum):
    """How a target spans several years (複数年度の目標)."""

    FINAL_YEAR = "final_year"
    """最終年度に: the value to reach in the last year; before it, graded on the pace (the
    expected value on a straight line from the baseline)."""
    TOTAL = "total"
    """累計・N年間で: the sum of each year's actuals over ``period`` (a range); before its last
    year, the sum so far extrapolated to the whole range."""


class Target(StrictModel):
    """目標値 — the value to reach by a period.

    Either ``value`` is given, or ``basis: baseline`` with a ``factor`` (維持 →
    1, 基準値より8割減 → 0.2). ``strict`` marks 超 / 未満 (strictly beyond the
    value); ``text`` keeps the original wording (全国平均以上, 1万7187人超).
    ``every_year`` (毎年度・各年度) makes the value the target of each fiscal year of
    ``period`` (a range such as ``R2～R4``, or the plan period written out): each year's
    actual is graded against it on its own.
    """

    value: OptionalNumber = Field(default=None, title="目標値")
    period: PeriodField = Field(title="目標時点")
    basis: TargetBasis | None = Field(default=None, title="基準", description="baseline")
    factor: OptionalNumber = Field(default=None, title="倍率", description="with basis: baseline")
    strict: Flag = Field(default=False, title="超・未満", description="must be strictly beyond")
    text: OptionalText = Field(default=None, title="表記")
    annotation: OptionalText = Field(
        default=None, title="注記", description="printed with the value, e.g. 見込み"
    )
    over: TargetOver | None = Field(
        default=None,
        title="複数年度",
        description="final_year (最終年度に) or total (累計 over the period's range)",
    )
    every_year: Flag = Field(
        default=False,
        title="毎年度",
        description="the target of each fiscal year of period (a range such as R2～R4)",
    )

    def applies_in(self, year: int) -> bool:
        """Whether the target holds in fiscal ``year``: any year, or for ``every_year`` one of the range."""
        if not self.every_year:
            return True
        return self.period.first_fiscal_year <= year <= self.period.fiscal_year

    @model_validator(mode="after")
    def _value_or_basis(self) -> Target:
        if self.over is not None and self.every_year:
            raise ValueError("a target is either every_year (毎年度) or over several years, not both")
        if self.value is None and self.basis is None:
            raise ValueError("目標値 (target) needs a value, or basis: baseline with a factor")
        if self.value is not None and self.basis is not None:
            raise ValueError("目標値 (target) has both a value and a basis; give one")
        if self.factor is not None and self.basis is None:
            raise ValueError("factor only goes with basis: baseline")
        if self.factor is not None and self.factor < 0:
            raise ValueError(f"倍率 (factor) {self.factor} is negative; 8割減 is factor 0.2, 維持 is 1")
        return self


class InterimTarget(StrictModel):
    """中間目標 / 目安値 — a value expected by an intermediate period."""

    value: Number = Field(title="目安値")
    period: PeriodField = Field(title="時点")
