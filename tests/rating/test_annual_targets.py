"""Annual targets (毎年度・各年度, ``target.every_year``): each year graded against the same target.

Mirrors :mod:`kpitool.rating.facts` and :mod:`kpitool.rating.engine` for issue 19 item 3.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kpitool.cli.app import app

PLAN = """
# yaml-language-server: $schema=../../schemas/plan.schema.json
id: annual
title: 毎年度目標の計画
kind: comprehensive_plan
municipality: 久留米市
period: {start: R2, end: R4}
kpis:
  - id: events
    name: イベント開催数
    unit: 回
    direction: increase
    baseline: {value: 250, period: R1年度}
    target: {value: 300, period: R2～R4, every_year: true}
"""
ACTUALS = """
plan: annual
actuals:
  events:
    R2: {value: 310, period: R2年度}
    R3: {value: 280, period: R3年度}
    R4: {value: 200, period: R4年度}
    R5: {value: 320, period: R5年度}
"""


def grades(runner: CliRunner, args: list[str], year: str) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--year", year, "--format", "json"])
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    row = (output if "kpis" in output else output["plans"][0])["kpis"][0]
    return {key: row[key] for key in ("grade", "target", "achievement_rate", "rule")}


def test_each_year_is_graded_against_the_same_target(
    runner: CliRunner, data_dir: Callable[..., Path]
) -> None:
    root = data_dir(plans={"annual.yaml": PLAN}, actuals={"annual.yaml": ACTUALS})
    check = runner.invoke(app, ["validate", "--data", str(root)])
    assert check.exit_code == 0, check.output
    args = ["evaluate", "annual", "--data", str(root)]
    got = {year: grades(runner, args, year) for year in ("R2", "R3", "R4")}
    assert [got[y]["target"] for y in got] == [300, 300, 300]
    assert [got[y]["grade"] for y in got] == ["○", "△", "×"]
    assert got["R3"]["achievement_rate"] == pytest.approx(280 / 300)


def test_a_year_outside_the_range_is_not_judged(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    root = data_dir(plans={"annual.yaml": PLAN}, actuals={"annual.yaml": ACTUALS})
    got = grades(runner, ["evaluate", "annual", "--data", str(root)], "R5")
    assert got["grade"] == "—"
    assert "covers R2～R4 only" in got["rule"]


@pytest.mark.parametrize(
    "period", ["毎年", "毎年度", "各年度", "各年度(R2-R4)", "毎年(R2-R4)", "毎年度（R2～R4）"]
)
def test_annual_target_in_a_table(runner: CliRunner, tmp_path: Path, period: str) -> None:
    header = "指標ID,指標名,単位,方向,基準値,基準時点,目標値,目標時点,R2,R3,R4"
    row = f"events,イベント開催数,回,増加,250,R1年度,300,{period},310,280,200"
    path = tmp_path / "t.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    args = ["evaluate", "--table", str(path)]
    assert [grades(runner, args, year)["grade"] for year in ("R2", "R3", "R4")] == ["○", "△", "×"]


def test_annual_ranges_in_heisei(runner: CliRunner, tmp_path: Path) -> None:
    header = "指標ID,指標名,単位,方向,基準値,基準時点,目標値,目標時点,H27,H28,H29,H30"
    row = "events,開催数,回,増加,10,H26年度,12,毎年(H27-H29),12,11,13,20"
    path = tmp_path / "t.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    args = ["evaluate", "--table", str(path)]
    assert [grades(runner, args, year)["grade"] for year in ("H27", "H28", "H29", "H30")] == [
        "○",
        "△",
        "○",
        "—",
    ]


def test_an_annual_target_cannot_be_cumulative(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    root = data_dir(
        plans={
            "annual.yaml": PLAN.replace("direction: increase", "direction: increase\n    cumulative: true")
        }
    )
    result = runner.invoke(app, ["validate", "--data", str(root)])
    assert result.exit_code == 1
    assert "cannot be 累計" in result.output
