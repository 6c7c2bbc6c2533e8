"""Tests for kpitool.sources.table: flat KPI tables (CSV in CP932 / UTF-8, .xlsx) graded with --table."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.model.plan import Direction
from kpitool.problems import DataError
from kpitool.sources.table import TableSource, parse_kpi_table

HEADER = [
    "id",
    "指標名",
    "単位",
    "方向",
    "累計",
    "基準値",
    "基準時点",
    "目標値",
    "目標時点",
    "R5",
    "令和6年度",
]
ROWS = [
    [
        "visitors",
        "観光入込客数",
        "人",
        "増加",
        "",
        "400,000",
        "R1年",
        "45.0万人",
        "R7年",
        "41.2万人 (R4年)",
        "44.8万人（R5年）",
    ],
    [
        "waiting",
        "待機児童数",
        "人",
        "減少",
        "",
        "54",
        "R2年4月1日",
        "0",
        "R8年4月1日",
        "３０",
        "0 (R6年4月1日)",
    ],
    ["gap", "全国平均との差", "ポイント", "増加", "", "▲2.6", "R2年度", "0", "R7年度", "△2.0", "▲1.0"],
    ["doctors", "病院群輪番制の運用", "日/年", "以上", "", "365", "R2年度", "365", "R7年度", "365", "―"],
    ["members", "登録者数（累計）", "人", "increase", "○", "－", "", "1,000", "R7年度", "420", "-"],
]


def csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def make_workbook(rows: list[list[Any]]) -> Workbook:
    """A workbook whose first sheet, 指標, holds ``rows``."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = "指標"
    for row in rows:
        sheet.append(row)
    return workbook


def evaluate_table(runner: CliRunner, path: Path, year: str = "R6") -> dict[str, Any]:
    result = runner.invoke(app, ["evaluate", "--table", str(path), "--year", year, "--format", "json"])
    assert result.exit_code == 0, result.output
    output: dict[str, Any] = json.loads(result.stdout)
    return output


def by_id(output: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in output["kpis"]}


def check_sample(output: dict[str, Any]) -> None:
    """What the sample table must give for R6, whatever file it came in."""
    rows = by_id(output)
    assert list(rows) == ["visitors", "waiting", "gap", "doctors", "members"]
    visitors = rows["visitors"]
    assert (visitors["target"], visitors["actual"], visitors["actual_period"]) == (450000, 448000, "R5年")
    assert visitors["grade"] == "○"  # 448,000 / 450,000 = 99.56%: nearly achieved
    waiting = rows["waiting"]
    assert (waiting["actual"], waiting["actual_period"], waiting["grade"]) == (0, "R6年4月1日", "○")
    gap = rows["gap"]
    assert (gap["baseline"], gap["actual"], gap["grade"]) == (-2.6, -1.0, "△")
    assert (rows["doctors"]["actual"], rows["doctors"]["grade"]) == (None, "—")
    members = rows["members"]
    assert (members["baseline"], members["actual"], members["grade"]) == (None, None, "—")
    assert output["summary"] == {"○": 2, "△": 1, "×": 0, "—": 2, "total": 5}
    assert output["year"] == {"label": "R6", "fiscal_year": 2024}


def test_cp932_csv(runner: CliRunner, tmp_path: Path) -> None:
    """What Japanese Excel saves as "CSV": Shift_JIS (CP932), not UTF-8."""
    raw = csv_bytes([HEADER, *ROWS], "cp932")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    path = tmp_path / "kpi.csv"
    path.write_bytes(raw)
    check_sample(evaluate_table(runner, path))


