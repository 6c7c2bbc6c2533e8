"""``kpitool outlook`` through the real CLI: bundled data, every format, widths, bad input.

The golden file tests/golden/outlook-vision2-R6.json is the exact JSON for the 2nd vision at R6;
after an intended change, regenerate it and review the diff::

    KPITOOL_UPDATE_GOLDEN=1 python -m pytest tests/cli/test_outlook.py
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.cli.outlook import MethodChoice
from kpitool.model.outlook_settings import OutlookMethod
from kpitool.support.safe_write import write_text_atomic
from tests.conftest import DATA, MINIMAL_ACTUALS, MINIMAL_PLAN

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "outlook-vision2-R6.json"
PLAN = "kurume-renkei-vision-2"


def run(runner: CliRunner, *args: str, code: int = 0) -> Any:
    result = runner.invoke(app, ["outlook", *args])
    assert result.exit_code == code, result.output
    return result


def vision2(runner: CliRunner, *args: str) -> dict[str, Any]:
    output: dict[str, Any] = json.loads(
        run(runner, PLAN, "--year", "R6", "--format", "json", "--data", str(DATA), *args).stdout
    )
    return output


def test_method_choices_are_the_core_s_methods() -> None:
    assert [c.value for c in MethodChoice] == [m.value for m in OutlookMethod]


def test_json_of_the_2nd_vision_is_the_golden_file(runner: CliRunner) -> None:
    result = vision2(runner)
    if os.environ.get("KPITOOL_UPDATE_GOLDEN"):
        write_text_atomic(GOLDEN, json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        pytest.skip("rewrote the golden file")
    assert result == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_json_contract_of_the_2nd_vision(runner: CliRunner) -> None:
    result = vision2(runner)
    assert result["plan"]["id"] == PLAN
    assert result["year"] == {"label": "R6", "fiscal_year": 2024}
    assert len(result["kpis"]) == 12
    keys = {
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
    }
    assert all(set(kpi["outlook"]) == keys for kpi in result["kpis"])
    assert all({"id", "number", "name"} <= set(kpi) for kpi in result["kpis"])
    summary = result["summary"]
    assert sum(n for key, n in summary.items() if key != "total") == summary["total"] == 12
    by_id = {kpi["id"]: kpi["outlook"] for kpi in result["kpis"]}
    # ① holds R4年度 data in R6: two years late, so its R7年度 figure comes after the final (R8) evaluation
    gdp = by_id["gross-regional-product"]
    assert [p["period"] for p in gdp["points"]] == ["H30年度", "R2年度", "R3年度", "R4年度"]
    assert [p["evaluation_year"] for p in gdp["points"]] == [None, "R4", "R5", "R6"]
    assert (gdp["lag_years"], gdp["final_data_in_period"]) == (2, False)
    # ⑥ keeps 365日/年 every year: a floor kept, with no ratio
    assert by_id["hospital-rotation-days"]["status"] == "achieved"
    assert by_id["hospital-rotation-days"]["ratio"] is None


def test_the_method_flag_and_every_method_runs_on_every_bundled_plan(runner: CliRunner) -> None:
    for method in MethodChoice:
        result = vision2(runner, "--method", method.value)
        assert result["method"] == method.value
        assert all(kpi["outlook"]["method"] == method.value for kpi in result["kpis"])
        every = run(runner, "--year", "R6", "--format", "json", "--data", str(DATA), "--method", method.value)
        assert len(json.loads(every.stdout)) >= 2


def test_csv_has_one_row_per_kpi(runner: CliRunner) -> None:
    text = run(runner, PLAN, "--year", "R6", "--format", "csv", "--data", str(DATA)).stdout
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == 12
    first = rows[0]
    assert (first["kpi_id"], first["lag_years"], first["final_data_in_period"]) == (
        "gross-regional-product",
        "2",
        "false",
    )
    assert first["label"] == "達成済み"


@pytest.mark.parametrize("width", ["80", "120", "60"])
def test_the_table_fits_the_width(width: str) -> None:
    runner = CliRunner(env={"COLUMNS": width, "NO_COLOR": "1", "TERM": "dumb"})
    text = run(runner, PLAN, "--year", "R6", "--data", str(DATA)).stdout
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= int(width)
    assert "見通し" in lines[0]
    assert any("集計: 達成済み" in line for line in lines)
    for name in ("圏域の総生産額", "達成済み", "逆行"):
        assert name in text


def test_the_table_warns_of_the_final_data_arriving_late(runner: CliRunner) -> None:
    text = run(runner, PLAN, "--year", "R6", "--data", str(DATA)).stdout
    assert "2年!" in text
    assert "! 目標時点のデータが計画期間の最終評価までに公表されない指標" in text


def test_output_file_gets_the_json(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "o.json"
    run(runner, PLAN, "--year", "R6", "--format", "json", "-o", str(out), "--data", str(DATA))
    assert json.loads(out.read_text(encoding="utf-8"))["plan"]["id"] == PLAN


def test_a_flat_table_is_projected(runner: CliRunner, tmp_path: Path) -> None:
    table = tmp_path / "kpis.csv"
    table.write_text(
        "ID,指標名,単位,方向,基準値,基準時点,目標値,目標時点,R3\nk1,人数,人,増加,100,R2年度,200,R7年度,119 (R3年度)\n",
        encoding="utf-8",
    )
    result = run(runner, "--table", str(table), "--year", "R3", "--format", "json")
    (kpi,) = json.loads(result.stdout)["kpis"]
    # 19 a year from R2年度: 195 at R7年度, r = 0.95 exactly
    assert (kpi["outlook"]["projected"], kpi["outlook"]["ratio"], kpi["outlook"]["status"]) == (
        195,
        0.95,
        "on_track",
    )
    graded = runner.invoke(
        app, ["evaluate", "--table", str(table), "--year", "R3", "--format", "json", "--outlook", "linear"]
    )
    assert json.loads(graded.stdout)["kpis"][0]["outlook"] == kpi["outlook"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "R6", "--method", "bogus"], "'bogus' is not one of"),
        (["--year", "R99"], "no plan is evaluated in R99"),
        (["nope", "--year", "R6"], "unknown plan 'nope'"),
        (["--year", "R6", "-o", "x.txt"], "--output goes with --format json or csv"),
        (["--year", "X6"], "--year: 'X6'"),
        (["--table", "missing.csv", "--year", "R6"], "--table: no such file"),
    ],
)
def test_bad_usage_is_exit_2_with_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["outlook", *args, "--data", str(DATA)])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_bad_outlook_settings_are_bad_data_naming_the_field(
    runner: CliRunner, data_dir: Callable[..., Path]
) -> None:
    plan = MINIMAL_PLAN.replace(
        "period: {start: R2, end: R7}\n",
        "period: {start: R2, end: R7}\nevaluation:\n  outlook: {on_track: 0.4, accelerate: 0.5}\n",
    )
    root = data_dir(plans={"demo.yaml": plan}, actuals={"demo.yaml": MINIMAL_ACTUALS})
    result = runner.invoke(app, ["outlook", "demo", "--year", "R5", "--data", str(root)])
    assert result.exit_code == 1
    assert (
        "demo.yaml:7:3: evaluation.outlook: outlook thresholds must fall: on_track (0.4) > accelerate (0.5)"
        in result.output
    )
    assert "Traceback" not in result.output


def history(runner: CliRunner, *args: str, code: int = 0) -> Any:
    result = runner.invoke(app, ["history", *args, "--data", str(DATA)])
    assert result.exit_code == code, result.output
    return result


def test_history_of_one_kpi_by_its_number(runner: CliRunner) -> None:
    text = history(runner, PLAN, "①").stdout
    lines = text.splitlines()
    assert "① 圏域の総生産額 ［億円］" in lines
    assert any(line.startswith("推移 ") and "14,063 (H30年度) → 15,048 (R4年度)" in line for line in lines)
    (r6,) = [line for line in lines if line.startswith("│ R6 ")]
    assert "15,048" in r6
    assert "R4年度" in r6
    assert any("見通し (linear, R6)" in line and "達成済み" in line and "遅れ 2年!" in line for line in lines)
    assert "② " not in text


def test_history_json_of_every_kpi_with_the_published_grades(runner: CliRunner) -> None:
    data = json.loads(history(runner, PLAN, "--format", "json", "--method", "recent").stdout)
    assert len(data["kpis"]) == 12
    workers = data["kpis"][1]
    assert [row["evaluation_year"] for row in workers["series"]] == ["R4", "R5", "R6"]
    assert workers["series"][-1]["official_grade"] == "×"
    assert workers["outlook"]["method"] == "recent"
    assert len(workers["sparkline"]) == len(workers["outlook"]["points"]) == 4


@pytest.mark.parametrize("width", ["40", "80"])
def test_history_fits_the_width(width: str) -> None:
    runner = CliRunner(env={"COLUMNS": width, "NO_COLOR": "1", "TERM": "dumb"})
    text = history(runner, PLAN).stdout
    assert max(cell_len(line) for line in text.splitlines()) <= int(width)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([PLAN, "nope"], "has no KPI 'nope' (give its id or No.: ① gross-regional-product"),
        (["nope"], "unknown plan 'nope'"),
        ([PLAN, "--year", "R6x"], "--year: 'R6x'"),
        ([PLAN, "--format", "csv"], "'csv' is not one of"),
    ],
)
def test_history_bad_usage_is_exit_2(runner: CliRunner, args: list[str], message: str) -> None:
    result = history(runner, *args, code=2)
    assert message in result.output
    assert "Traceback" not in result.output


def test_evaluate_has_no_outlook_unless_asked(runner: CliRunner) -> None:
    plain = runner.invoke(app, ["evaluate", PLAN, "--year", "R6", "--format", "json", "--data", str(DATA)])
    assert all("outlook" not in kpi for kpi in json.loads(plain.stdout)["kpis"])
    assert "見通し" not in runner.invoke(app, ["evaluate", PLAN, "--year", "R6", "--data", str(DATA)]).stdout


def test_evaluate_outlook_adds_the_outlook_of_the_same_method(runner: CliRunner) -> None:
    args = ["evaluate", PLAN, "--year", "R6", "--data", str(DATA), "--outlook", "weighted"]
    graded = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    projected = vision2(runner, "--method", "weighted")
    assert [kpi["outlook"] for kpi in graded["kpis"]] == [kpi["outlook"] for kpi in projected["kpis"]]
    assert graded["summary"]["total"] == 12  # the grades are unchanged
    text = runner.invoke(app, [*args, "--format", "csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row["outlook_status"] for row in rows] == [kpi["outlook"]["status"] for kpi in projected["kpis"]]
    table = runner.invoke(app, args).stdout
    assert "見通し" in table
    assert "達成済み" in table


def test_evaluate_outlook_refuses_an_unknown_method(runner: CliRunner) -> None:
    result = runner.invoke(app, ["evaluate", "--year", "R6", "--outlook", "spline", "--data", str(DATA)])
    assert result.exit_code == 2
    assert "'spline' is not one of" in result.output


def test_threshold_flags_replace_the_plan_s(runner: CliRunner) -> None:
    by_id = {kpi["id"]: kpi["outlook"] for kpi in vision2(runner, "--method", "recent")["kpis"]}
    plaza = by_id["city-plaza-visitors"]
    assert plaza["status"] == "on_track"
    assert plaza["ratio"] > 1.5
    flagged = vision2(runner, "--method", "recent", "--on-track", "10", "--accelerate", "1.5")
    assert flagged["thresholds"] == {"on_track": 10, "accelerate": 1.5, "limited": 0}
    (again,) = [kpi["outlook"] for kpi in flagged["kpis"] if kpi["id"] == "city-plaza-visitors"]
    assert (again["ratio"], again["status"]) == (plaza["ratio"], "accelerate")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--on-track", "0.3"],
            "kurume-renkei-vision-2: outlook thresholds must fall: on_track (0.3) > accelerate (0.5)",
        ),
        (["--limited", "x"], "--limited: expected a ratio such as 0.9, not 'x'"),
        (["--accelerate", "nan"], "expected a finite number"),
    ],
)
def test_unfit_threshold_flags_are_usage_errors(runner: CliRunner, args: list[str], message: str) -> None:
    result = run(runner, PLAN, "--year", "R6", "--data", str(DATA), *args, code=2)
    assert message in result.output


def test_a_kpi_with_no_unit_has_unit_null_as_in_evaluate(
    runner: CliRunner, data_dir: Callable[..., Path]
) -> None:
    root = data_dir(
        plans={"demo.yaml": MINIMAL_PLAN.replace("unit: 人", 'unit: ""')},
        actuals={"demo.yaml": MINIMAL_ACTUALS},
    )
    args = ["--year", "R5", "--format", "json", "--data", str(root)]
    outlook = json.loads(run(runner, *args).stdout)
    graded = json.loads(runner.invoke(app, ["evaluate", *args]).stdout)
    assert outlook["kpis"][0]["unit"] is None
    assert outlook["kpis"][0]["unit"] == graded["kpis"][0]["unit"]
