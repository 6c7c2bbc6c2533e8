"""Shared helpers of the outlook tests: a one-KPI plan with its actuals, projected at a year.

Series are constructed so that the answer follows from the construction (a straight line, a
constant growth), never copied from a run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kpitool.model.actuals import ActualsFile
from kpitool.model.outlook_settings import OutlookMethod
from kpitool.model.plan import Plan
from kpitool.outlook.engine import KpiOutlook, PlanOutlook, outlook_plan
from kpitool.values.fiscal_year import FiscalYear


def make_plan(
    kpi: Mapping[str, Any], *, outlook: Mapping[str, Any] | None = None, period: str = "R2-R7"
) -> Plan:
    """A plan (計画期間 ``period``) holding one KPI given as its YAML mapping."""
    start, end = period.split("-")
    data: dict[str, Any] = {
        "id": "demo",
        "title": "テスト計画",
        "kind": "revitalization_strategy",
        "municipality": "テスト市",
        "period": {"start": start, "end": end},
        "kpis": [{"id": "k", "name": "テスト指標", "unit": "人", **kpi}],
    }
    if outlook is not None:
        data["evaluation"] = {"outlook": dict(outlook)}
    return Plan.model_validate(data)


def project(
    kpi: Mapping[str, Any],
    actuals: Mapping[str, Mapping[str, Any]],
    year: str = "R6",
    method: OutlookMethod | None = None,
    **plan: Any,
) -> KpiOutlook:
    """The outlook of one KPI (``actuals``: evaluation year → actual mapping) at ``year``."""
    return plan_outlook(kpi, actuals, year, method, **plan).rows[0]


def plan_outlook(
    kpi: Mapping[str, Any],
    actuals: Mapping[str, Mapping[str, Any]],
    year: str = "R6",
    method: OutlookMethod | None = None,
    **plan: Any,
) -> PlanOutlook:
    """The plan's outlook, as :func:`project` builds it."""
    record = ActualsFile.model_validate({"plan": "demo", "actuals": {"k": dict(actuals)}})
    return outlook_plan(make_plan(kpi, **plan), record, FiscalYear.parse(year), method)


def line(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Actuals reported in the year of their data: ``{"R3": 110}`` → R3: {value: 110, period: R3年度}."""
    return {year: {"value": value, "period": f"{year}年度"} for year, value in values.items()}
