"""Rich renderings of plans for people at a terminal: the plan list and a plan's tree."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.table import Table
from rich.tree import Tree

from kpitool.model.plan import KPI, Plan, Section
from kpitool.render.flow import Atom, Flow, token, words
from kpitool.render.style import DIRECTION_LABELS, display_number, value_with_period

__all__ = ["plan_tree", "plans_table"]

_KIND_LABELS = {
    "comprehensive_plan": "総合計画",
    "revitalization_strategy": "地方創生総合戦略",
    "regional_alliance_vision": "連携中枢都市圏ビジョン",
}


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
    """The plan as a tree (sections → projects → KPIs) to check an encoding against its source.

    Labels wrap like table cells (:mod:`kpitool.render.flow`): figures and periods stay whole.
    """
    period = f" ({plan.period.start}–{plan.period.end})" if plan.period else ""
    tree = Tree(_label(f"{plan.title}{period}", "bold"))
    if plan.vision:
        tree.add(_label(f"将来像: {' '.join(plan.vision.split())}", "italic"))
    for kpi in plan.kpis:
        tree.add(_kpi_label(kpi))
    projects_by_section: dict[str, list[str]] = {}
    for project in plan.projects:
        for index, section_id in enumerate(project.listed_in):
            mark = "【再掲】" if index else ""
            number = f"{project.number} " if project.number else ""
            projects_by_section.setdefault(section_id, []).append(f"{number}{project.title}{mark}")

    def add(node: Tree, section: Section) -> None:
        label = f"{section.level} {section.number or ''} {section.title}"
        branch = node.add(_label(" ".join(label.split()), "bold cyan"))
        for item in section.items:
            branch.add(_label(f"・{item}", "dim"))
        for child in section.sections:
            add(branch, child)
        for title in projects_by_section.get(section.id, []):
            branch.add(_label(f"事業 {title}", "green"))
        for kpi in section.kpis:
            branch.add(_kpi_label(kpi))

    for section in plan.sections:
        add(tree, section)
    return tree


def _label(text: str, style: str) -> Flow:
    return Flow([words(text, style)], indent=2)


def _kpi_label(kpi: KPI) -> Flow:
    """``KPI ① name [unit, direction] baseline (period) → target (period)  id=…``; a figure
    stays with its period on one line."""
    baseline: list[Atom] = [token("—", gap=1)]
    if kpi.baseline is not None:
        period = kpi.baseline.period.label if kpi.baseline.period else None
        if kpi.baseline.text:
            baseline = words(kpi.baseline.text, gap=1) + ([token(f"({period})", gap=1)] if period else [])
        else:
            baseline = [token(value_with_period(kpi.baseline.value, period), gap=1)]
    target_period = f"({kpi.target.period.label})"
    if kpi.target.text:
        target = [*words(kpi.target.text, gap=1), token(target_period, gap=1)]
    else:
        target = [token(f"{display_number(kpi.target_value())} {target_period}", gap=1)]
    flags = f"{kpi.unit_shown}, {DIRECTION_LABELS[kpi.direction]}{', 累計' if kpi.cumulative else ''}"
    atoms = [
        *words(f"{kpi.category} {kpi.number or ''} {kpi.name}", "yellow"),
        *(
            words(f"[{flags}]", "yellow", gap=1)
            if cell_len(flags) > 20
            else [token(f"[{flags}]", "yellow", gap=1)]
        ),
        *baseline,
        token("→", gap=1),
        *target,
        token(f"id={kpi.id}", gap=2),
    ]
    return Flow([atoms], indent=2)