def test_utf8_bom_csv(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "kpi.csv"
    path.write_bytes(csv_bytes([HEADER, *ROWS], "utf-8-sig"))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    check_sample(evaluate_table(runner, path))


def test_xlsx_first_sheet(runner: CliRunner, tmp_path: Path) -> None:
    """Numbers typed as numbers, text with units and periods; only the first sheet is read."""
    path = tmp_path / "kpi.xlsx"
    workbook = make_workbook([HEADER, *ROWS])
    sheet = workbook.worksheets[0]
    sheet["F3"] = 54  # numeric cells, as Excel keeps typed numbers
    sheet["H2"] = 450000
    workbook.create_sheet("メモ").append(["これは読まない", "abc", "=1/0"])
    workbook.save(path)
    check_sample(evaluate_table(runner, path))


def test_xlsx_float_cells_are_exact(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "kpi.xlsx"
    make_workbook(
        [
            ["id", "指標名", "単位", "方向", "基準値", "目標値", "目標時点", 2024],
            ["ratio", "年少人口割合", "%", "以上", 13.6, 13.5, "R7年1月", 13.5],
        ]
    ).save(path)
    (row,) = evaluate_table(runner, path)["kpis"]
    assert (row["baseline"], row["target"], row["actual"], row["grade"]) == (13.6, 13.5, 13.5, "○")


def test_xlsx_error_names_the_sheet_cell(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "kpi.xlsx"
    make_workbook([HEADER, [*ROWS[0][:9], "12件", ""]]).save(path)
    result = runner.invoke(app, ["evaluate", "--table", str(path), "--year", "R6"])
    assert result.exit_code == 1
    assert "指標!J2: '12件': cannot convert 件 to 人" in result.stderr
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- #
# Value cells, one at a time


def read_one(cell: Any, unit: str = "人") -> tuple[Decimal | None, str | None]:
    """Parse a one-KPI table whose R6 cell is ``cell``; the actual's value and data period."""
    rows = [
        ["id", "指標名", "単位", "方向", "基準値", "目標値", "目標時点", "R6"],
        ["k", "指標", unit, "増加", "1", "2", "R7年度", cell],
    ]
    _plan, actuals = parse_kpi_table(rows, TableSource("t.csv", lambda r, c: f"row {r + 1}, column {c + 1}"))
    actual = actuals.actuals.get("k", {}).get("R6")
    if actual is None:
        return None, None
    return actual.value, actual.period.label if actual.period else None


@pytest.mark.parametrize(
    ("cell", "unit", "value", "period"),
    [
        ("14,276 (R2年度)", "億円", "14276", "R2年度"),
        ("14,276（R2年度）", "億円", "14276", "R2年度"),
        ("１４，２７６", "億円", "14276", None),
        ("1,234,567.5", "円", "1234567.5", None),
        ("▲2.6", "ポイント", "-2.6", None),
        ("△2.6", "ポイント", "-2.6", None),
        ("－2.6", "ポイント", "-2.6", None),
        ("45.0万人", "人", "450000.0", None),
        ("39.3万人 (R6年度末)", "万人", "39.3", "R6年度末"),
        ("447,000人", "万人", "44.7", None),
        ("1万7187人", "人", "17187", None),
        ("13.50%", "%", "13.50", None),
        ("557,584人", "人", "557584", None),
        (14276, "億円", "14276", None),
        (13.5, "%", "13.5", None),
    ],
)
def test_value_cells(cell: Any, unit: str, value: str, period: str | None) -> None:
    got, got_period = read_one(cell, unit)
    assert got == Decimal(value)
    assert got_period == period


def test_value_cells_keep_their_written_decimals() -> None:
    """13.50% stays 13.50 (Decimal from the text, never a float)."""
    got, _period = read_one("13.50%", "%")
    assert got is not None
    assert got.as_tuple() == Decimal("13.50").as_tuple()


@pytest.mark.parametrize("cell", ["—", "－", "-", "", "  ", None, "― (R6年度)"])
def test_cells_without_a_value(cell: Any) -> None:
    assert read_one(cell)[0] is None


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("abc", "'abc': not a number"),
        ("12件", "'12件': cannot convert 件 to 人"),
        ("1,23", "misplaced comma"),
        ("1e5", "exponent notation is not accepted"),
        ("3人 (R5年度", "write the data period in closed parentheses"),
        ("3 (R5年13月)", "month must be 1–12"),
        ("1.2.3", "more than one decimal point"),
    ],
)
def test_bad_value_cells_name_row_column_and_text(cell: str, words: str) -> None:
    with pytest.raises(DataError) as caught:
        read_one(cell)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.column, problem.path) == ("t.csv", 2, 8, "R6")
    assert problem.message.startswith(f"row 2, column 8: '{cell}'")
    assert words in problem.message
    assert f"'{cell}': '{cell}'" not in problem.message  # the text is quoted once


