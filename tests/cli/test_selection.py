"""Which plans a command grades: no plan silently dropped, and years inside each plan's period.

A broken file (a tab in YAML) stops every command over all plans with exit 1, its errors
first and no output file; ``--skip-invalid`` grades the others and names the skipped plan in
the table, the JSON and the workbook. A named broken plan is bad data (exit 1). Without plan
ids, plans are graded only in their 計画期間 and the year after; a year no plan covers is exit 2.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kpitool.cli.app import app
from tests.conftest import DATA

BROKEN = "kurume-renkei-vision-2"
VISION3 = "kurume-renkei-vision-3"


@pytest.fixture
def broken_data(tmp_path: Path) -> Path:
    """A copy of the bundled data whose 2nd vision plan file has a tab at line 3."""
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    path = root / "plans" / f"{BROKEN}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = "\t" + lines[2]
    path.write_text("".join(lines), encoding="utf-8")
    return root


def invoke(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(app, list(args))


ALL_PLANS = {
    "evaluate": ["evaluate", "--year", "R6", "--format", "json", "--output", "{out}"],
    "evaluate-table": ["evaluate", "--year", "R6"],
    "summary": ["summary", "--years", "R4,R5,R6", "--format", "csv", "--output", "{out}"],
    "report": ["report", "--years", "R4,R5,R6", "--xlsx", "{out}"],
    "plans": ["plans"],
}


@pytest.mark.parametrize("command", ALL_PLANS.values(), ids=ALL_PLANS.keys())
def test_every_all_plans_command_stops_on_a_broken_file(
    runner: CliRunner, broken_data: Path, tmp_path: Path, command: list[str]
) -> None:
    out = tmp_path / ("out.xlsx" if "--xlsx" in command else "out.txt")
    args = [a.replace("{out}", str(out)) for a in command]
    result = invoke(runner, *args, "--data", str(broken_data))
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{broken_data}/plans/{BROKEN}.yaml:3:1: ")  # the cause, first
    assert lines[-1].startswith("kpitool: error: 2 error(s) in the data;")
    assert "--skip-invalid" in lines[-1]
    assert result.stdout == ""
    assert not out.exists()


def test_skip_invalid_names_the_plan_under_the_table(runner: CliRunner, broken_data: Path) -> None:
    args = ["evaluate", "--year", "R6", "--skip-invalid", "--width", "500", "--data", str(broken_data)]
    result = invoke(runner, *args)
    assert result.exit_code == 0, result.output
    assert "第2期久留米広域連携中枢都市圏ビジョン" not in result.stdout
    last = result.stdout.rstrip().splitlines()[-1]
    assert last.startswith("除外した計画 (skipped, errors in their files; --skip-invalid): ")
    assert f"{BROKEN} ({broken_data}/plans/{BROKEN}.yaml: 3:1: " in last
    assert f"left out 1 plan(s) whose files have errors: {BROKEN}" in result.stderr


@pytest.mark.parametrize(
    "command",
    [["evaluate", "--year", "R6"], ["summary", "--years", "R4,R5,R6"]],
    ids=["evaluate", "summary"],
)
def test_skip_invalid_lists_the_plan_in_json(
    runner: CliRunner, broken_data: Path, command: list[str]
) -> None:
    result = invoke(runner, *command, "--format", "json", "--skip-invalid", "--data", str(broken_data))
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    items = items if isinstance(items, list) else [items]
    assert [item["plan"]["id"] for item in items] == ["kurume-sogo-senryaku-2"]
    (skipped,) = items[0]["skipped"]
    assert set(skipped) == {"file", "plan", "reason"}
    assert skipped["file"] == f"{broken_data}/plans/{BROKEN}.yaml"
    assert skipped["plan"] == BROKEN
    assert skipped["reason"].startswith("3:1: ")
    assert skipped["reason"].endswith("(and 1 more error(s))")  # the actuals that lost their plan


def test_skip_invalid_says_so_on_stderr_for_csv(runner: CliRunner, broken_data: Path) -> None:
    args = ["evaluate", "--year", "R6", "--format", "csv", "--skip-invalid", "--data", str(broken_data)]
    result = invoke(runner, *args)
    assert result.exit_code == 0, result.output
    assert BROKEN not in result.stdout
    assert f"left out 1 plan(s) whose files have errors: {BROKEN}" in result.stderr


def test_skip_invalid_notes_the_plan_on_the_workbook_summary(
    runner: CliRunner, broken_data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "all.xlsx"
    args = ["report", "--years", "R4,R5,R6", "--xlsx", str(out), "--skip-invalid", "--data", str(broken_data)]
    args.append("--no-outlook")  # the 総括 sheet is what this is about
    result = invoke(runner, *args)
    assert result.exit_code == 0, result.output
    summary = load_workbook(out)["総括"]
    note = summary["A1"].value
    assert note.startswith("除外した計画")
    assert f"{BROKEN} ({broken_data}/plans/{BROKEN}.yaml: 3:1: " in note
    assert summary["A3"].value == "第2期久留米市地方創生総合戦略 — 総括"
    assert summary.row_breaks.brk == []  # the note shares the first page with the first plan


def test_skip_invalid_plans_lists_the_plan(runner: CliRunner, broken_data: Path) -> None:
    table = invoke(runner, "plans", "--skip-invalid", "--width", "500", "--data", str(broken_data))
    assert table.exit_code == 0, table.output
    assert (
        table.stdout.rstrip()
        .splitlines()[-1]
        .startswith(f"除外した計画 (skipped, errors in their files; --skip-invalid): {BROKEN} ")
    )
    listed = invoke(runner, "plans", "--format", "json", "--skip-invalid", "--data", str(broken_data))
    rows = json.loads(listed.stdout)
    assert BROKEN not in [row["id"] for row in rows]
    assert all(row["skipped"][0]["plan"] == BROKEN for row in rows)


@pytest.mark.parametrize(
    "command",
    [
        ["evaluate", BROKEN, "--year", "R6"],
        ["summary", BROKEN, "--years", "R5,R6"],
        ["show", BROKEN],
        ["template", BROKEN, "--year", "R6", "--xlsx", "{out}"],
    ],
    ids=["evaluate", "summary", "show", "template"],
)
def test_a_named_broken_plan_is_bad_data(
    runner: CliRunner, broken_data: Path, tmp_path: Path, command: list[str]
) -> None:
    out = tmp_path / "form.xlsx"
    result = invoke(runner, *[a.replace("{out}", str(out)) for a in command], "--data", str(broken_data))
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{broken_data}/plans/{BROKEN}.yaml:3:1: ")
    assert lines[-1] == (
        f"kpitool: error: plan {BROKEN!r}: {broken_data}/plans/{BROKEN}.yaml cannot be read "
        "(2 error(s)); fix it (kpitool validate)"
    )
    assert "unknown plan" not in result.output
    assert not out.exists()


def test_an_unknown_plan_is_still_a_usage_error(runner: CliRunner, broken_data: Path) -> None:
    result = invoke(runner, "evaluate", "nope", "--year", "R6", "--data", str(broken_data))
    assert result.exit_code == 2
    assert "kpitool: error: unknown plan 'nope'" in result.stderr


# --------------------------------------------------------------------------- #
# Years inside the plan


def test_a_plan_outside_its_period_is_left_out_with_a_note(runner: CliRunner) -> None:
    result = invoke(runner, "evaluate", "--year", "R6", "--data", str(DATA))
    assert result.exit_code == 0, result.output
    assert "第3期久留米広域連携中枢都市圏ビジョン" not in result.stdout
    assert result.stderr.splitlines() == [
        "kpitool: note: not evaluated outside their 計画期間 (and the year after it, the final "
        f"evaluation): {VISION3} (R8–R12) in R6"
    ]


def test_json_lists_the_plans_not_in_period(runner: CliRunner) -> None:
    result = invoke(runner, "evaluate", "--year", "R6", "--format", "json", "--data", str(DATA))
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert [item["plan"]["id"] for item in items] == [BROKEN, "kurume-sogo-senryaku-2"]
    for item in items:
        assert item["not_in_period"] == [
            {"plan": VISION3, "period": {"start": "R8", "end": "R12"}, "years": ["R6"]}
        ]
        assert "skipped" not in item
    assert result.stderr == ""


def test_a_named_plan_outside_its_period_is_graded_with_a_warning(runner: CliRunner) -> None:
    result = invoke(runner, "evaluate", VISION3, "--year", "R6", "--format", "json", "--data", str(DATA))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["plan"]["id"] == VISION3
    assert "not_in_period" not in json.loads(result.stdout)
    assert result.stderr.splitlines() == [
        f"kpitool: warning: R6 outside the 計画期間 of {VISION3} (R8–R12); graded anyway"
    ]


def test_the_year_after_the_period_is_the_final_evaluation(runner: CliRunner) -> None:
    result = invoke(runner, "evaluate", "--year", "R8", "--format", "json", "--data", str(DATA))
    assert result.exit_code == 0, result.output
    ids = [item["plan"]["id"] for item in json.loads(result.stdout)]
    assert ids == [BROKEN, VISION3, "kurume-sogo-senryaku-2"]  # R7 ends the 2nd vision and strategy


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (["evaluate", "--year", "R99"], "--year"),
        (["evaluate", VISION3, "--year", "R99"], "--year"),
        (["summary", "--years", "R4,R99"], "--years"),
        (["report", "--years", "R1,R6", "--xlsx", "{out}"], "--years"),
    ],
    ids=["evaluate", "evaluate-named", "summary", "report"],
)
def test_a_year_no_plan_covers_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, command: list[str], option: str
) -> None:
    out = tmp_path / "out.xlsx"
    result = invoke(runner, *[a.replace("{out}", str(out)) for a in command], "--data", str(DATA))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"kpitool: error: {option}: no plan is evaluated in R")
    for period in (f"{BROKEN} R4–R7", f"{VISION3} R8–R12", "kurume-sogo-senryaku-2 R2–R7"):
        assert period in result.stderr
    assert not out.exists()


def test_summary_counts_each_plan_in_its_own_years(runner: CliRunner) -> None:
    result = invoke(runner, "summary", "--years", "R6,R7,R8", "--format", "json", "--data", str(DATA))
    assert result.exit_code == 0, result.output
    years = {item["plan"]["id"]: [y["label"] for y in item["years"]] for item in json.loads(result.stdout)}
    assert years == {
        BROKEN: ["R6", "R7", "R8"],
        VISION3: ["R8"],
        "kurume-sogo-senryaku-2": ["R6", "R7", "R8"],
    }
    first = json.loads(result.stdout)[0]
    assert first["not_in_period"] == [
        {"plan": VISION3, "period": {"start": "R8", "end": "R12"}, "years": ["R6", "R7"]}
    ]


def test_report_gives_each_plan_its_own_years(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "all.xlsx"
    args = ["--years", "R7,R8", "--no-outlook", "--xlsx", str(out), "--data", str(DATA)]  # 総括 only
    result = invoke(runner, "report", *args)
    assert result.exit_code == 0, result.output
    assert f"{VISION3} (R8–R12) in R7" in result.stderr
    summary = load_workbook(out)["総括"]
    texts = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
    at = texts.index("第3期久留米広域連携中枢都市圏ビジョン — 総括")
    block = texts[at : texts.index("第2期久留米市地方創生総合戦略 — 総括")]
    assert "R8（令和8年度）" in block
    assert "R7（令和7年度）" not in block


# --------------------------------------------------------------------------- #
# The small things


def test_version() -> None:
    from kpitool import __version__

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"kpitool {__version__}\n"


def test_validate_takes_data_like_every_command(runner: CliRunner, broken_data: Path) -> None:
    good = invoke(runner, "validate", "--data", str(DATA))
    assert good.exit_code == 0, good.output
    assert good.stdout.splitlines()[-1].startswith("OK: 6 plans, 67 KPIs, ")
    bad = invoke(runner, "validate", "-d", str(broken_data))
    assert bad.exit_code == 1
    assert f"{broken_data}/plans/{BROKEN}.yaml:3:1: " in bad.stdout


COMMANDS = [
    "validate",
    "plans",
    "show",
    "evaluate",
    "summary",
    "schema",
    "diff",
    "report",
    "template",
    "import",
]
METAVARS = {
    "validate": ["[PATH]...", "PATH...", "--data DIR"],
    "show": ["{PLAN}", "PLAN  "],
    "evaluate": ["[PLAN]...", "PLAN...", "--year YEAR", "--table FILE", "--output FILE", "--data DIR"],
    "summary": ["[PLAN]...", "--years YEAR,...", "--output FILE"],
    "report": ["[PLAN]...", "--year YEAR", "--years YEAR,...", "--xlsx FILE", "--table FILE"],
    "template": ["{PLAN}", "--year YEAR", "--xlsx FILE"],
    "import": ["{FILE}", "--plan PLAN", "--year YEAR"],
    "schema": ["[KIND]", "--output FILE"],
    "diff": ["[OLD] [NEW]", "--output FILE"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_metavars_not_python_types(runner: CliRunner, command: str) -> None:
    result = invoke(runner, command, "--help")
    assert result.exit_code == 0, result.output
    for python_type in ("<list[", "<str>", "<path>", "<int>", "<Path>", "<bool>", "<float>"):
        assert python_type not in result.stdout
    for metavar in METAVARS.get(command, []):
        assert metavar in result.stdout
