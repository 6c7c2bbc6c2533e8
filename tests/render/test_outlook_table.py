"""The outlook table at any width: nothing wider than asked, the status on each KPI's first line."""

from __future__ import annotations

from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console

from kpitool.render.outlook_table import OutlookView, lag_text, ratio_text
from tests.outlook.conftest import line, plan_outlook

KPI = {
    "direction": "increase",
    "baseline": {"value": 100, "period": "R2年度"},
    "target": {"value": 200, "period": "R7年度"},
}


def render(width: int, actuals: dict[str, dict[str, Any]] | None = None) -> list[str]:
    result = plan_outlook(KPI, actuals if actuals is not None else line({"R3": 110, "R4": 120}), year="R4")
    console = Console(width=width, soft_wrap=False, no_color=True)
    with console.capture() as captured:
        console.print(OutlookView(result))
    return captured.get().splitlines()


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_no_line_is_wider_than_the_width(width: int) -> None:
    lines = render(width)
    assert max(cell_len(text) for text in lines) <= width
    (first,) = [text for text in lines if "テスト指標" in text]
    assert "加速が必要" in first  # 10 a year: 150 by R7, r = 0.5


def test_the_reason_of_insufficient_data_is_under_the_table() -> None:
    lines = render(80, {})
    assert "データ不足 1: fewer than two points (1)" in lines  # the KPI's No. is its position


def test_ratio_and_lag_texts() -> None:
    result = plan_outlook(KPI, {"R6": {"value": 120, "period": "R4年度"}}, year="R6")
    row = result.rows[0]
    assert ratio_text(row.ratio) == "0.50"  # 10 a year from R2年度 to R4年度: 150 at R7年度
    assert lag_text(row) == "2年!"
    assert ratio_text(None) == "—"
