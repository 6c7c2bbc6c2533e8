"""Tests for kpitool.update.from_table: ``kpitool init --from-table`` onboards a published KPI table.

A realistic table (qualified targets, annotations, '-' baselines, 万 notation, annual and
multi-year targets, a 公表評価 column) in CP932 CSV and in .xlsx: init writes the plan and its
actuals, validate passes, and evaluate gives the grades ``evaluate --table`` gives, every year.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from kpitool.cli.app import app

TABLE = [
    [
        "No.",
        "指標名",
        "単位",
        "方向",
        "基準値",
        "基準時点",
        "目標値",
        "目標時点",
        "R4",
        "R5",
        "R6",
        "公表評価",
        "備考",
    ],
    [
        "1",
        "市民参加率",
        "%",
        "",
        "80",
        "R1(参考値)",
        "85%以上",
        "R7年度",
        "82",
        "83.5",
        "86",
        "○",
        "市民意識調査",
    ],
    ["2", "重大事故件数", "件", "", "3", "R2年度", "0件以下", "R7年度", "1", "2", "0", "○", ""],
    ["3", "全国順位", "位", "減少", "-", "-", "10", "R7年度", "1.56(全国16位)", "[旧指標]13", "12", "△", ""],
    [
        "4",
        "貸出冊数",
        "冊",
        "増加",
        "12万3456冊",
        "R2年度",
        "50万冊",
        "R7年度",
        "4万5000冊",
        "12.5万冊",
        "49万9999冊",
        "×",
        "",
    ],
    [
        "5",
        "イベント開催数",
        "回",
        "増加",
        "250",
        "R1年度",
        "300",
        "各年度(R4-R6)",
        "310",
        "280",
        "200",
        "×",
        "",
    ],
    ["6", "移住者数", "人", "増加", "100", "R3年度", "400", "R7(最終年度に)", "160", "200", "230", "△", ""],
    ["7", "新規就農者数", "人", "増加", "-", "-", "120", "R4～R7の累計", "30", "25", "28", "", ""],
    [
        "8",
        "来館者数",
        "人",
        "増加",
        "12.5万人",
        "R2年度",
        "13万人",
        "R7年度(見込み)",
        "12万6000人",
        "-",
        "13万1000人",
        "○",
        "",
    ],
]
YEARS = ("R4", "R5", "R6")


def write_csv(path: Path) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(TABLE)
    path.write_bytes(buffer.getvalue().encode("cp932"))
    return path


def write_xlsx(path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "KPI"
    for row in TABLE:
        sheet.append([int(cell) if cell.isdigit() and len(cell) < 4 else cell for cell in row])
    workbook.save(path)
    return path


def grades(runner: CliRunner, args: list[str], year: str) -> list[tuple[Any, ...]]:
    result = runner.invoke(app, [*args, "--year", year, "--format", "json"])
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    rows = (output if "kpis" in output else output["plans"][0])["kpis"]
    keys = ("name", "computed_grade", "official_grade", "achievement_rate", "rule", "annotations")
    return [tuple(json.dumps(row[key], ensure_ascii=False) for key in keys) for row in rows]


@pytest.mark.slow
@pytest.mark.parametrize("make", [write_csv, write_xlsx], ids=["cp932-csv", "xlsx"])
def test_init_validate_and_evaluate_as_the_table(runner: CliRunner, tmp_path: Path, make: Any) -> None:
    table = make(tmp_path / ("kpi.csv" if make is write_csv else "kpi.xlsx"))
    data = tmp_path / "data"
    args = ["init", "--from-table", str(table), "--plan-id", "senryaku-2", "--title", "第2期総合戦略"]
    result = runner.invoke(app, [*args, "--data", str(data)])
    assert result.exit_code == 0, result.output
    plan_text = (data / "plans" / "senryaku-2.yaml").read_text(encoding="utf-8")
    actuals_text = (data / "actuals" / "senryaku-2.yaml").read_text(encoding="utf-8")
    assert plan_text.startswith("# yaml-language-server: $schema=../../schemas/plan.schema.json\n")
    assert actuals_text.startswith("# yaml-language-server: $schema=../../schemas/actuals.schema.json\n")
    assert "# 方向 at_least: from the qualifier of the 目標値 '85%以上'" in plan_text
    assert "# 基準値 and 基準時点 are '-' in the table" in plan_text
    assert "# 基準値 注記 '参考値'" in plan_text
    assert "# 注記 '旧指標' in the table's R5 cell" in actuals_text
    assert "R6: {value: 86, official_grade: ○}" in actuals_text
    check = runner.invoke(app, ["validate", "--data", str(data)])
    assert check.exit_code == 0, check.output
    for year in YEARS:
        from_yaml = grades(runner, ["evaluate", "senryaku-2", "--data", str(data)], year)
        assert from_yaml == grades(runner, ["evaluate", "--table", str(table)], year), year
    r6 = grades(runner, ["evaluate", "senryaku-2", "--data", str(data)], "R6")
    assert [json.loads(row[2]) for row in r6] == ["○", "○", "△", "×", "×", "△", None, "○"]


def test_init_never_overwrites(runner: CliRunner, tmp_path: Path) -> None:
    table = write_csv(tmp_path / "kpi.csv")
    data = tmp_path / "data"
    (data / "actuals").mkdir(parents=True)
    (data / "actuals" / "p.yaml").write_text("plan: p\n", encoding="utf-8")
    result = runner.invoke(app, ["init", "--from-table", str(table), "--plan-id", "p", "--data", str(data)])
    assert result.exit_code == 2
    assert "already exists; init never overwrites" in result.stderr
    assert (data / "actuals" / "p.yaml").read_text(encoding="utf-8") == "plan: p\n"
    assert not (data / "plans" / "p.yaml").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--plan-id", "第2期"], "--plan-id: "),
        (["--plan-id", "ok", "--from-table", "missing.csv"], "--from-table: no such file"),
    ],
)
def test_init_usage_errors(runner: CliRunner, tmp_path: Path, args: list[str], words: str) -> None:
    table = write_csv(tmp_path / "kpi.csv")
    result = runner.invoke(app, ["init", "--from-table", str(table), *args, "--data", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert words in result.stderr
    assert not (tmp_path / "d").exists()


def test_a_bad_table_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    table = tmp_path / "bad.csv"
    table.write_text(
        "指標ID,指標名,単位,方向,基準値,基準時点,目標値,目標時点\nk,名,人,増加,80%以上,R1,90,R7\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["init", "--from-table", str(table), "--plan-id", "p", "--data", str(tmp_path / "d")]
    )
    assert result.exit_code == 1
    assert "belongs in a 目標値 cell only" in result.stderr
    assert not (tmp_path / "d").exists()
