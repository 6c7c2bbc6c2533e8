"""Tests for kpitool.cli.settings: a flat table graded by --scheme / --option or --settings in
evaluate, summary and report, and every bad flag (exit 2) or settings file (exit 1) named.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kpitool.cli.app import app
from tests.rating.schemes.conftest import example

TABLE = (
    "id,指標名,単位,方向,基準値,基準時点,目標値,目標時点,R4,R6\n"
    "slow,来館者数,人,増加,100,R2年度,200,R7年度,130 (R4年度),170 (R6年度)\n"
    "edge,利用者数,人,増加,100,R2年度,200,R7年度,132 (R4年度),200 (R6年度)\n"
)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    table = tmp_path / "kpis.csv"
    table.write_text(TABLE, encoding="utf-8")
    settings = tmp_path / "settings.yaml"
    settings.write_text(example("bands"), encoding="utf-8")
    return table, settings


def _grades(runner: CliRunner, *args: str) -> dict[str, str]:
    result = runner.invoke(app, ["evaluate", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return {row["id"]: row["grade"] for row in json.loads(result.stdout)["kpis"]}


def test_evaluate_a_table_by_a_settings_file(runner: CliRunner, files: tuple[Path, Path]) -> None:
    """The prefecture's bands: 130 against the 目安値 140 of R4 is C, 132 is B (80% exactly)."""
    table, settings = files
    assert _grades(runner, "--table", str(table), "--year", "R4", "--settings", str(settings)) == {
        "slow": "C",
        "edge": "B",
    }
    assert _grades(runner, "--table", str(table), "--year", "R4") == {"slow": "△", "edge": "△"}  # default


def test_scheme_and_options_from_the_command_line(runner: CliRunner, files: tuple[Path, Path]) -> None:
    table, settings = files
    args = ["--table", str(table), "--year", "R4", "--scheme", "progress_bands"]
    assert _grades(runner, *args) == {"slow": "C", "edge": "C"}  # 進捗率 30% and 32% < 80%
    assert _grades(runner, *args, "--option", "threshold=0.32") == {"slow": "C", "edge": "B"}
    moved = [
        "--table",
        str(table),
        "--year",
        "R4",
        "--settings",
        str(settings),
        "--option",
        "measure=progress",
    ]
    assert _grades(runner, *moved) == {"slow": "C", "edge": "C"}  # --option over the file's options


def test_summary_and_report_take_the_scheme_too(
    runner: CliRunner, files: tuple[Path, Path], tmp_path: Path
) -> None:
    table, settings = files
    by_settings = ["--table", str(table), "--years", "R4,R6", "--settings", str(settings)]
    summary = runner.invoke(app, ["summary", *by_settings, "--format", "json"])
    assert summary.exit_code == 0, summary.output
    totals = json.loads(summary.stdout)
    assert [grade["symbol"] for grade in totals["grades"]] == ["A", "B", "C", "—"]
    assert [year["counts"]["C"] for year in totals["years"]] == [1, 0]  # R4: 130 is C; R6: B and A
    out = tmp_path / "report.xlsx"
    report = runner.invoke(app, ["report", *by_settings, "--xlsx", str(out)])
    assert report.exit_code == 0, report.output
    rows = list(load_workbook(out)["kpis.csv"].iter_rows(values_only=True))
    (slow,) = [row for row in rows if "来館者数" in row]
    assert [slow[9], slow[12]] == ["C", "B"]  # R4 評価, R6 評価 (170 / 180: progress 70/80 = 87.5%)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--scheme", "nope"], "--scheme: unknown evaluation scheme 'nope'"),
        (
            ["--scheme", "progress_bands", "--option", "threshhold=0.5"],
            "--option threshhold: scheme 'progress_bands' has no option",
        ),
        (["--scheme", "progress_bands", "--option", "threshold"], "expected KEY=VALUE"),
        (
            ["--scheme", "progress_bands", "--option", "threshold=80"],
            "--option threshold: scheme 'progress_bands': option 'threshold' is 80",
        ),
        (
            ["--scheme", "progress_bands", "--option", "threshold=1", "--option", "threshold=2"],
            "--option threshold: given twice",
        ),
        (["--option", "threshold=1"], "--option needs --scheme or --settings"),
        (["--scheme", "default", "--settings", "SETTINGS"], "give either --scheme or --settings"),
        (
            ["--settings", "SETTINGS", "--option", "measure=speed"],
            "--option measure: scheme 'bands': unknown measure 'speed'",
        ),
        (["--settings", "missing.yaml"], "--settings: no such file: missing.yaml"),
    ],
)
def test_bad_flags_are_usage_errors(
    args: list[str], words: str, runner: CliRunner, files: tuple[Path, Path]
) -> None:
    table, settings = files
    args = [str(settings) if arg == "SETTINGS" else arg for arg in args]
    for command in (["evaluate", "--year", "R4"], ["summary", "--years", "R4"]):
        result = runner.invoke(app, [*command, "--table", str(table), *args])
        assert result.exit_code == 2, result.output
        assert words in result.stderr
        assert result.stdout == ""


