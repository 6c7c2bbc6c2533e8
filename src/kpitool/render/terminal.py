"""Rich rendering of an evaluation for people at a terminal: the KPI table of ``evaluate``.

It is laid out for the width it is printed at, with :mod:`kpitool.render.flow`; the 集計
under it and ``summary``'s 総括 table are :mod:`kpitool.render.totals`'.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from rich.console import Console, ConsoleOptions, RenderableType
from rich.text import Text

from kpitool.rating.results import Evaluation, PlanEvaluation
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
from kpitool.render.notes import evaluation_notes
from kpitool.render.sections import section_lines
from kpitool.render.style import actual_parts, display_number, display_rate
from kpitool.render.totals import counts_lines, grade_atom, legend
from kpitool.values.numbers import round_half_up

__all__ = ["EvaluationView", "ExtraColumn", "evaluation_table"]


ExtraColumn = tuple[str, Mapping[str, str]]
"""A column added after the figures: its heading, and each KPI's cell by KPI id (``--outlook``)."""


def evaluation_table(result: PlanEvaluation, extra: ExtraColumn | None = None) -> RenderableType:
    """One plan's KPIs grouped by section, with rates, grades and the grade counts.

    The layout follows the width it is printed at (see :class:`EvaluationView`).
    """
    return EvaluationView(result, extra)


@dataclass(frozen=True)
class _Value:
    """A figure cell: the value (a number, or the plan's wording), and its period (時点)."""

    label: str
    text: str
    period: str | None = None
    textual: bool = False

    def atoms(self, gap: int = 0) -> list[Atom]:
        return words(self.text, gap=gap) if self.textual else [token(self.text, gap=gap)]

    def lines(self, *, period_below: bool) -> list[Line]:
        """One line, or two with the period under the value."""
        if self.period is None:
            return [self.atoms()]
        period = token(f"({self.period})", gap=0 if period_below else 1)
        return [self.atoms(), [period]] if period_below else [[*self.atoms(), period]]

    def labelled(self) -> list[Atom]:
        """``基準値 14,063 (H30年度)``: label, value and period on one line if they fit."""
        period = [token(f"({self.period})", gap=1)] if self.period else []
        return [token(self.label, "dim"), *self.atoms(gap=1), *period]


@dataclass(frozen=True)
class _Row:
    """One KPI as the terminal shows it."""

    number: str
    name: str
    unit: str
    values: tuple[_Value, _Value, _Value]
    rates: tuple[str, str]
    extras: tuple[_Value, ...]
    grade: tuple[Atom, ...]

    def title(self) -> list[Atom]:
        """The number (if any) and the name."""
        number = [token(self.number)] if self.number else []
        return [*number, *words(self.name, gap=1 if number else 0)]


_Item = _Row | str
"""A row of the table: a KPI, or the heading of the section its following KPIs belong to."""


def _items(result: PlanEvaluation, extra: ExtraColumn | None = None) -> list[_Item]:
    extras = [
        (key, title) for key, title in _DETAIL_COLUMNS if any(key in row.details for row in result.rows)
    ]
    items: list[_Item] = []
    current = object()
    for row in result.rows:
        if row.section is not current:
            current = section = row.section
            label = f"{section.level} {section.number or ''} {section.title}" if section else "計画全体"
            items.append(" ".join(label.split()))
        kpi = row.kpi
        grade = [grade_atom(result.scheme, row.grade)]
        if row.disagrees:
            grade.append(token(f"(計算:{row.computed.symbol})", "italic", gap=1))
        items.append(
            _Row(
                row.number,
                kpi.name,
                kpi.unit_shown,
                (_baseline(row), _target(row), _actual(row)),
                (display_rate(row.achievement), display_rate(row.progress)),
                tuple(_Value(title, _detail_text(row.details.get(key), key)) for key, title in extras)
                + ((_Value(extra[0], extra[1].get(kpi.id, "—")),) if extra else ()),
                tuple(grade),
            )
        )
    return items


