"""The helpers every command shares: one ``--years`` parser, the ``--output`` check, the error exit."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.cli.common import parse_years, refuse_terminal_output, say, stderr
from kpitool.errors import UsageError
from kpitool.values.fiscal_year import FiscalYear
from tests.conftest import DATA

VISION = "kurume-renkei-vision-2"


def test_years_are_sorted() -> None:
    assert parse_years("R6,R4, R5") == [FiscalYear(2022), FiscalYear(2023), FiscalYear(2024)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("R6,R4,R6", "--years: R6 is given twice"),
        ("R6,2024", "--years: R6 is given twice"),
        ("R4、R5、R6", "separate years with commas (,), not 、"),
        ("R4，R5", "separate years with commas (,), not ，"),
        (",", "--years needs at least one year"),
        ("R4,R99年13月", "--years: "),
    ],
)
def test_bad_years_are_usage_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_years(text)
    assert message in str(caught.value)


@pytest.mark.parametrize("command", ["summary", "report"])
@pytest.mark.parametrize(
    ("years", "message"),
    [
        ("R6,R4,R6", "kpitool: error: --years: R6 is given twice\n"),
        ("R4、R5、R6", "kpitool: error: --years: separate years with commas (,), not 、: e.g. R4,R5,R6\n"),
    ],
)
def test_summary_and_report_refuse_the_same_years(
    runner: CliRunner, tmp_path: Path, command: str, years: str, message: str
) -> None:
    extra = ["--xlsx", str(tmp_path / "out.xlsx")] if command == "report" else []
    result = runner.invoke(app, [command, VISION, "--years", years, "--data", str(DATA), *extra])
    assert result.exit_code == 2
    assert result.stderr == message
    assert not (tmp_path / "out.xlsx").exists()


def test_summary_shows_years_oldest_first(runner: CliRunner) -> None:
    given = runner.invoke(app, ["summary", VISION, "--years", "R6,R4,R5", "--data", str(DATA), "-f", "csv"])
    ordered = runner.invoke(app, ["summary", VISION, "--years", "R4,R5,R6", "--data", str(DATA), "-f", "csv"])
    assert given.exit_code == ordered.exit_code == 0
    assert given.stdout == ordered.stdout


def test_output_with_a_terminal_table_names_the_file_formats() -> None:
    refuse_terminal_output(None, "table", ["table", "json"])
    refuse_terminal_output(Path("out.json"), "json", ["table", "json"])
    with pytest.raises(UsageError, match=r"^--output goes with --format json or markdown$"):
        refuse_terminal_output(Path("out.txt"), "table", ["table", "json", "markdown"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["evaluate", "--year", "R6", "-o", "out.txt"], "--output goes with --format json or csv"),
        (["summary", "--years", "R6", "-o", "out.txt"], "--output goes with --format json or csv"),
        (["diff", str(DATA), str(DATA), "-o", "out.txt"], "--output goes with --format json or markdown"),
    ],
)
def test_output_with_a_table_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, [*args, "--data", str(DATA)])
    assert result.exit_code == 2
    assert result.stderr == f"kpitool: error: {message}\n"
    assert not (tmp_path / "out.txt").exists()


LINES = [
    "kpitool: wrote /tmp/a b/report.xlsx (2 plan(s); R4, R5, R6)",
    "kpitool: note: not evaluated outside their 計画期間 (and the year after it, the final evaluation): "
    "kurume-renkei-vision-3 (R8–R12) in R4, R5, R6",
    "kpitool: wrote /tmp/x:smile:y.xlsx (1 plan(s); R6)",  # an emoji code rich would replace
    "kpitool: wrote C:/reports/a.xlsx",
    "[bold]not markup[/bold] ［全角］ 💡 ｶﾅ",
    "trailing space ",
    "a tab\there, a bell \x07, a return \r",
    "x" * 300,
]


@pytest.mark.parametrize("terminal", [False, True])
@pytest.mark.parametrize("columns", ["20", "80"])
def test_say_writes_what_rich_would(monkeypatch: pytest.MonkeyPatch, terminal: bool, columns: str) -> None:
    """Plain lines skip rich (a cold report imports none); every line reads as rich prints it."""
    monkeypatch.setenv("COLUMNS", columns)
    if terminal:
        monkeypatch.setenv("FORCE_COLOR", "1")
    else:
        monkeypatch.delenv("FORCE_COLOR", raising=False)
    for line in LINES:
        ours, theirs = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "stderr", ours)
        say(line)
        monkeypatch.setattr(sys, "stderr", theirs)
        stderr().print(line, markup=False)
        assert ours.getvalue() == theirs.getvalue(), line
