"""The outlook (見通し) as JSON and CSV: one object per plan, one row per KPI.

JSON, like ``evaluate``'s: ``plan``, ``year``, ``method``, ``thresholds``, ``kpis[]`` with ``id``,
``number``, ``name`` … and ``outlook: {method, projected, projected_period, ratio, status, label,
points, lag_years, final_data_in_period, reason}``, and a ``summary`` counting each status.
Projections are rounded half-up to one decimal more than the KPI's figures, ratios to six
places: exact values underneath, no float noise on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from kpitool.outlook.engine import KpiOutlook, PlanOutlook
from kpitool.outlook.series import Point
from kpitool.outlook.status import OutlookStatus, round_fraction
from kpitool.rating.results import PlanEvaluation
from kpitool.render.left_out import with_left_out
from kpitool.render.machine import csv_text, evaluation_json, evaluations_csv, json_number, plan_json, to_json
from kpitool.sources.selection import NOTHING_LEFT_OUT, LeftOut

__all__ = [
    "EVALUATE_OUTLOOK_COLUMNS",
    "OUTLOOK_CSV_COLUMNS",
    "evaluations_csv_with_outlook",
    "evaluations_json_with_outlook",
    "kpi_outlook_json",
    "outlook_json",
    "outlooks_csv",
    "outlooks_json",
]

_RATIO_PLACES = 6


def _point_json(point: Point) -> dict[str, Any]:
    return {
        "period": point.period.label,
        "value": json_number(point.value),
        "evaluation_year": point.year.label if point.year is not None else None,
    }


def _ratio(row: KpiOutlook) -> float | None:
    return None if row.ratio is None else float(round_fraction(row.ratio, _RATIO_PLACES))


def kpi_outlook_json(row: KpiOutlook) -> dict[str, Any]:
    """The ``outlook`` member of a KPI: method, projection, ratio, status, points, lag."""
    return {
        "method": row.method.value,
        "projected": json_number(row.projected_shown),
        "projected_period": row.projected_period.label,
        "ratio": _ratio(row),
        "status": row.status.value,
        "label": row.status.label,
        "points": [_point_json(p) for p in row.points],
        "lag_years": row.lag_years,
        "final_data_in_period": row.final_data_in_period,
        "reason": row.reason,
    }


def _kpi_json(row: KpiOutlook) -> dict[str, Any]:
    kpi, latest = row.kpi, row.latest
    return {
        "id": kpi.id,
        "no": row.number,
        "number": kpi.number,
        "name": kpi.name,
        "unit": kpi.unit or None,  # as evaluate gives it: null for a KPI with no unit
        "section": row.section.title if row.section else None,
        "direction": kpi.direction.value,
        "rated_direction": row.direction.value,
        "cumulative": kpi.cumulative,
        "baseline": json_number(row.baseline),
        "baseline_period": kpi.baseline.period.label if kpi.baseline and kpi.baseline.period else None,
        "target": json_number(row.target),
        "target_period": kpi.target.period.label,
        "latest": json_number(latest.value) if latest else None,
        "latest_period": latest.period.label if latest else None,
        "outlook": kpi_outlook_json(row),
    }


def _summary(result: PlanOutlook) -> dict[str, int]:
    counts = {status.value: n for status, n in result.summary.items()}
    return {**counts, "total": len(result.rows)}


def outlook_json(result: PlanOutlook) -> dict[str, Any]:
    """One plan's outlook as the documented JSON object."""
    settings = result.settings
    return {
        "plan": plan_json(result.plan),
        "year": {"label": result.year.label, "fiscal_year": result.year.year},
        "method": result.method.value,
        "thresholds": {
            "on_track": json_number(settings.on_track),
            "accelerate": json_number(settings.accelerate),
            "limited": json_number(settings.limited),
        },
        "labels": {status.value: status.label for status in OutlookStatus},
        "kpis": [_kpi_json(row) for row in result.rows],
        "summary": _summary(result),
    }