def _baseline(row: Evaluation) -> _Value:
    baseline = row.kpi.baseline
    period = baseline.period.label if baseline and baseline.period and row.baseline is not None else None
    return _Value("基準値", display_number(row.baseline), period)


def _target(row: Evaluation) -> _Value:
    target = row.kpi.target
    period = target.period.label if row.target is not None else None
    if target.text:
        return _Value("目標値", target.text, period, textual=True)
    return _Value("目標値", display_number(row.target), period)


def _actual(row: Evaluation) -> _Value:
    text, period = actual_parts(row)
    return _Value("実績値", text, period)


class EvaluationView:
    """An evaluation laid out for the width it is printed at. What gives way as it narrows:

    1. names and units wrap (a name keeps at least 8 CJK characters a line, a unit 4);
    2. each period (時点) moves under its value;
    3. 達成率 and 進捗率 share one column;
    4. one 指標 column (number, name, unit) and one of 基準値 / 目標値 / 実績値;
    5. when even that does not fit (about 65 columns), one block per KPI.

    In every layout a KPI's number (or name) and its grade are on its first line, and figures,
    rates, periods and grades are never split; no line is wider than the width.
    """

    def __init__(self, result: PlanEvaluation, extra: ExtraColumn | None = None) -> None:
        self.result = result
        self.items = _items(result, extra)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[RenderableType]:
        width = options.max_width
        result = self.result
        yield Flow([words(f"{result.plan.title} — {result.year.label} 評価", "italic")])
        yield _fitted(self.items, width) or _blocks(self.items, width)
        yield from counts_lines(result.summary, result.scheme)
        yield legend(result.scheme)
        yield from section_lines(result)
        if result.disagreements:
            yield Flow(
                [
                    words(
                        "公表評価と計算結果が異なる指標 (official grade differs from the rule):",
                        "bold yellow",
                    )
                ]
            )
            for row in result.disagreements:
                note = f"{row.number} {row.kpi.name}: 公表 {row.official} / 計算 {row.computed.symbol}"
                yield Flow([[token("  "), *words(note), *words(f"— {row.rule}", gap=1)]], indent=4)
        yield from evaluation_notes(result)
        yield Text("")  # a blank line before the next plan


_NAME_FLOOR = 16
_UNIT_FLOOR = 8


def _fitted(items: list[_Item], width: int) -> Grid | None:
    """The first table layout (1–4 of :class:`EvaluationView`) that fits the width, if any."""
    spans = {index: Flow([words(item, "bold")]) for index, item in enumerate(items) if isinstance(item, str)}
    for period_below, rates_folded in ((False, False), (True, False), (True, True)):
        table = fixed_table(_columns(items, period_below, rates_folded), width, spans=spans)
        if table is not None:
            return table
    return fixed_table(_stacked_columns(items), width, spans=spans)


def _cells(items: list[_Item], cell: Callable[[_Row], Flow]) -> list[Flow | None]:
    """A column's cells: ``cell`` of each KPI, nothing in the rows of section headings."""
    return [cell(item) if isinstance(item, _Row) else None for item in items]


