"""Tests for kpitool.sources.table_columns: the header row, and the published grade columns (公表評価)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from kpitool.cli.app import app

HEADER = ["指標ID", "指標名", "単位", "方向", "基準値", "基準時点", "目標値", "目標時点", "R5"]
ROWS = [
    ["rate", "参加率", "%", "", "80", "R1", "85%以上", "R7年度", "82"],
    ["books", "貸出冊数", "冊", "増加", "12万3456冊", "R2年度", "50万冊", "R7年度", "4万5000冊"],
]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    return path


def run(runner: CliRunner, path: Path, year: str, *extra: str) -> Any:
    result = runner.invoke(app, ["evaluate", "--table", str(path), "--year", year, *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "json" in extra else result.stdout


@pytest.mark.parametrize("heading", ["評価", "公表評価", "判定", "published"])
def test_published_grade_column_is_the_official_grade(
    runner: CliRunner, tmp_path: Path, heading: str
) -> None:
    """A grade column without a year grades the latest year column; JSON carries both grades."""
    rows = [[*HEADER, "R6", heading], [*ROWS[0], "86", "△"], [*ROWS[1], "30万冊", "○"]]
    output = run(runner, write_csv(tmp_path / "t.csv", rows), "R6", "--format", "json")
    got = {row["id"]: (row["computed_grade"], row["official_grade"], row["grade"]) for row in output["kpis"]}
    assert got == {"rate": ("○", "△", "△"), "books": ("△", "○", "○")}
    assert [row["id"] for row in output["disagreements"]] == ["rate", "books"]
    earlier = run(runner, write_csv(tmp_path / "t.csv", rows), "R5", "--format", "json")
    assert [row["official_grade"] for row in earlier["kpis"]] == [None, None]


def test_grade_columns_of_several_years_and_the_table_lists_disagreements(
    runner: CliRunner, tmp_path: Path
) -> None:
    rows = [
        [*HEADER, "R5評価", "R6", "評価(R6)"],
        [*ROWS[0], "×", "86", "○"],
        [*ROWS[1], "○", "30万冊", ""],
    ]
    path = write_csv(tmp_path / "t.csv", rows)
    r5 = run(runner, path, "R5", "--format", "json")
    assert [(row["computed_grade"], row["official_grade"]) for row in r5["kpis"]] == [("×", "×"), ("×", "○")]
    text = run(runner, path, "R5")
    assert "公表評価と計算結果が異なる指標" in text
    assert "2 貸出冊数: 公表 ○ / 計算 ×" in text
    r6 = run(runner, path, "R6", "--format", "json")
    assert [row["official_grade"] for row in r6["kpis"]] == ["○", None]


def test_published_grades_in_a_workbook(runner: CliRunner, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [[*HEADER, "公表評価"], [*ROWS[0], "○"]]:
        sheet.append(row)
    workbook.save(tmp_path / "t.xlsx")
    output = run(runner, tmp_path / "t.xlsx", "R5", "--format", "json")
    assert (output["kpis"][0]["official_grade"], output["kpis"][0]["computed_grade"]) == ("○", "×")


@pytest.mark.parametrize(
    ("header", "cell", "words"),
    [
        ([*HEADER, "評価"], "〇", "'〇': a published grade is one of ○ △ × —; did you mean ○?"),
        ([*HEADER, "評価"], "A", "'A': a published grade is one of ○ △ × —"),
        ([*HEADER, "R5評価", "評価"], "○", "two grade columns for the latest year"),
        ([*HEADER, "R5評価", "R5 公表評価"], "○", "grade column 'R5 公表評価' appears twice"),
    ],
)
def test_bad_grade_columns(
    runner: CliRunner, tmp_path: Path, header: list[str], cell: str, words: str
) -> None:
    cells = [cell] * (len(header) - len(HEADER))
    path = write_csv(tmp_path / "t.csv", [header, [*ROWS[0], *cells]])
    result = runner.invoke(app, ["evaluate", "--table", str(path), "--year", "R5"])
    assert result.exit_code == 1
    assert words in result.stderr
    assert "Traceback" not in result.output


def test_a_grade_column_needs_a_year_column(runner: CliRunner, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", [[*HEADER[:-1], "評価"], [*ROWS[0][:-1], "○"]])
    result = runner.invoke(app, ["evaluate", "--table", str(path), "--year", "R5"])
    assert result.exit_code == 1
    assert f"{path}:1:9: 評価: row 1, column 9: a 評価 column needs a year column" in result.stderr


def test_docs_list_every_header_and_cell_form() -> None:
    """docs/tables.md documents every accepted header text and the cell-form words."""
    from kpitool.sources.table_cells import ANNUAL_WORDS, QUALIFIERS
    from kpitool.sources.table_columns import COLUMNS

    docs = (Path(__file__).resolve().parents[2] / "docs" / "tables.md").read_text(encoding="utf-8")
    missing = [alias for aliases in COLUMNS.values() for alias in aliases if f"`{alias}`" not in docs]
    missing += [word for word in (*QUALIFIERS, *ANNUAL_WORDS) if word not in docs]
    assert missing == []
