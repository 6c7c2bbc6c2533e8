"""Rich renderings for people at a terminal: evaluation tables, 総括, plan lists and trees."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from kpitool.model.plan import Plan
from kpitool.rating.results import PlanEvaluation, Summary
from kpitool.rating.schemes.base import Scheme
from kpitool.render.xlsx.style import (
    DIRECTION_LABELS,
    TONE_COLOURS,
    actual_text,
    display_number,
    display_rate,
    grade_tone,
    value_with_period,
)
from kpitool.values.numbers import round_half_up

__all__ = ["evaluation_table", "plan_tree", "plans_table", "summary_table"]

_KIND_LABELS = {
    "comprehensive_plan": "総合計画",
    "revitalization_strategy": "地方創生総合戦略",
    "regional_alliance_vision": "連携中枢都市圏ビジョン",
}


def _grade_text(scheme: Scheme, symbol: str) -> Text:
    colour = TONE_COLOURS[grade_tone(scheme, symbol)][0]
    return Text(symbol, style=f"bold {colour}")


def evaluation_table(result: PlanEvaluation) -> RenderableType:
    """One plan's KPIs grouped by section, with rates, grades and the grade counts."""
    scheme = result.scheme
    table = Table(
        title=f"{result.plan.title} — {result.year_label} 評価",
        title_justify="left",
        show_lines=False,
        expand=False,
    )
    table.add_column("No.", no_wrap=True)
    table.add_column("指標名", min_width=16, overflow="fold")
    table.add_column("単位", no_wrap=True)
    table.add_column("基準値 (時点)", justify="right", overflow="fold")
    table.add_column("目標値 (時点)", justify="right", overflow="fold")
    table.add_column("実績値 (時点)", justify="right", overflow="fold")
    table.add_column("達成率", justify="right", no_wrap=True)
    table.add_column("進捗率", justify="right", no_wrap=True)
    # Scheme-specific figures get a column only when the scheme produces them.
    extras = [
        (key, title) for key, title in _DETAIL_COLUMNS if any(key in row.details for row in result.rows)
    ]
    for _key, title in extras:
        table.add_column(title, justify="right", no_wrap=True)
    table.add_column("評価", justify="center", no_wrap=True)
    current = object()
    for row in result.rows:
        section = row.section
        if section is not current:
            current = section
            heading = f"{section.level} {section.number or ''} {section.title}" if section else "計画全体"
            table.add_section()
            table.add_row("", Text(" ".join(heading.split()), style="bold"), *[""] * (7 + len(extras)))
        kpi = row.kpi
        baseline_period = kpi.baseline.period.label if kpi.baseline and kpi.baseline.period else None
        grade = _grade_text(scheme, row.grade)
        if row.disagrees:
            grade.append(f" (計算:{row.computed.symbol})", style="italic")
        target = kpi.target.text or value_with_period(row.target, kpi.target.period.label)
        if kpi.target.text and row.target is not None:
            target = f"{kpi.target.text} ({kpi.target.period.label})"
        table.add_row(
            kpi.number or "",
            kpi.name,
            kpi.unit,
            value_with_period(row.baseline, baseline_period),
            target,
            actual_text(row),
            display_rate(row.achievement),
            display_rate(row.progress),
            *(_detail_text(row.details.get(key)) for key, _title in extras),
            grade,
        )
    parts: list[RenderableType] = [table, _counts_line(result.summary, scheme), _legend(scheme)]
    if result.disagreements:
        notes = Text(
            "公表評価と計算結果が異なる指標 (official grade differs from the rule):\n",
            style="bold yellow",
        )
        for row in result.disagreements:
            notes.append(
                f"  {row.kpi.number or ''} {row.kpi.name}: "
                f"公表 {row.official} / 計算 {row.computed.symbol} — {row.rule}\n"
            )
        parts.append(notes)
    return Group(*parts)


_DETAIL_COLUMNS = (("expected", "期待値"), ("previous", "前年度実績"), ("progress_grade", "進捗"))
"""Scheme details shown as columns: details key → heading."""


