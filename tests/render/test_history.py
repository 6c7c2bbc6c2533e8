"""The history at a terminal and as JSON: within the width, every year, the sparkline and outlook."""

from __future__ import annotations

import json

import pytest
from rich.cells import cell_len
from rich.console import Console

from kpitool.model.actuals import ActualsFile
from kpitool.outlook.history import KpiHistory, plan_history
from kpitool.render.history import HistoryView, history_json
from kpitool.values.fiscal_year import FiscalYear
from tests.outlook.conftest import make_plan

KPI = {
    "direction": "increase",
    "baseline": {"value": 100, "period": "H30.10月～R1.9月"},
    "target": {"value": 200, "period": "R6.10月～R7.9月"},
}


def items() -> list[KpiHistory]:
    plan = make_plan(KPI)
    actuals = {
        "R4": {"value": 130, "period": "R3.10月～R4.9月"},
        "R5": {"value": 140, "period": "R4.10月～R5.9月"},
    }
    record = ActualsFile.model_validate({"plan": "demo", "actuals": {"k": actuals}})
    return plan_history(plan, record, ["k"], FiscalYear.parse("R5"))


@pytest.mark.parametrize("width", [30, 50, 80])
def test_the_history_fits_the_width_and_shows_every_year(width: int) -> None:
    console = Console(width=width, soft_wrap=False, no_color=True)
    with console.capture() as captured:
        console.print(HistoryView("テスト計画", items()))
    text = captured.get()
    assert max(cell_len(line) for line in text.splitlines()) <= width
    for piece in ("R4", "R5", "130", "140", "▁▆█", "見通し", "加速が必要"):
        assert piece in text


def test_json_has_the_series_sparkline_and_outlook() -> None:
    data = json.loads(history_json(make_plan(KPI), items()))
    (kpi,) = data["kpis"]
    assert [row["value"] for row in kpi["series"]] == [130, 140]
    assert kpi["sparkline"] == "▁▆█"  # 100, 130, 140: 30/40 of the way is the sixth height
    # windows three and four years after the baseline's: 10 a year, 160 six years on, r = 0.6
    assert (kpi["outlook"]["projected"], kpi["outlook"]["ratio"], kpi["outlook"]["status"]) == (
        160,
        0.6,
        "accelerate",
    )
