"""The outlook (見通し) at a terminal: one row per KPI, laid out for the width it is printed at.

Each KPI shows its target and latest actual with their periods, the projected value at the
target period, r, the status (達成済み … データ不足) and the data lag (遅れ, in fiscal years,
``!`` when the target period's data will not arrive by the plan's final evaluation). Under the
table: the count of each status, the thresholds, the KPIs whose final data comes too late, and
why each データ不足 is one. As the width narrows, periods move under their values, then the
figures stack in one column, then each KPI becomes a block (:mod:`kpitool.render.flow`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction

from rich.console import Console, ConsoleOptions, RenderableType
from rich.text import Text

from kpitool.model.plan import section_heading
from kpitool.outlook.engine import KpiOutlook, PlanOutlook
from kpitool.outlook.status import OutlookStatus, round_fraction
from kpitool.render.flow import (
    Atom,
    Column,
    Flow,
    Grid,
    Line,
    fixed_table,
    flow_fields,
    headed,
    token,
    words,
    wrap,
)
from kpitool.render.style import display_number

__all__ = ["STATUS_STYLES", "OutlookView", "lag_text", "ratio_text", "status_atom"]

STATUS_STYLES = {
    OutlookStatus.ACHIEVED: "bold green",
    OutlookStatus.ON_TRACK: "green",
    OutlookStatus.ACCELERATE: "yellow",
    OutlookStatus.LIMITED: "bold yellow",
    OutlookStatus.REVERSE: "bold red",
    OutlookStatus.INSUFFICIENT_DATA: "dim",
}
"""The colour of each status at a terminal."""

LATE = "!"
"""Marks a lag at which the target period's data arrives after the plan's final evaluation."""


def status_atom(status: OutlookStatus, gap: int = 0) -> Atom:
    """A status label in its colour."""
    return token(status.label, STATUS_STYLES[status], gap=gap)


def ratio_text(ratio: Fraction | None) -> str:
    """r with two decimals (−1.68), — when there is none."""
    return "—" if ratio is None else format(round_fraction(ratio, 2), "f").replace("-", "−")


def lag_text(row: KpiOutlook) -> str:
    """``2年`` (``2年!`` when the target period's data comes too late), — without data."""
    if row.lag_years is None:
        return "—"
    return f"{row.lag_years}年" + (LATE if row.final_data_in_period is False else "")


def _figure(value: str, period: str | None, *, below: bool) -> list[Line]:
    if period is None:
        return [[token(value)]]
    shown = token(f"({period})", gap=0 if below else 1)
    return [[token(value)], [shown]] if below else [[token(value), shown]]


def _target(row: KpiOutlook) -> tuple[str, str | None]:
    text = row.kpi.target.text
    if row.target is None:
        return text or "—", row.projected_period.label
    return display_number(row.target), row.projected_period.label


def _latest(row: KpiOutlook) -> tuple[str, str | None]:
    latest = row.latest
    return ("—", None) if latest is None else (display_number(latest.value), latest.period.label)


def _projected(row: KpiOutlook) -> str:
    return display_number(row.projected_shown)


def _title(row: KpiOutlook) -> Line:
    number = [token(row.number)] if row.number else []
    return [*number, *words(row.kpi.name, gap=1 if number else 0)]


_Item = KpiOutlook | str


def _items(result: PlanOutlook) -> list[_Item]:
    items: list[_Item] = []
    current: object = object()
    for row in result.rows:
        if row.section is not current:
            current = row.section
            items.append(section_heading(row.section))
        items.append(row)
    return items


_Cell = Callable[[KpiOutlook], Flow]


def _cells(items: list[_Item], cell: _Cell) -> list[Flow | None]:
    return [cell(item) if isinstance(item, KpiOutlook) else None for item in items]


def _figures(pick: Callable[[KpiOutlook], tuple[str, str | None]], below: bool) -> _Cell:
    return lambda row: Flow(_figure(*pick(row), below=below))


def _heading(title: str, below: bool) -> Flow:
    return Flow.of(title, "(時点)") if below else Flow([[token(title), token("(時点)", gap=1)]])


def _wide(items: list[_Item], below: bool) -> list[Column]:
    """One column per figure (periods beside or below their values)."""
    return [
        Column(Flow.of("No."), _cells(items, lambda row: Flow.of(row.number))),
        Column(Flow.of("指標名"), _cells(items, lambda row: Flow([words(row.kpi.name)], floor=16))),
        Column(Flow.of("単位"), _cells(items, lambda row: Flow([words(row.kpi.unit)], floor=8)), weight=0.3),
        Column(_heading("目標値", below), _cells(items, _figures(_target, below)), "right"),
        Column(_heading("最新の実績", below), _cells(items, _figures(_latest, below)), "right"),
        Column(Flow.of("予測値"), _cells(items, lambda row: Flow.of(_projected(row))), "right"),
        Column(Flow.of("r"), _cells(items, lambda row: Flow.of(ratio_text(row.ratio))), "right"),
        Column(Flow.of("見通し"), _cells(items, lambda row: Flow([[status_atom(row.status)]])), "center"),
        Column(Flow.of("遅れ"), _cells(items, lambda row: Flow.of(lag_text(row))), "right"),
    ]


def _labelled(label: str, value: str, period: str | None) -> list[Atom]:
    return [token(label, "dim"), token(value, gap=1), *([token(f"({period})", gap=1)] if period else [])]


def _fields(row: KpiOutlook) -> list[list[Atom]]:
    return [
        _labelled("目標", *_target(row)),
        _labelled("実績", *_latest(row)),
        _labelled("予測", _projected(row), None),
    ]


def _stacked(items: list[_Item]) -> list[Column]:
    """指標 (number, name; unit below), the figures one under another, r and lag, status."""

    def title(row: KpiOutlook) -> Flow:
        return Flow([_title(row), [token("単位", "dim"), *words(row.kpi.unit, gap=1)]], indent=2, floor=14)

    def rates(row: KpiOutlook) -> Flow:
        return Flow(
            [
                [token("r", "dim"), token(ratio_text(row.ratio), gap=1)],
                [token("遅れ", "dim"), token(lag_text(row), gap=1)],
            ]
        )

    return [
        Column(Flow.of("指標"), _cells(items, title)),
        Column(
            Flow.of("目標値・実績値・予測値 (時点)"), _cells(items, lambda row: Flow(_fields(row), indent=2))
        ),
        Column(Flow.of("r・遅れ"), _cells(items, rates), "right"),
        Column(Flow.of("見通し"), _cells(items, lambda row: Flow([[status_atom(row.status)]])), "center"),
    ]


def _blocks(items: list[_Item], width: int) -> RenderableType:
    """Per KPI: number, name and status on the first line, the figures below."""
    lines: list[Text] = []
    for item in items:
        if isinstance(item, str):
            lines += [Text(""), *wrap([words(item, "bold")], width)]
            continue
        lines += headed(_title(item), Flow([[status_atom(item.status)]]), width)
        extra = [_labelled("r", ratio_text(item.ratio), None), _labelled("遅れ", lag_text(item), None)]
        lines += flow_fields([*_fields(item), *extra], width, indent=4)
    return Text("\n").join(lines)


def _fitted(items: list[_Item], width: int) -> Grid | None:
    spans = {index: Flow([words(item, "bold")]) for index, item in enumerate(items) if isinstance(item, str)}
    for columns in (_wide(items, False), _wide(items, True), _stacked(items)):
        table = fixed_table(columns, width, spans=spans)
        if table is not None:
            return table
    return None


def _counts(result: PlanOutlook) -> Flow:
    """集計: each status with its count, kept together, then the total."""
    atoms = [token("集計:")]
    for index, (status, count) in enumerate(result.summary.items()):
        label = status_atom(status, gap=2 if index else 1)
        atoms.append(Atom((*label.pieces, (f" {count}", "")), label.gap))
    atoms.append(token(f"計 {len(result.rows)}", gap=2))
    return Flow([atoms], indent=2)


def _notes(result: PlanOutlook) -> list[str]:
    settings = result.settings
    notes = [
        f"基準: r = (予測値 − 基準値) ÷ (目標値 − 基準値); 達成見込み r ≥ {settings.on_track} / "
        f"加速が必要 {settings.accelerate} ≤ r < {settings.on_track} / 進捗が小さい {settings.limited} ≤ r "
        f"< {settings.accelerate} / 逆行 r < {settings.limited} (method: {result.method.value})",
    ]
    late = [row.number for row in result.rows if row.final_data_in_period is False]
    if late:
        notes.append(
            f"{LATE} 目標時点のデータが計画期間の最終評価までに公表されない指標 "
            f"(the target period's data arrives after the final evaluation at this lag): {'、'.join(late)}"
        )
    for row in result.rows:
        if row.status is OutlookStatus.INSUFFICIENT_DATA:
            notes.append(f"データ不足 {row.number}: {row.reason}")
    return notes


class OutlookView:
    """A plan's outlook laid out for the width it is printed at (see the module docstring)."""

    def __init__(self, result: PlanOutlook) -> None:
        self.result = result
        self.items = _items(result)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[RenderableType]:
        width = options.max_width
        result = self.result
        yield Flow(
            [words(f"{result.plan.title} — {result.year.label} 見通し ({result.method.value})", "italic")]
        )
        yield _fitted(self.items, width) or _blocks(self.items, width)
        yield _counts(result)
        for note in _notes(result):
            yield Flow([words(note)], indent=2)
        yield Text("")
