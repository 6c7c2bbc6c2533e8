"""The inline SVG charts of the site, as numbers a template draws: no drawing library, no script.

A KPI's chart places each value at its data period (時点) on a time axis in years
(:func:`kpitool.outlook.timeline.period_time`): the baseline (基準値), each evaluation year's
actual with its grade, and the target (目標値); the 総括 chart is a bar per grade and year.
Coordinates are rounded to one decimal, so the same inputs give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from kpitool.outlook.timeline import period_time
from kpitool.rating.results import Evaluation, Summary
from kpitool.values.periods import Period

__all__ = ["BarChart", "KpiChart", "Mark", "bar_chart", "kpi_chart"]

WIDTH, HEIGHT = 480, 260
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 28, 56


@dataclass(frozen=True)
class Mark:
    """One point of a KPI's chart: what it is (基準値, R6 実績値, 目標値), where, and its grade if any."""

    kind: str
    label: str
    period: str
    value: Decimal
    x: str
    y: str
    grade: str | None = None
    tone: str = "none"


@dataclass(frozen=True)
class KpiChart:
    """A KPI's chart: the marks, the actual series' polyline and the planned line (baseline → target)."""

    marks: tuple[Mark, ...]
    series: str
    planned: str
    axis_x: tuple[str, str, str]
    axis_y: tuple[str, str, str]
    ticks: tuple[tuple[str, Decimal], ...]


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


def _scale(
    low: Fraction, high: Fraction, start: float, end: float
) -> tuple[Fraction, Fraction, float, float]:
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) / 10
    return low - pad, high + pad, start, end


def _at(value: Fraction, scale: tuple[Fraction, Fraction, float, float]) -> str:
    low, high, start, end = scale
    return _coordinate(start + float((value - low) / (high - low)) * (end - start))


def kpi_chart(rows: Sequence[Evaluation], tones: dict[str, str]) -> KpiChart | None:
    """The chart of one KPI over the evaluation years (``rows``: its row in each year, in order).

    None when fewer than two values have a period to place them at.
    """
    kpi = rows[-1].kpi
    raw: list[tuple[str, str, Period, Decimal, str | None]] = []
    if kpi.baseline is not None and kpi.baseline.period is not None and rows[-1].baseline is not None:
        raw.append(("baseline", "基準値", kpi.baseline.period, rows[-1].baseline, None))
    for row in rows:
        observation = row.observation
        if observation is None or observation.value is None or observation.actual.period is None:
            continue
        raw.append(
            ("actual", f"{row.year.label} 実績値", observation.actual.period, observation.value, row.grade)
        )
    if kpi.target is not None and rows[-1].target is not None:
        raw.append(("target", "目標値", kpi.target.period, rows[-1].target, None))
    if len(raw) < 2:
        return None
    times = [period_time(period) for _, _, period, _, _ in raw]
    values = [Fraction(value) for *_, value, _ in raw]
    x_scale = _scale(min(times), max(times), LEFT, WIDTH - RIGHT)
    y_scale = _scale(min(values), max(values), HEIGHT - BOTTOM, TOP)
    marks = tuple(
        Mark(
            kind,
            label,
            period.label,
            value,
            _at(t, x_scale),
            _at(v, y_scale),
            grade,
            tones.get(grade or "", "none"),
        )
        for (kind, label, period, value, grade), t, v in zip(raw, times, values, strict=True)
    )
    series = " ".join(f"{m.x},{m.y}" for m in marks if m.kind != "target")
    ends = [m for m in marks if m.kind != "actual"]
    planned = f"{ends[0].x},{ends[0].y} {ends[-1].x},{ends[-1].y}" if len(ends) == 2 else ""
    low, high = min(values), max(values)
    ticks = tuple(
        (_at(v, y_scale), Decimal(v.numerator) / Decimal(v.denominator)) for v in sorted({low, high})
    )
    bottom = _coordinate(HEIGHT - BOTTOM)
    return KpiChart(
        marks,
        series,
        planned,
        (str(LEFT), bottom, str(WIDTH - RIGHT)),
        (str(LEFT), str(TOP), bottom),
        ticks,
    )


@dataclass(frozen=True)
class Bar:
    """One bar of the 総括 chart: a grade's count in one year."""

    year: str
    symbol: str
    count: int
    x: str
    y: str
    width: str
    height: str
    shade: int


@dataclass(frozen=True)
class BarChart:
    """The 総括 chart: per grade, one bar per year; the grade symbol under each group."""

    bars: tuple[Bar, ...]
    groups: tuple[tuple[str, str], ...]
    years: tuple[str, ...]
    baseline: str
    top: int


def bar_chart(summaries: Sequence[Summary]) -> BarChart:
    """Bars of each grade's count per year (shade: the year's position, light to dark)."""
    symbols = list(summaries[0].counts)
    top = max(1, *(max(s.counts.values(), default=0) for s in summaries))
    room = (WIDTH - LEFT - RIGHT) / len(symbols)
    width = room * 0.8 / len(summaries)
    bottom = HEIGHT - BOTTOM
    bars = []
    for group, symbol in enumerate(symbols):
        for index, summary in enumerate(summaries):
            count = summary.counts.get(symbol, 0)
            height = (bottom - TOP) * count / top
            x = LEFT + group * room + room * 0.1 + index * width
            bars.append(
                Bar(
                    summary.year.label,
                    symbol,
                    count,
                    _coordinate(x),
                    _coordinate(bottom - height),
                    _coordinate(width - 2),
                    _coordinate(height),
                    index,
                )
            )
    groups = tuple(
        (_coordinate(LEFT + group * room + room / 2), symbol) for group, symbol in enumerate(symbols)
    )
    return BarChart(tuple(bars), groups, tuple(s.year.label for s in summaries), _coordinate(bottom), top)