def _columns(items: list[_Item], period_below: bool, rates_folded: bool) -> list[Column]:
    """The table with one column per figure (layouts 1–3 of :class:`EvaluationView`)."""
    rows = [item for item in items if isinstance(item, _Row)]
    columns: list[Column] = []
    if any(row.number for row in rows):
        columns.append(Column(Flow.of("No."), _cells(items, lambda row: Flow.of(row.number))))
    name = Column(Flow.of("指標名"), _cells(items, lambda row: Flow([words(row.name)], floor=_NAME_FLOOR)))
    unit_cells = _cells(items, lambda row: Flow([words(row.unit)], floor=_UNIT_FLOOR))
    unit = Column(Flow.of("単位"), unit_cells, weight=0.3)
    columns += [name, unit]
    for index, title in enumerate(("基準値", "目標値", "実績値")):
        header = Flow.of(title, "(時点)") if period_below else Flow([[token(title), token("(時点)", gap=1)]])
        figure = partial(_figure, index=index, period_below=period_below)
        columns.append(Column(header, _cells(items, figure), "right"))
    if rates_folded:
        columns.append(Column(Flow.of("達成率", "進捗率"), _cells(items, _rates), "right"))
    else:
        for index, title in enumerate(("達成率", "進捗率")):
            columns.append(Column(Flow.of(title), _cells(items, partial(_rate, index=index)), "right"))
    for index, extra in enumerate(rows[0].extras if rows else ()):
        columns.append(Column(Flow.of(extra.label), _cells(items, partial(_extra, index=index)), "right"))
    columns.append(Column(Flow.of("評価"), _cells(items, lambda row: Flow([list(row.grade)])), "center"))
    return columns


def _figure(row: _Row, index: int, period_below: bool) -> Flow:
    value = row.values[index]
    return Flow(value.lines(period_below=period_below), justify="left" if value.textual else None)


def _rates(row: _Row) -> Flow:
    return Flow.of(*row.rates)


def _rate(row: _Row, index: int) -> Flow:
    return Flow.of(row.rates[index])


def _extra(row: _Row, index: int) -> Flow:
    return Flow.of(row.extras[index].text)


def _stacked_columns(items: list[_Item]) -> list[Column]:
    """Layout 4: 指標 (number, name; unit below), the figures one under another, rates, grade."""

    def title(row: _Row) -> Flow:
        return Flow(
            [row.title(), [token("単位", "dim"), *words(row.unit, gap=1)]], indent=2, floor=_NAME_FLOOR - 2
        )

    def figures(row: _Row) -> Flow:
        return Flow([value.labelled() for value in (*row.values, *row.extras)], indent=2)

    return [
        Column(Flow.of("指標"), _cells(items, title)),
        Column(Flow.of("基準値・目標値・実績値 (時点)"), _cells(items, figures)),
        Column(Flow.of("達成率", "進捗率"), _cells(items, _rates), "right"),
        Column(Flow.of("評価"), _cells(items, lambda row: Flow([list(row.grade)])), "center"),
    ]


def _blocks(items: list[_Item], width: int) -> RenderableType:
    """Layout 5: per KPI, its number, name and grade on the first line, its figures below."""
    lines: list[Text] = []
    for item in items:
        if isinstance(item, str):
            lines += [Text(""), *wrap([words(item, "bold")], width)]
            continue
        grade = Flow([list(item.grade)])
        unit = words(f"［{item.unit}］", "dim", gap=1) if item.unit else []
        lines += headed([*item.title(), *unit], grade, width)
        values, extras = item.values, item.extras
        rates = [
            [token(title, "dim"), token(rate, gap=1)]
            for title, rate in zip(("達成率", "進捗率"), item.rates, strict=True)
        ]
        for group in ([values[0], values[1]], [values[2]], extras):
            lines += flow_fields([value.labelled() for value in group], width, indent=4)
        lines += flow_fields(rates, width, indent=4)
    return Text("\n").join(lines)


_DETAIL_COLUMNS = (
    ("expected", "期待値"),
    ("progress_to_expected", "期待値進捗率"),
    ("previous", "前年度実績"),
    ("progress_grade", "進捗"),
)
"""Scheme details shown as columns: details key → heading."""


def _detail_text(value: object, key: str = "") -> str:
    if value is None:
        return "—"
    if key == "progress_to_expected" and isinstance(value, Decimal):  # a ratio (bands)
        return display_rate(value)
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        # An interpolated 期待値 may have many decimals; two are enough to read it.
        if isinstance(exponent, int) and exponent < -2:
            value = round_half_up(value, 2)
        return display_number(value)
    return str(value)
