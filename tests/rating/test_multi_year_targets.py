"""Final-year and multi-year targets (``target.over``): the pace before the last year, the result in it.

Issue 19 item 4; the interim rule is documented in docs/rating.md (Annual and multi-year targets).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kpitool.cli.app import app

HEADER = "指標ID,指標名,単位,方向,基準値,基準時点,目標値,目標時点,R4,R5,R6,R7"
ROWS = [
    "pop,移住者数,人,増加,100,R3年度,400,R7(最終年度に),160,200,230,420",
    "sum,新規就農者数,人,増加,-,-,120,R4～R7の累計,30,25,28,40",
    "three,相談件数,件,増加,-,-,90,R6(3年間で),30,35,20,",
]


def evaluate(runner: CliRunner, args: list[str], year: str) -> dict[str, dict[str, Any]]:
    result = runner.invoke(app, [*args, "--year", year, "--format", "json"])
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    return {row["id"]: row for row in (output if "kpis" in output else output["plans"][0])["kpis"]}


@pytest.fixture
def table(tmp_path: Path) -> list[str]:
    path = tmp_path / "t.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return ["evaluate", "--table", str(path)]


def test_final_year_target_is_paced_then_judged(runner: CliRunner, table: list[str]) -> None:
    """100 (R3) → 400 (R7): the line expects 250 in R5 and 325 in R6; R7 is the result."""
    got = {year: evaluate(runner, table, year)["pop"] for year in ("R5", "R6", "R7")}
    assert got["R5"]["achievement_rate"] == pytest.approx(200 / 250)
    assert (got["R5"]["target"], got["R5"]["details"]["graded_goal"]) == (400, 250)
    assert "expected 250 now" in got["R5"]["rule"]
    assert got["R6"]["achievement_rate"] == pytest.approx(230 / 325)
    assert (got["R7"]["grade"], got["R7"]["achievement_rate"]) == ("○", pytest.approx(420 / 400))
    assert "the result" in got["R7"]["rule"]
    assert got["R7"]["target_period"] == "R7"


def test_total_target_is_extrapolated_then_summed(runner: CliRunner, table: list[str]) -> None:
    got = {year: evaluate(runner, table, year)["sum"] for year in ("R5", "R6", "R7")}
    assert got["R5"]["achievement_rate"] == pytest.approx((30 + 25) * 4 / 2 / 120)
    assert "55 in 2 of 4 years, extrapolated to 110" in got["R5"]["rule"]
    assert "extrapolated to 110.7" in got["R6"]["rule"]
    assert (got["R7"]["grade"], got["R7"]["achievement_rate"]) == ("○", pytest.approx(123 / 120))


def test_n_years_ending_in_a_year(runner: CliRunner, table: list[str]) -> None:
    """R6(3年間で) is the total of R4～R6."""
    r6 = evaluate(runner, table, "R6")["three"]
    assert r6["target_period"] == "R4～R6"
    assert (r6["grade"], r6["achievement_rate"]) == ("△", pytest.approx(85 / 90))


def test_final_year_target_in_yaml(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    plan = """
    id: demo
    title: 計画
    kind: comprehensive_plan
    municipality: 久留米市
    period: {start: R4, end: R7}
    kpis:
      - id: pop
        name: 移住者数
        unit: 人
        direction: increase
        baseline: {value: 100, period: R3年度}
        target: {value: 400, period: R7年度, over: final_year}
    """
    actuals = "plan: demo\nactuals:\n  pop:\n    R5: {value: 250}\n"
    root = data_dir(plans={"demo.yaml": plan}, actuals={"demo.yaml": actuals})
    assert runner.invoke(app, ["validate", "--data", str(root)]).exit_code == 0
    r5 = evaluate(runner, ["evaluate", "--data", str(root)], "R5")["pop"]
    assert (r5["grade"], r5["achievement_rate"]) == ("○", 1.0)  # on the line: on track


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("毎年度(3年間で)", "needs its year"),
        ("R7(第3期)", "holds a number kpitool does not read"),
    ],
)
def test_bad_multi_year_cells(runner: CliRunner, tmp_path: Path, cell: str, words: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(f"{HEADER}\npop,移住者数,人,増加,100,R3年度,400,{cell},1,2,3,4\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "--table", str(path), "--year", "R5"])
    assert result.exit_code == 1
    assert words in result.stderr