def _detail_text(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        # An interpolated 期待値 may have many decimals; two are enough to read it.
        if isinstance(exponent, int) and exponent < -2:
            value = round_half_up(value, 2)
        return display_number(value)
    return str(value)


def _legend(scheme: Scheme) -> Text:
    """判断基準: every grade with its label and wording, as the settings give them."""
    legend = Text("判断基準: ")
    for index, grade in enumerate(scheme.grade_specs):
        if index:
            legend.append(" / ")
        legend.append_text(_grade_text(scheme, grade.symbol))
        legend.append(f" {grade.label}（{grade.criterion}）")
    return legend


def _counts_line(summary: Summary, scheme: Scheme) -> Text:
    line = Text("集計: ")
    for grade in summary.grades:
        line.append_text(_grade_text(scheme, grade.symbol))
        line.append(f" {summary.counts.get(grade.symbol, 0)} ({summary.percents[grade.symbol]}%)  ")
    line.append(f"計 {summary.total}")
    return line


def summary_table(plan: Plan, summaries: Sequence[Summary], scheme: Scheme) -> Table:
    """総括: per grade, each year's count and percent, with the 判断基準 wording."""
    table = Table(title=f"{plan.title} — 総括", title_justify="left")
    table.add_column("進捗度", justify="center")
    for summary in summaries:
        table.add_column(f"{summary.year_label}\n件数", justify="right")
    table.add_column("判断基準")
    for grade in scheme.grade_specs:
        cells = [f"{s.counts.get(grade.symbol, 0)} ({s.percents[grade.symbol]}%)" for s in summaries]
        table.add_row(_grade_text(scheme, grade.symbol), *cells, grade.criterion)
    table.add_section()
    table.add_row("計", *[str(s.total) for s in summaries], "")
    return table


def plans_table(rows: Sequence[dict[str, object]]) -> Table:
    """The plan list: id, title, kind, period and counts."""
    table = Table(title="計画一覧", title_justify="left")
    # The id is what a user types next: never cut it; let the title and kind wrap instead.
    table.add_column("id", no_wrap=True)
    table.add_column("計画名", overflow="fold")
    table.add_column("種類", overflow="fold")
    table.add_column("計画期間", overflow="fold")
    for name in ("指標", "事業", "実績"):
        table.add_column(name, justify="right", no_wrap=True)
    for row in rows:
        table.add_row(
            str(row["id"]),
            str(row["title"]),
            _KIND_LABELS.get(str(row["kind"]), str(row["kind"])),
            str(row["period"] or "—"),
            str(row["kpis"]),
            str(row["projects"]),
            str(row["actuals"]),
        )
    return table


def plan_tree(plan: Plan) -> Tree:
    """The plan as a tree (sections → projects → KPIs) to check an encoding against its source."""
    period = f" ({plan.period.start}–{plan.period.end})" if plan.period else ""
    tree = Tree(Text(f"{plan.title}{period}", style="bold"))
    if plan.vision:
        tree.add(Text(f"将来像: {' '.join(plan.vision.split())}", style="italic"))
    for kpi in plan.kpis:
        tree.add(_kpi_label(kpi))
    projects_by_section: dict[str, list[str]] = {}
    for project in plan.projects:
        for index, section_id in enumerate(project.listed_in):
            mark = "【再掲】" if index else ""
            number = f"{project.number} " if project.number else ""
            projects_by_section.setdefault(section_id, []).append(f"{number}{project.title}{mark}")

    def add(node: Tree, section: object) -> None:
        from kpitool.model.plan import Section

        assert isinstance(section, Section)
        label = f"{section.level} {section.number or ''} {section.title}"
        branch = node.add(Text(" ".join(label.split()), style="bold cyan"))
        for item in section.items:
            branch.add(Text(f"・{item}", style="dim"))
        for child in section.sections:
            add(branch, child)
        for title in projects_by_section.get(section.id, []):
            branch.add(Text(f"事業 {title}", style="green"))
        for kpi in section.kpis:
            branch.add(_kpi_label(kpi))

    for section in plan.sections:
        add(tree, section)
    return tree


def _kpi_label(kpi: object) -> Text:
    from kpitool.model.plan import KPI

    assert isinstance(kpi, KPI)
    baseline = "—"
    if kpi.baseline is not None:
        period = kpi.baseline.period.label if kpi.baseline.period else None
        baseline = kpi.baseline.text or value_with_period(kpi.baseline.value, period)
    target = kpi.target.text or display_number(kpi.target_value())
    label = Text(
        f"{kpi.category} {kpi.number or ''} {kpi.name} [{kpi.unit}, {DIRECTION_LABELS[kpi.direction]}",
        style="yellow",
    )
    label.append(
        f"{', 累計' if kpi.cumulative else ''}] {baseline} → {target} "
        f"({kpi.target.period.label})  id={kpi.id}"
    )
    return label
