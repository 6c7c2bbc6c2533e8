"""The CLI end to end: exit codes, messages, formats, on small data and the bundled plans."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from kpitool.cli.app import app
from tests.conftest import DATA, MINIMAL_ACTUALS, MINIMAL_PLAN

COMMANDS = sorted(getattr(typer.main.get_command(app), "commands", {}))

MakeData = Callable[..., Path]


def test_validate_bundled_data_prints_a_summary(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", str(DATA)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith("OK: 6 plans, 67 KPIs, ")
    assert "0 error(s)" in result.stdout


def test_validate_reports_every_error_with_location(runner: CliRunner, data_dir: MakeData) -> None:
    actuals = MINIMAL_ACTUALS + "  nope:\n    R5: {value: 1}\n"
    root = data_dir(
        plans={"demo.yaml": MINIMAL_PLAN, "broken.yaml": "id: x\nid: y\n"},
        actuals={"demo.yaml": actuals},
    )
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"{root}/actuals/demo.yaml:5:3: actuals.nope: no KPI with id 'nope' in plan 'demo'" in lines
    assert f"{root}/plans/broken.yaml:2:1: id: duplicate key 'id' (first at line 1)" in lines
    assert lines[-1].startswith("FAILED: 1 plans")
    assert "Traceback" not in result.output


def test_validate_github_format(runner: CliRunner, data_dir: MakeData) -> None:
    root = data_dir(plans={"broken.yaml": "id: x\nid: y\n"})
    result = runner.invoke(app, ["validate", "--format", "github", str(root)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert (
        f"::error file={root}/plans/broken.yaml,line=2,col=1,title=kpitool duplicate-key::"
        "id: duplicate key 'id' (first at line 1)"
    ) in lines
    # The rest of the file is still validated: its missing fields are reported in the same run.
    assert any("title=kpitool schema::title: required field is missing" in line for line in lines)


def test_validate_missing_path_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no such file or directory" in result.stderr


def test_strict_turns_warnings_into_failure(runner: CliRunner) -> None:
    assert runner.invoke(app, ["validate", str(DATA)]).exit_code == 0
    assert runner.invoke(app, ["validate", "--strict", str(DATA)]).exit_code == 1


def test_plans_json_lists_counts(runner: CliRunner) -> None:
    result = runner.invoke(app, ["plans", "--data", str(DATA), "--format", "json"])
    assert result.exit_code == 0, result.output
    plans = {item["id"]: item for item in json.loads(result.stdout)}
    assert set(plans) == {
        "kurume-sogo-senryaku-2",
        "kurume-renkei-vision-2",
        "kurume-renkei-vision-3",
        "kurume-shin-sogo-keikaku",
        "kurume-kihon-keikaku-4",
        "kumamoto-sogo-keikaku-7",
    }
    vision2 = plans["kurume-renkei-vision-2"]
    assert (vision2["kpis"], vision2["projects"], vision2["actuals"]) == (12, 0, 36)
    for item in plans.values():
        assert {"id", "title", "kind", "kpis", "projects", "actuals"} <= set(item)
        assert all(isinstance(item[key], int) for key in ("kpis", "projects", "actuals"))


def test_plans_table(runner: CliRunner) -> None:
    result = runner.invoke(app, ["plans", "--data", str(DATA), "--width", "200"])
    assert result.exit_code == 0
    assert "第2期久留米広域連携中枢都市圏ビジョン" in result.stdout
    assert "連携中枢都市圏ビジョン" in result.stdout


def test_show_prints_the_tree(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "kurume-sogo-senryaku-2", "--data", str(DATA), "--width", "200"])
    assert result.exit_code == 0, result.output
    assert "基本目標" in result.stdout
    assert "政策パッケージ" in result.stdout
    assert "【再掲】" in result.stdout
    assert "事業 " in result.stdout


def test_unknown_plan_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "nope", "--data", str(DATA)])
    assert result.exit_code == 2
    assert "unknown plan 'nope'" in result.stderr
    assert "kurume-renkei-vision-2" in result.stderr


@pytest.mark.parametrize("year", ["R5", "令和5年度", "R5年度", "2023年度", "2023"])
def test_year_spellings_are_the_same_fiscal_year(runner: CliRunner, data_dir: MakeData, year: str) -> None:
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": MINIMAL_ACTUALS})
    result = runner.invoke(app, ["evaluate", "--data", str(root), "--year", year, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["year"] == {"label": "R5", "fiscal_year": 2023}
    (kpi,) = data["kpis"]
    assert (kpi["actual"], kpi["progress_rate"], kpi["grade"]) == (150, 0.5, "△")


def test_bad_year_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["evaluate", "--year", "R6年13月", "--data", str(DATA)])
    assert result.exit_code == 2
    assert "--year" in result.stderr


def test_missing_data_dir_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", "--year", "R6", "--data", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_evaluate_stops_on_errors_in_the_selected_plan(runner: CliRunner, data_dir: MakeData) -> None:
    actuals = MINIMAL_ACTUALS + "  nope:\n    R5: {value: 1}\n"
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": actuals})
    result = runner.invoke(app, ["evaluate", "demo", "--year", "R5", "--data", str(root)])
    assert result.exit_code == 1
    assert "actuals.nope: no KPI with id 'nope'" in result.stderr


def test_evaluate_csv_output_written_atomically(
    runner: CliRunner, data_dir: MakeData, tmp_path: Path
) -> None:
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": MINIMAL_ACTUALS})
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["evaluate", "--data", str(root), "-y", "R5", "-f", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("plan_id,year,fiscal_year,kpi_id")
    assert lines[1].startswith("demo,R5,2023,workers,1,,労働者数,人,雇用を創出する,increase,100,R1年度,200")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.csv")] == []


def test_output_into_missing_directory_fails_cleanly(
    runner: CliRunner, data_dir: MakeData, tmp_path: Path
) -> None:
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": MINIMAL_ACTUALS})
    out = tmp_path / "no" / "such" / "out.json"
    result = runner.invoke(app, ["evaluate", "--data", str(root), "-y", "R5", "-f", "json", "-o", str(out)])
    assert result.exit_code == 1
    assert "does not exist" in result.stderr


def test_every_command_has_help(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    import typer.main

    group = typer.main.get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    assert {"validate", "plans", "show", "evaluate", "summary"} <= set(commands)
    for name, command in commands.items():
        assert command.help, f"{name} has no help text"
        assert command.short_help, f"{name} has no short_help for the command list"
        assert runner.invoke(app, [name, "--help"]).exit_code == 0
    listed = result.stdout.split("Commands:", 1)[1].splitlines()
    assert [line for line in listed if line.endswith("...")] == []  # no summary cut short


def _display_width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


@pytest.mark.slow  # starts real processes
@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)])
def test_help_fits_an_80_column_terminal(command: list[str]) -> None:
    """Help is wrapped by character count; Japanese characters take two columns, so it wraps at 72."""
    result = subprocess.run(
        [sys.executable, "-m", "kpitool", *command, "--help"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "COLUMNS": "80", "PYTHONIOENCODING": "utf-8"},
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Usage: " in result.stdout
    wide = [line for line in result.stdout.splitlines() if _display_width(line) > 80]
    assert wide == [], "help lines wider than 80 columns (reword the help text)"


def test_every_command_is_documented_in_readme() -> None:
    import typer.main

    readme = (DATA.parent / "README.md").read_text(encoding="utf-8")
    for name in typer.main.get_command(app).commands:  # type: ignore[attr-defined]
        assert f"kpitool {name}" in readme, f"README does not document `kpitool {name}`"


@pytest.mark.slow  # starts a real process (in process: test_validate_reports_every_error_with_location)
def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "kpitool", "validate", str(bad)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1
    assert f"{bad}:" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["evaluate", "--year", "R6", "--format", "foo"], "'foo' is not one of 'table', 'json', 'csv'"),
        (["report", "--year", "R6", "--paper", "B5", "--xlsx", "x.xlsx"], "'B5' is not one of 'a4', 'a3'"),
        (
            ["outlook", "--year", "R6", "--method", "x"],
            "'x' is not one of 'linear', 'cagr', 'weighted', 'recent'",
        ),
    ],
)
def test_a_bad_choice_is_a_usage_error_in_our_words(runner: CliRunner, args: list[str], shown: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert f"Invalid value for '{args[3]}'" in result.output
    assert shown in result.output
    assert "Value error" not in result.output
