"""Open data (オープンデータ): every KPI × evaluation year as one row, for DuckDB, pandas or Excel.

The long format of ``kpitool export``: the columns of :data:`EXPORT_COLUMNS`, one row per plan,
KPI and evaluation year, in plan order then year order. CSV is UTF-8 with a BOM and formula-safe
(:func:`kpitool.render.machine.csv_text`), numbers exact as recorded; JSON is a list of objects
with the same keys, numbers as in ``evaluate --format json``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from kpitool.rating.results import Evaluation, PlanEvaluation
from kpitool.render.machine import csv_text, evaluation_json, to_json

__all__ = ["EXPORT_COLUMNS", "export_csv", "export_json", "export_records"]

EXPORT_COLUMNS = (
    "plan_id",
    "plan_title",
    "municipality",
    "kpi_id",
    "number",
    "name",
    "unit",
    "section_id",
    "section",
    "direction",
    "baseline",
    "baseline_period",
    "target",
    "target_period",
    "year",
    "fiscal_year",
    "value",
    "period",
    "achievement_rate",
    "progress_rate",
    "computed_grade",
    "official_grade",
    "grade",
)
"""The columns: the KPI (id, No. as printed, name, unit, section, direction, 基準値 and 目標値 with
their 時点), the evaluation year (R6 and 2024), the actual (実績値) and its data period, the rates
as ratios, the computed grade, the published one (公表評価) and the grade shown."""

_FROM_JSON = {
    "kpi_id": "id",
    "number": "no",
    "name": "name",
    "unit": "unit",
    "section_id": "section_id",
    "section": "section",
    "direction": "direction",
    "baseline": "baseline",
    "baseline_period": "baseline_period",
    "target": "target",
    "target_period": "target_period",
    "value": "actual",
    "period": "actual_period",
    "achievement_rate": "achievement_rate",
    "progress_rate": "progress_rate",
    "computed_grade": "computed_grade",
    "official_grade": "official_grade",
    "grade": "grade",
}


def export_records(plans: Sequence[Sequence[PlanEvaluation]]) -> Iterator[tuple[dict[str, Any], Evaluation]]:
    """Each row as a JSON object (numbers as ``evaluate --format json`` gives them) with its evaluation."""
    for results in plans:
        for result in results:
            plan = result.plan
            head = {"plan_id": plan.id, "plan_title": plan.title, "municipality": plan.municipality}
            year = {"year": result.year.label, "fiscal_year": result.year.year}
            for kpi, row in zip(evaluation_json(result)["kpis"], result.rows, strict=True):
                record = {**head, **year, **{key: kpi[source] for key, source in _FROM_JSON.items()}}
                yield {column: record[column] for column in EXPORT_COLUMNS}, row


def _exact(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def export_csv(plans: Sequence[Sequence[PlanEvaluation]]) -> str:
    """The rows as CSV: UTF-8 with a BOM, CRLF, formula-like text neutralised, numbers exact."""

    def rows() -> Iterator[list[Any]]:
        for record, row in export_records(plans):
            exact = {
                "baseline": _exact(row.baseline),
                "target": _exact(row.target),
                "value": _exact(row.actual_value),
            }
            yield [exact.get(column, record[column]) for column in EXPORT_COLUMNS]

    return csv_text(rows(), EXPORT_COLUMNS)


def export_json(plans: Sequence[Sequence[PlanEvaluation]]) -> str:
    """The rows as a JSON list of objects, one per KPI × evaluation year."""
    return to_json([record for record, _ in export_records(plans)], pretty=False)
