"""見通し設定 — how a plan's KPIs are projected to their target period (``evaluation.outlook``).

The block sits under a plan's ``evaluation`` (評価方法); every field has a default, so a plan
without it gets the linear method and the thresholds of docs/outlook.md::

    evaluation:
      outlook: {method: weighted, on_track: 0.9, accelerate: 0.5, limited: 0, recent_years: 5}

The thresholds are lower bounds of the ratio r = (projected − baseline) ÷ (target − baseline):
r ≥ ``on_track`` is 達成見込み, r ≥ ``accelerate`` 加速が必要, r ≥ ``limited`` 進捗が小さい, below it 逆行.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import Field, model_validator

from kpitool.model.fields import Count, Number, StrictModel

__all__ = ["OutlookMethod", "OutlookSettings"]


class OutlookMethod(StrEnum):
    """How a series is extended to the target period (見通しの方法); docs/outlook.md has the formulas."""

    LINEAR = "linear"
    """最小二乗法 — the least-squares line through every point."""
    CAGR = "cagr"
    """年平均成長率 — the constant growth rate from the baseline to the latest point."""
    WEIGHTED = "weighted"
    """加重最小二乗法 — least squares with recent points weighing more (as ESCAP's anticipated progress)."""
    RECENT = "recent"
    """直近の平均変化 — the mean annual change over the last five years (or fewer) of data."""


class OutlookSettings(StrictModel):
    """見通し — the method and thresholds of a plan's outlook (see the module docstring)."""

    method: OutlookMethod = Field(
        default=OutlookMethod.LINEAR, title="方法", description="linear / cagr / weighted / recent"
    )
    on_track: Number = Field(
        default=Decimal("0.95"), title="達成見込み", description="r at or above: on_track"
    )
    accelerate: Number = Field(
        default=Decimal("0.5"), title="加速が必要", description="r at or above: accelerate"
    )
    limited: Number = Field(
        default=Decimal(0), title="進捗が小さい", description="r at or above: limited; below: reverse"
    )
    recent_years: Count = Field(
        default=5, title="直近の年数", description="years of data the recent method uses"
    )
    cagr_fallback: OutlookMethod | None = Field(
        default=None,
        title="代替方法",
        description="method used where cagr is undefined (zero or negative values)",
    )

    @model_validator(mode="after")
    def _ordered(self) -> OutlookSettings:
        if not self.on_track > self.accelerate > self.limited:
            raise ValueError(
                f"outlook thresholds must fall: on_track ({self.on_track}) > accelerate ({self.accelerate}) "
                f"> limited ({self.limited})"
            )
        if self.recent_years < 1:
            raise ValueError("recent_years must be 1 or more")
        if self.cagr_fallback is OutlookMethod.CAGR:
            raise ValueError("cagr_fallback must be another method than cagr (linear, weighted or recent)")
        return self
