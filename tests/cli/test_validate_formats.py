"""kpitool validate --format text|json|github: the shapes CI relies on, and the exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.sources.safe_read import MAX_FILE_BYTES
from tests.conftest import MINIMAL_ACTUALS, MINIMAL_PLAN

MakeData = Callable[..., Path]
PROBLEM_KEYS = {"file", "line", "column", "path", "message", "severity"}

# Target equal to baseline with direction increase: a warning (write at_least), not an error.
WARNING_PLAN = MINIMAL_PLAN.replace(
    "target: {value: 200, period: R7年度}", "target: {value: 100, period: R7年度}"
)
ERROR_ACTUALS = MINIMAL_ACTUALS + "  nope:\n    R5: {value: 1}\n"


def problems_json(runner: CliRunner, *args: str) -> tuple[int, list[dict[str, object]]]:
    result = runner.invoke(app, ["validate", "--format", "json", *args])
    return result.exit_code, json.loads(result.stdout)


def test_json_is_an_empty_list_when_all_is_well(runner: CliRunner, data_dir: MakeData) -> None:
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": MINIMAL_ACTUALS})
    result = runner.invoke(app, ["validate", "-f", "json", str(root)])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert "OK:" not in result.output  # nothing but JSON on stdout, no summary line


def test_json_lists_problems_with_location_and_severity(runner: CliRunner, data_dir: MakeData) -> None:
    root = data_dir(plans={"demo.yaml": WARNING_PLAN}, actuals={"demo.yaml": ERROR_ACTUALS})
    code, problems = problems_json(runner, str(root))
    assert code == 1
    for problem in problems:
        assert set(problem) >= PROBLEM_KEYS
    by_severity = {p["severity"]: p for p in problems}
    assert set(by_severity) == {"error", "warning"}
    error = by_severity["error"]
    assert error["file"] == f"{root}/actuals/demo.yaml"
    assert (error["line"], error["column"], error["path"]) == (5, 3, "actuals.nope")
    assert error["message"] == "no KPI with id 'nope' in plan 'demo'"
    warning = by_severity["warning"]
    assert warning["file"] == f"{root}/plans/demo.yaml"
    assert str(warning["path"]).endswith(".direction")
    assert isinstance(warning["line"], int)
    assert isinstance(warning["column"], int)


def test_json_problem_without_a_line_has_null_location(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: refused by its size, before reading
    code, problems = problems_json(runner, str(path))
    assert code == 1
    assert problems[0]["file"] == str(path)
    assert problems[0]["line"] is None
    assert problems[0]["column"] is None
    assert "limit" in str(problems[0]["message"])


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_warnings_fail_only_with_strict(runner: CliRunner, data_dir: MakeData, fmt: str) -> None:
    root = data_dir(plans={"demo.yaml": WARNING_PLAN})
    relaxed = runner.invoke(app, ["validate", "-f", fmt, str(root)])
    strict = runner.invoke(app, ["validate", "-f", fmt, "--strict", str(root)])
    assert relaxed.exit_code == 0, relaxed.output
    assert strict.exit_code == 1
    assert "warning" in relaxed.stdout  # reported either way

    def reported(output: str) -> list[str]:
        return [line for line in output.splitlines() if not line.startswith(("OK:", "FAILED:"))]

    assert reported(relaxed.stdout) == reported(strict.stdout)


def test_github_annotations(runner: CliRunner, data_dir: MakeData) -> None:
    root = data_dir(plans={"demo.yaml": WARNING_PLAN}, actuals={"demo.yaml": ERROR_ACTUALS})
    result = runner.invoke(app, ["validate", "--format", "github", str(root)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"::error file={root}/actuals/demo.yaml,line=5,col=3,title=kpitool reference::" in lines[0]
    assert lines[0].endswith("actuals.nope: no KPI with id 'nope' in plan 'demo'")
    assert lines[1].startswith(f"::warning file={root}/plans/demo.yaml,line=")
    assert all(line.startswith("::") for line in lines)  # nothing else on stdout: the summary is on stderr
    assert result.stderr.startswith("FAILED: 1 plans")


def test_github_escapes_file_names_and_messages(runner: CliRunner, data_dir: MakeData) -> None:
    root = data_dir(plans={"a,b:c.yaml": "id: x\nid: 100%\n"})
    result = runner.invoke(app, ["validate", "--format", "github", str(root)])
    assert result.exit_code == 1
    # The duplicate key and the fields the file lacks are reported together.
    (line,) = [x for x in result.stdout.splitlines() if "duplicate-key" in x]
    assert "file=" + f"{root}/plans/a%2Cb%3Ac.yaml".replace(":", "%3A") in line
    assert ",line=2,col=1," in line


def test_text_format_lists_problems_then_a_summary(runner: CliRunner, data_dir: MakeData) -> None:
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": ERROR_ACTUALS})
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{root}/actuals/demo.yaml:5:3: actuals.nope: no KPI with id 'nope' in plan 'demo'",
        "FAILED: 1 plans, 1 KPIs, 2 actuals: 1 error(s), 0 warning(s)",
    ]


def test_unknown_format_is_a_usage_error(runner: CliRunner, data_dir: MakeData) -> None:
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN})
    result = runner.invoke(app, ["validate", "--format", "xml", str(root)])
    assert result.exit_code == 2
    assert "xml" in result.stderr


def test_single_files_are_checked_against_their_data_tree(runner: CliRunner, data_dir: MakeData) -> None:
    root = data_dir(
        plans={"demo.yaml": MINIMAL_PLAN, "broken.yaml": "id: [\n"},
        actuals={"demo.yaml": MINIMAL_ACTUALS},
    )
    code, problems = problems_json(runner, str(root / "actuals" / "demo.yaml"))
    assert (code, problems) == (0, [])  # the plan is found; broken.yaml was not asked about
    result = runner.invoke(app, ["validate", str(root / "actuals" / "demo.yaml")])
    assert result.stdout.splitlines()[-1] == "OK: 0 plans, 0 KPIs, 1 actuals: 0 error(s), 0 warning(s)"


def test_a_file_outside_a_data_tree_is_checked_alone(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "demo-actuals.yaml"
    path.write_text(MINIMAL_ACTUALS, encoding="utf-8")
    code, problems = problems_json(runner, str(path))
    assert code == 1
    assert [p["message"] for p in problems] == ["no plan with id 'demo' (plans: none loaded)"]
