"""The static KPI website (公表サイト): an index of plans and one page per plan, as ``{path: bytes}``.

Rendered with Jinja2 (autoescape on: every text from the data is escaped) from the templates
shipped in ``templates/``; no script, no remote resource, no time stamp, so the same inputs
give the same bytes. Jinja2 is imported here only, when a site is rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kpitool.model.actuals import paragraphs
from kpitool.model.plan import Section, section_heading
from kpitool.outlook.engine import KpiOutlook, PlanOutlook
from kpitool.rating.results import Evaluation, PlanEvaluation
from kpitool.render.html.charts import KpiChart, bar_chart, kpi_chart
from kpitool.render.style import actual_parts, display_number, display_rate, grade_tone

__all__ = ["MARKER", "plan_page_name", "render_site"]

MARKER = ".kpitool-site"
"""The file that marks a folder as a site kpitool wrote (``site`` writes into such a folder again)."""
MARKER_TEXT = b"kpitool site: this folder was written by kpitool site; it may be written again.\n"


def plan_page_name(plan_id: str) -> str:
    """The file of a plan's page: its id (ASCII letters, digits, . _ -) and .html."""
    return f"{plan_id}.html"


@dataclass(frozen=True)
class _Kpi:
    """One KPI across the years: its rows (one per year), its chart, its page anchor."""

    rows: tuple[Evaluation, ...]
    chart: KpiChart | None
    anchor: str
    outlook: KpiOutlook | None = None


def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=PackageLoader("kpitool.render.html", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(number=display_number, rate=display_rate, paragraphs=paragraphs)
    environment.globals.update(actual_parts=actual_parts, section_heading=section_heading)
    return environment


def _tones(result: PlanEvaluation) -> dict[str, str]:
    return {g.symbol: str(grade_tone(result.scheme, g.symbol)) for g in result.scheme.grade_specs}


def _sections(
    results: Sequence[PlanEvaluation], outlook: PlanOutlook | None
) -> list[tuple[Section | None, list[_Kpi]]]:
    """The KPIs grouped by their section in plan order, each with its rows over the years (and its
    outlook, when given)."""
    tones = _tones(results[-1])
    outlooks = {row.kpi.id: row for row in outlook.rows} if outlook is not None else {}
    groups: list[tuple[Section | None, list[_Kpi]]] = []
    for index, row in enumerate(results[-1].rows):
        rows = tuple(result.rows[index] for result in results)
        kpi = _Kpi(rows, kpi_chart(rows, tones), f"kpi-{row.kpi.id}", outlooks.get(row.kpi.id))
        if not groups or groups[-1][0] is not row.section:
            groups.append((row.section, []))
        groups[-1][1].append(kpi)
    return groups


def _plan_context(results: Sequence[PlanEvaluation], outlook: PlanOutlook | None) -> dict[str, Any]:
    latest = results[-1]
    return {
        "plan": latest.plan,
        "results": results,
        "latest": latest,
        "scheme": latest.scheme,
        "tones": _tones(latest),
        "summaries": [r.summary for r in results],
        "chart": bar_chart([r.summary for r in results]),
        "sections": _sections(results, outlook),
        "outlook": outlook,
        "narratives": [r for r in results if r.narrative is not None],
    }


def render_site(
    plans: Sequence[Sequence[PlanEvaluation]], outlooks: Sequence[PlanOutlook] = (), title: str = "KPI評価"
) -> dict[str, bytes]:
    """The site's files: ``index.html``, one page per plan, and the marker file.

    ``plans`` holds, per plan, its evaluations in ascending year order; ``outlooks`` (none, or one
    per plan) each plan's outlook (見通し) at its last year, shown with each KPI.
    """
    if outlooks and len(outlooks) != len(plans):
        raise ValueError("render_site needs no outlook or one per plan")
    if not plans or not all(plans):
        raise ValueError("render_site needs at least one plan with at least one year")
    environment = _environment()
    contexts = [_plan_context(results, outlooks[i] if outlooks else None) for i, results in enumerate(plans)]
    shared = {"title": title, "page_name": plan_page_name}
    index = environment.get_template("index.html.j2").render({**shared, "plans": contexts})
    files = {"index.html": index.encode("utf-8")}
    plan_template = environment.get_template("plan.html.j2")
    for context in contexts:
        files[plan_page_name(context["plan"].id)] = plan_template.render({**shared, **context}).encode(
            "utf-8"
        )
    files[MARKER] = MARKER_TEXT
    return files
