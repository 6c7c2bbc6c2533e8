"""Tests for kpitool.model.plan: the No. of each KPI (its own number, else its position)."""

from __future__ import annotations

from kpitool.model.plan import KPI, NO_UNIT, Plan


def _kpi(kpi_id: str, number: str | None = None) -> dict[str, object]:
    data: dict[str, object] = {
        "id": kpi_id,
        "name": kpi_id,
        "unit": "人",
        "direction": "increase",
        "target": {"value": 1, "period": "R7年度"},
    }
    if number is not None:
        data["number"] = number
    return data


def test_kpi_numbers_are_the_own_number_else_the_position_in_plan_order() -> None:
    plan = Plan.model_validate(
        {
            "id": "p",
            "title": "計画",
            "kind": "comprehensive_plan",
            "municipality": "市",
            "kpis": [_kpi("top")],
            "sections": [
                {
                    "id": "s",
                    "level": "基本目標",
                    "title": "目標",
                    "kpis": [_kpi("a", "①"), _kpi("b")],
                    "sections": [{"id": "t", "level": "施策", "title": "施策", "kpis": [_kpi("c")]}],
                }
            ],
        }
    )
    assert plan.kpi_numbers() == {"top": "1", "a": "①", "b": "3", "c": "4"}


def test_unit_may_be_omitted_or_empty_and_shows_as_a_dash() -> None:
    """合計特殊出生率 and 倍率 have no unit (issue 15, item 4)."""
    omitted = {key: value for key, value in _kpi("rate").items() if key != "unit"}
    for data in (omitted, {**_kpi("ratio"), "unit": ""}):
        kpi = KPI.model_validate(data)
        assert kpi.unit == ""
        assert kpi.unit_shown == NO_UNIT == "—"
    assert KPI.model_validate(_kpi("people")).unit_shown == "人"
