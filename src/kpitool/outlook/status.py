"""The status of an outlook (見通し) and how the ratio of projected progress decides it.

With r = (projected − baseline) ÷ (target − baseline), the share of the planned change the
projection reaches by the target period, and the thresholds of ``evaluation.outlook``
(defaults 0.95, 0.5, 0): r ≥ 0.95 on_track, 0.5 ≤ r < 0.95 accelerate, 0 ≤ r < 0.5 limited,
r < 0 reverse. ``achieved`` and ``insufficient_data`` are decided before any ratio.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from kpitool.model.outlook_settings import OutlookSettings

__all__ = ["OutlookStatus", "Thresholds", "round_fraction"]


class OutlookStatus(StrEnum):
    """What the projection says about the target (見通し), in the order tables count them."""

    ACHIEVED = "achieved"
    """達成済み — the latest actual already meets the target."""
    ON_TRACK = "on_track"
    """達成見込み — the projection reaches the target (r ≥ on_track)."""
    ACCELERATE = "accelerate"
    """加速が必要 — on the way, too slowly (accelerate ≤ r < on_track)."""
    LIMITED = "limited"
    """進捗が小さい — little progress (limited ≤ r < accelerate)."""
    REVERSE = "reverse"
    """逆行 — moving away from the target (r < limited)."""
    INSUFFICIENT_DATA = "insufficient_data"
    """データ不足 — too few points, no baseline or target, or the method undefined."""

    @property
    def label(self) -> str:
        """The Japanese label shown to people: 達成済み, 達成見込み …"""
        return _LABELS[self]


_LABELS = {
    OutlookStatus.ACHIEVED: "達成済み",
    OutlookStatus.ON_TRACK: "達成見込み",
    OutlookStatus.ACCELERATE: "加速が必要",
    OutlookStatus.LIMITED: "進捗が小さい",
    OutlookStatus.REVERSE: "逆行",
    OutlookStatus.INSUFFICIENT_DATA: "データ不足",
}


@dataclass(frozen=True)
class Thresholds:
    """The lower bounds of r for on_track, accelerate and limited, as exact fractions."""

    on_track: Fraction = Fraction(95, 100)
    accelerate: Fraction = Fraction(1, 2)
    limited: Fraction = Fraction(0)

    @classmethod
    def of(cls, settings: OutlookSettings) -> Thresholds:
        """The thresholds a plan's ``evaluation.outlook`` sets."""
        return cls(Fraction(settings.on_track), Fraction(settings.accelerate), Fraction(settings.limited))

    def status(self, ratio: Fraction) -> OutlookStatus:
        """The status of a ratio r: each threshold is the lowest r of its status."""
        if ratio >= self.on_track:
            return OutlookStatus.ON_TRACK
        if ratio >= self.accelerate:
            return OutlookStatus.ACCELERATE
        if ratio >= self.limited:
            return OutlookStatus.LIMITED
        return OutlookStatus.REVERSE

    def rule(self, ratio: Fraction) -> str:
        """The bounds that decided, e.g. ``r = 0.620 (0.5 ≤ r < 0.95)``."""
        shown = f"r = {round_fraction(ratio, 3)}"
        bounds = {
            OutlookStatus.ON_TRACK: f"r ≥ {_plain(self.on_track)}",
            OutlookStatus.ACCELERATE: f"{_plain(self.accelerate)} ≤ r < {_plain(self.on_track)}",
            OutlookStatus.LIMITED: f"{_plain(self.limited)} ≤ r < {_plain(self.accelerate)}",
            OutlookStatus.REVERSE: f"r < {_plain(self.limited)}",
        }
        return f"{shown} ({bounds[self.status(ratio)]})"


def _plain(value: Fraction) -> str:
    number = Decimal(value.numerator) / Decimal(value.denominator)
    return format(number.normalize(), "f")


def round_fraction(value: Fraction, places: int) -> Decimal:
    """An exact fraction rounded half away from zero (四捨五入) to ``places`` decimals."""
    scaled = abs(value) * 10**places
    whole = int(scaled + Fraction(1, 2))  # floor of a non-negative number
    digits = -whole if value < 0 else whole
    return Decimal(digits).scaleb(-places)