def test_the_flags_go_with_a_table_only(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", "--year", "R6", "--scheme", "default"])
    assert result.exit_code == 2
    assert "--scheme goes with --table; a plan's scheme is its evaluation: block" in result.stderr
    report = runner.invoke(
        app, ["report", "--year", "R6", "--settings", "s.yaml", "--xlsx", str(tmp_path / "r.xlsx")]
    )
    assert report.exit_code == 2
    assert "--settings goes with --table" in report.stderr


@pytest.mark.parametrize(
    ("change", "located"),
    [
        (
            ("at_least: 0.8", "at_least: 80"),
            ":6:47: evaluation.grades[1].at_least: scheme 'bands': at_least 80 is over 10",
        ),
        (("scheme: bands", "schem: bands"), ":2:3: evaluation.schem: unknown field"),
        (
            ("{measure: progress_to_expected}", "{measure: speed}"),
            ":3:13: evaluation.options.measure: scheme 'bands': unknown measure",
        ),
        (("  grades:", "  grades: ["), ":5:5: YAML syntax error"),  # a YAML syntax error, at its line
    ],
)
def test_a_bad_settings_file_is_bad_data_at_its_line(
    change: tuple[str, str], located: str, runner: CliRunner, files: tuple[Path, Path]
) -> None:
    table, settings = files
    settings.write_text(example("bands").replace(*change), encoding="utf-8")
    result = runner.invoke(
        app, ["evaluate", "--table", str(table), "--year", "R4", "--settings", str(settings)]
    )
    assert result.exit_code == 1, result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{settings}{located}"), first
    assert result.stderr.splitlines()[-1].startswith(f"kpitool: error: {settings}: the evaluation settings")
    assert result.stdout == ""
    assert "Traceback" not in result.output


OWN = """\
evaluation: {scheme: default}
kpis:
  edge:
    evaluation: {options: {nearly_achieved: 1}}
"""


def test_a_settings_file_gives_some_kpis_their_own_block(runner: CliRunner, tmp_path: Path) -> None:
    """Both rows at 99.5% of the target: ○ by the file's default, △ by edge's "○ only at 100%"."""
    table = tmp_path / "kpis.csv"
    table.write_text(TABLE.replace("170 (R6年度)", "199 (R6年度)").replace("200 (R6年度)", "199 (R6年度)"))
    settings = tmp_path / "own.yaml"
    settings.write_text(OWN, encoding="utf-8")
    args = ["--table", str(table), "--year", "R6"]
    assert _grades(runner, *args) == {"slow": "○", "edge": "○"}
    assert _grades(runner, *args, "--settings", str(settings)) == {"slow": "○", "edge": "△"}
    result = runner.invoke(app, ["evaluate", *args, "--settings", str(settings), "--format", "json"])
    rules = {row["id"]: row["rule"] for row in json.loads(result.stdout)["kpis"]}
    assert "own evaluation" not in rules["slow"]
    assert rules["edge"].endswith("by this KPI's own evaluation: setting (default, nearly_achieved=1)")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            OWN.replace("  edge:", "  nope:"),
            "own.yaml:3:3: kpis.nope: no KPI with id 'nope' in the table (ids: slow, edge)",
        ),
        (
            OWN.replace("{options: {nearly_achieved: 1}}", "{scheme: progress_bands}"),
            "own.yaml:4:18: kpis.edge.evaluation.scheme: this KPI's own evaluation grades A B C —, its plan's ○ △ × —",
        ),
        (OWN.replace("{options:", "{opts:"), "own.yaml:4:18: kpis.edge.evaluation.opts"),
    ],
)
def test_a_bad_kpis_entry_is_refused_at_its_line(
    runner: CliRunner, files: tuple[Path, Path], tmp_path: Path, text: str, words: str
) -> None:
    table, _settings = files
    settings = tmp_path / "own.yaml"
    settings.write_text(text, encoding="utf-8")
    result = runner.invoke(
        app, ["evaluate", "--table", str(table), "--year", "R4", "--settings", str(settings)]
    )
    assert result.exit_code == 1
    assert words in result.output
    assert "Traceback" not in result.output