def test_errors_through_the_cli(runner: CliRunner, tmp_path: Path) -> None:
    """Every bad cell is listed (not just the first), then exit 1 without a traceback."""
    rows = [HEADER, [*ROWS[0][:9], "abc", "1,23"], ["", "名前", "", "上昇", "", "1", "", "2", "", "", ""]]
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(rows, "cp932"))
    result = runner.invoke(app, ["evaluate", "--table", str(path), "--year", "R6"])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    expected = [
        f"{path}:2:10: R5: row 2, column 10: 'abc': not a number",
        f"{path}:2:11: 令和6年度: row 2, column 11: '1,23': misplaced comma",
        f"{path}:3:1: id: row 3, column 1: id is empty",
        f"{path}:3:4: 方向: row 3, column 4: '上昇': expected 増加 / 減少 / 以上 / 以下",
        f"{path}:3:9: 目標時点: row 3, column 9: 目標時点 (target_period) is empty",
    ]
    assert len(lines) == len(expected) + 1
    for start, line in zip(expected, lines, strict=False):
        assert line.startswith(start), (start, line)
    assert lines[-1] == f"kpitool: error: {path}: 5 cell(s) could not be read"  # 単位 may be empty
    assert "Traceback" not in result.output


def test_target_period_may_sit_in_the_target_cell() -> None:
    rows = [
        ["id", "指標名", "単位", "方向", "基準値", "目標値", "目標時点"],
        ["k", "指標", "人", "増加", "1 (R2年度)", "2 (R7年度)", ""],
    ]
    plan, _actuals = parse_kpi_table(rows, TableSource("t.csv", lambda r, c: f"row {r + 1}"))
    (kpi,) = plan.kpis
    assert kpi.target.period.label == "R7年度"
    assert kpi.baseline is not None
    assert kpi.baseline.period is not None
    assert kpi.baseline.period.label == "R2年度"


# --------------------------------------------------------------------------- #
# Headers


@pytest.mark.parametrize("label", ["R6", "令和6年度", "R6年度", "2024年度", "2024", "FY2024", "Ｒ６"])
def test_year_header_aliases(runner: CliRunner, tmp_path: Path, label: str) -> None:
    path = tmp_path / "kpi.csv"
    rows = [
        ["id", "指標名", "単位", "方向", "基準値", "目標値", "目標時点", "R5", label],
        ["k", "指標", "人", "増加", "100", "200", "R7年度", "120", "150"],
    ]
    path.write_bytes(csv_bytes(rows, "utf-8"))
    (row,) = evaluate_table(runner, path, "令和6年度")["kpis"]
    assert (row["actual"], row["grade"]) == (150, "△")
    (earlier,) = evaluate_table(runner, path, "2023年度")["kpis"]
    assert earlier["actual"] == 120


def test_english_headers_and_directions(runner: CliRunner, tmp_path: Path) -> None:
    rows = [
        [
            "ID",
            "name",
            "unit",
            "direction",
            "cumulative",
            "baseline",
            "baseline_period",
            "target",
            "target_period",
            "R6",
        ],
        ["up", "a", "件", "increase", "", "10", "R2年度", "20", "R7年度", "15"],
        ["down", "b", "件", "decrease", "", "20", "R2年度", "10", "R7年度", "15"],
        ["floor", "c", "件", "at_least", "", "10", "R2年度", "10", "R7年度", "9"],
        ["ceiling", "d", "件", "以下", "1", "10", "R2年度", "10", "R7年度", "9"],
    ]
    path = tmp_path / "kpi.csv"
    path.write_bytes(csv_bytes(rows, "utf-8"))
    out = evaluate_table(runner, path)
    directions = {row["id"]: (row["direction"], row["cumulative"], row["grade"]) for row in out["kpis"]}
    assert directions == {
        "up": (Direction.INCREASE.value, False, "△"),
        "down": (Direction.DECREASE.value, False, "△"),
        "floor": (Direction.AT_LEAST.value, False, "×"),
        "ceiling": (Direction.AT_MOST.value, True, "○"),
    }