def outlooks_json(results: Sequence[PlanOutlook], left_out: LeftOut = NOTHING_LEFT_OUT) -> str:
    """An object for one plan, a list for several; each names the plans the run left out, if any."""
    items = [with_left_out(outlook_json(r), left_out) for r in results]
    return to_json(items[0] if len(items) == 1 else items)


OUTLOOK_CSV_COLUMNS = (
    "plan_id",
    "year",
    "fiscal_year",
    "kpi_id",
    "no",
    "number",
    "name",
    "unit",
    "direction",
    "baseline",
    "baseline_period",
    "target",
    "target_period",
    "latest",
    "latest_period",
    "method",
    "projected",
    "projected_period",
    "ratio",
    "status",
    "label",
    "points",
    "lag_years",
    "final_data_in_period",
    "reason",
)
"""Columns of ``outlook --format csv``, one row per plan × KPI; ``points`` is their number."""


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def _csv_row(result: PlanOutlook, row: KpiOutlook) -> list[Any]:
    """One CSV row: the JSON members flattened, figures written exactly as shown."""
    data, latest, final = _kpi_json(row), row.latest, row.final_data_in_period
    ratio = None if row.ratio is None else round_fraction(row.ratio, _RATIO_PLACES)
    flat = {
        **data,
        **data["outlook"],
        "plan_id": result.plan.id,
        "year": result.year.label,
        "fiscal_year": result.year.year,
        "kpi_id": row.kpi.id,
        "baseline": _plain(row.baseline),
        "target": _plain(row.target),
        "latest": _plain(latest.value if latest else None),
        "projected": _plain(row.projected_shown),
        "ratio": _plain(ratio),
        "points": len(row.points),
        "final_data_in_period": "" if final is None else str(final).lower(),
    }
    return [flat[column] for column in OUTLOOK_CSV_COLUMNS]


def outlooks_csv(results: Sequence[PlanOutlook]) -> str:
    """Long-format CSV with a BOM, ready for Excel, DuckDB or pandas."""
    return csv_text((_csv_row(result, row) for result in results for row in result.rows), OUTLOOK_CSV_COLUMNS)


EVALUATE_OUTLOOK_COLUMNS = (
    "outlook_method",
    "outlook_projected",
    "outlook_ratio",
    "outlook_status",
    "outlook_label",
    "outlook_lag_years",
)
"""The columns ``evaluate --outlook METHOD --format csv`` adds after its own."""


def _by_kpi(outlook: PlanOutlook) -> dict[str, KpiOutlook]:
    return {row.kpi.id: row for row in outlook.rows}


def evaluations_json_with_outlook(
    results: Sequence[PlanEvaluation], outlooks: Sequence[PlanOutlook], left_out: LeftOut = NOTHING_LEFT_OUT
) -> str:
    """``evaluate``'s JSON with an ``outlook`` member in each KPI (``outlooks`` in results' order)."""
    items = []
    for result, outlook in zip(results, outlooks, strict=True):
        item = evaluation_json(result)
        rows = _by_kpi(outlook)
        item["kpis"] = [{**kpi, "outlook": kpi_outlook_json(rows[kpi["id"]])} for kpi in item["kpis"]]
        items.append(with_left_out(item, left_out))
    return to_json(items[0] if len(items) == 1 else items)


def evaluations_csv_with_outlook(results: Sequence[PlanEvaluation], outlooks: Sequence[PlanOutlook]) -> str:
    """``evaluate``'s CSV with the outlook columns (:data:`EVALUATE_OUTLOOK_COLUMNS`) after its own."""
    by_plan = {result.plan.id: _by_kpi(outlook) for result, outlook in zip(results, outlooks, strict=True)}

    def cells(result: PlanEvaluation, index: int) -> list[Any]:
        row = by_plan[result.plan.id][result.rows[index].kpi.id]
        ratio = None if row.ratio is None else round_fraction(row.ratio, _RATIO_PLACES)
        lag = "" if row.lag_years is None else row.lag_years
        return [
            row.method.value,
            _plain(row.projected_shown),
            _plain(ratio),
            row.status.value,
            row.status.label,
            lag,
        ]

    return evaluations_csv(results, (EVALUATE_OUTLOOK_COLUMNS, cells))
