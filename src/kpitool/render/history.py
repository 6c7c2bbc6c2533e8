"""A KPI's history (推移) at a terminal and as JSON: the series with its grades, a sparkline, the outlook.

Per KPI: a heading (number, name, unit, baseline → target), the sparkline of its points
(baseline and each data period, in time order), a table of the evaluation years (評価年度,
実績値, 時点, 評価 the rule computes, 公表評価), and one line of outlook: the projection at the
target period, r, the status and the data lag.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from rich.console import Console, ConsoleOptions, JustifyMethod, RenderableType
from rich.text import Text

from kpitool.model.plan import Plan
from kpitool.outlook.history import HistoryRow, KpiHistory
from kpitool.render.flow import Column, Flow, fixed_table, flow_fields, token, words
from kpitool.render.machine import json_number, plan_json, to_json
from kpitool.render.outlook import kpi_outlook_json
from kpitool.render.outlook_table import lag_text, ratio_text, status_atom
from kpitool.render.style import display_number

__all__ = ["HistoryView", "history_json"]


def _heading(item: KpiHistory) -> Flow:
    kpi, outlook = item.kpi, item.outlook
    baseline = display_number(outlook.baseline)
    if kpi.baseline is not None and kpi.baseline.period is not None:
        baseline += f" ({kpi.baseline.period.label})"
    target = f"{display_number(outlook.target) if outlook.target is not None else kpi.target.text or '—'}"
    title = [
        token(item.number, "bold"),
        *words(kpi.name, "bold", gap=1),
        *words(f"［{kpi.unit}］", "dim", gap=1),
    ]
    span = [token("基準値", "dim"), token(baseline, gap=1), token("→", gap=1), token("目標値", "dim", gap=1)]
    span += [token(f"{target} ({kpi.target.period.label})", gap=1)]
    return Flow([title, span], indent=2)


def _spark(item: KpiHistory) -> Flow:
    points = item.outlook.points
    if not points:
        return Flow([[token("推移", "dim"), token("—", gap=1)]], indent=2)
    first, last = points[0], points[-1]
    ends = [
        token(display_number(first.value), gap=2),
        token(f"({first.period.label})", gap=1),
        token("→", gap=1),
        token(display_number(last.value), gap=1),
        token(f"({last.period.label})", gap=1),
    ]
    return Flow([[token("推移", "dim"), token(item.sparkline, "cyan", gap=1), *ends]], indent=4)


def _table(rows: Sequence[HistoryRow], width: int) -> RenderableType:
    def column(title: str, cells: list[str], justify: JustifyMethod = "left") -> Column:
        return Column(Flow.of(title), [Flow.of(cell) for cell in cells], justify)

    table = fixed_table(
        [
            column("評価年度", [row.year.label for row in rows]),
            column("実績値", [display_number(row.value) for row in rows], "right"),
            column("時点", [_period(row) for row in rows]),
            column("評価", [row.computed for row in rows], "center"),
            column("公表評価", [row.official or "—" for row in rows], "center"),
        ],
        width,
    )
    if table is not None:
        return table
    lines: list[Text] = []
    for row in rows:  # too narrow for the table: one run of fields per year
        fields = [
            [
                token(row.year.label, "bold"),
                token(display_number(row.value), gap=1),
                token(f"({_period(row)})", gap=1),
            ],
            [
                token("評価", "dim"),
                token(row.computed, gap=1),
                token("公表", "dim", gap=1),
                token(row.official or "—", gap=1),
            ],
        ]
        lines += flow_fields(fields, width, indent=4)
    return Text("\n").join(lines)


def _period(row: HistoryRow) -> str:
    return row.period.label if row.period else "—"


def _outlook_line(item: KpiHistory) -> Flow:
    outlook = item.outlook
    atoms = [
        token(f"見通し ({outlook.method.value}, {outlook.year.label}):", "dim"),
        token("予測値", gap=1),
        token(display_number(outlook.projected_shown), gap=1),
        token(f"({outlook.projected_period.label})", gap=1),
        token(f"r {ratio_text(outlook.ratio)}", gap=2),
        status_atom(outlook.status, gap=2),
        token(f"遅れ {lag_text(outlook)}", gap=2),
    ]
    return Flow([atoms, words(f"— {outlook.reason}", "dim", gap=0)], indent=4)


class HistoryView:
    """The history of a plan's KPIs, laid out for the width it is printed at."""

    def __init__(self, title: str, items: Sequence[KpiHistory]) -> None:
        self.title, self.items = title, items

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[RenderableType]:
        width = options.max_width
        yield Flow([words(f"{self.title} — 推移", "italic")])
        for item in self.items:
            yield Text("")
            yield _heading(item)
            yield _spark(item)
            if item.rows:
                yield _table(item.rows, width)
            else:
                yield Flow([words("実績なし (no actual recorded)", "dim")], indent=4)
            yield _outlook_line(item)


def _row_json(row: HistoryRow) -> dict[str, Any]:
    return {
        "evaluation_year": row.year.label,
        "fiscal_year": row.year.year,
        "value": json_number(row.value),
        "period": row.period.label if row.period else None,
        "grade": row.grade,
        "computed_grade": row.computed,
        "official_grade": row.official,
    }


def history_json(plan: Plan, items: Sequence[KpiHistory]) -> str:
    """The history as JSON: the plan, and per KPI its series, sparkline and outlook."""
    kpis = [
        {
            "id": item.kpi.id,
            "no": item.number,
            "number": item.kpi.number,
            "name": item.kpi.name,
            "unit": item.kpi.unit,
            "series": [_row_json(row) for row in item.rows],
            "sparkline": item.sparkline,
            "outlook": kpi_outlook_json(item.outlook),
        }
        for item in items
    ]
    return to_json({"plan": plan_json(plan), "kpis": kpis})