@pytest.mark.parametrize(
    ("header", "words"),
    [
        (
            ["id", "指標名", "単位", "方向", "目標値", "目標時点", "R6", "2024年度"],
            "year column '2024年度' appears twice",
        ),
        (
            ["id", "指標名", "単位", "方向", "目標値", "目標時点", "実績"],
            "unknown column '実績': expected id, 指標名",
        ),
        (["id", "指標名", "単位", "方向", "目標値", "R6"], "header row lacks the column(s) 目標時点"),
        (["id", "指標名", "単位", "方向", "目標値", "目標時点", "単位"], "column '単位' appears twice"),
    ],
)
def test_bad_headers(runner: CliRunner, tmp_path: Path, header: list[str], words: str) -> None:
    path = tmp_path / "kpi.csv"
    path.write_bytes(csv_bytes([header, ["k", "指標", "人", "増加", "2", "R7年度", "1", "1"]], "utf-8"))
    result = runner.invoke(app, ["evaluate", "--table", str(path), "--year", "R6"])
    assert result.exit_code == 1
    assert words in result.stderr
    assert "Traceback" not in result.output


def test_undecodable_csv(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "kpi.csv"
    path.write_bytes(csv_bytes([HEADER], "utf-8") + b"k,\x81\xff\n")
    result = runner.invoke(app, ["evaluate", "--table", str(path), "--year", "R6"])
    assert result.exit_code == 1
    assert "line 2: neither UTF-8 nor CP932 (Shift_JIS); save as UTF-8 CSV" in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["kurume-renkei-vision-2"], "give either plan ids or --table, not both"),
        (["--table", "missing.csv"], "--table: no such file: missing.csv"),
    ],
)
def test_table_usage_errors(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], words: str
) -> None:
    path = tmp_path / "kpi.csv"
    path.write_bytes(csv_bytes([HEADER, *ROWS], "utf-8"))
    full = ["evaluate", *args, "--year", "R6"]
    if "--table" not in args:
        full += ["--table", str(path)]
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, full)
    assert result.exit_code == 2
    assert words in result.stderr


def test_other_file_types_are_refused(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "kpi.ods"
    path.write_bytes(b"PK\x03\x04")
    result = runner.invoke(app, ["evaluate", "--table", str(path), "--year", "R6"])
    assert result.exit_code == 2
    assert "is neither .csv nor .xlsx" in result.stderr


def test_table_rendering(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "kpi.csv"
    path.write_bytes(csv_bytes([HEADER, *ROWS], "cp932"))
    result = runner.invoke(app, ["evaluate", "--table", str(path), "--year", "R6", "--width", "200"])
    assert result.exit_code == 0, result.output
    assert "kpi.csv — R6 評価" in result.stdout
    assert "0 (R6年4月1日)" in result.stdout
    assert "▲" not in result.stdout  # negative values are shown with a minus sign
    assert "-1.0" in result.stdout
    assert "集計: ○ 2 (40.0%)  △ 1 (20.0%)  × 0 (0.0%)  — 2 (40.0%)  計 5" in result.stdout
    csv_out = runner.invoke(app, ["evaluate", "--table", str(path), "--year", "R6", "--format", "csv"])
    assert csv_out.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(csv_out.stdout.removeprefix("\ufeff"))))
    assert [row["grade"] for row in rows] == ["○", "○", "△", "—", "—"]


def test_a_unitless_kpi_is_read_and_shown_as_a_dash(runner: CliRunner, tmp_path: Path) -> None:
    """An empty 単位 cell, or no 単位 column at all, is a KPI without a unit (issue 15, item 4)."""
    with_column = "id,指標名,単位,方向,基準値,基準時点,目標値,目標時点,R6\nbirth,合計特殊出生率,,増加,1.40,R1年度,1.60,R7年度,1.50\n"
    without = "id,指標名,方向,基準値,基準時点,目標値,目標時点,R6\nbirth,合計特殊出生率,増加,1.40,R1年度,1.60,R7年度,1.50\n"
    for name, text in (("with.csv", with_column), ("without.csv", without)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["evaluate", "--table", str(path), "--year", "R6", "--format", "json"])
        assert result.exit_code == 0, result.output
        (row,) = json.loads(result.stdout)["kpis"]
        assert (row["unit"], row["grade"]) == (None, "△")
        table = runner.invoke(app, ["evaluate", "--table", str(path), "--year", "R6", "--width", "200"])
        assert table.exit_code == 0, table.output
        (line,) = [line for line in table.stdout.splitlines() if "合計特殊出生率" in line]
        assert line.split("│")[3].strip() == "—"  # the 単位 column
