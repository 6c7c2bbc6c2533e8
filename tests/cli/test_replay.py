"""A command's kept answer: the same bytes as the run that made it, and only for the same inputs."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import kpitool.sources.tree
from kpitool.cli.app import app
from kpitool.support.cache import cache_directory
from tests.conftest import DATA, MINIMAL_ACTUALS, MINIMAL_PLAN

COMMANDS = {
    "validate": ["validate"],
    "validate --format json": ["validate", "--format", "json"],
    "evaluate --format json": ["evaluate", "--year", "R6", "--format", "json"],
    "evaluate table": ["evaluate", "--year", "R5"],
    "summary": ["summary", "--years", "R4,R5,R6"],
    "summary csv": ["summary", "--years", "R4,R5,R6", "--format", "csv"],
    "plans": ["plans"],
    "show": ["show", "kurume-renkei-vision-2", "--width", "100"],
    "outlook": ["outlook", "--year", "R6"],
    "history": ["history", "kurume-renkei-vision-2", "--format", "json"],
    "export": ["export", "--format", "csv"],
}


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache of this test's own: what it finds there, it kept."""
    monkeypatch.setenv("KPITOOL_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled data, as ./data of the working directory."""
    shutil.copytree(DATA, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "data"


def answers() -> list[Path]:
    """The kept answers in the cache."""
    return sorted(cache_directory().rglob("*.marshal"))


def outcome(runner: CliRunner, args: list[str]) -> tuple[int, str, str]:
    result = runner.invoke(app, args)
    return result.exit_code, result.stdout, result.stderr


def refuse_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, a run that loads the data fails: only a kept answer can succeed."""

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the data was loaded: the answer was not replayed")

    monkeypatch.setattr(kpitool.sources.tree, "load_data", fail)


@pytest.mark.parametrize("name", COMMANDS)
def test_a_warm_run_answers_what_the_cold_run_did(
    name: str, data: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = COMMANDS[name]
    cold = outcome(runner, [*args, "--no-cache"])
    assert answers() == []  # --no-cache keeps no answer
    assert outcome(runner, args) == cold
    kept = answers()
    assert len(kept) == 1
    assert kept[0].stat().st_mode & 0o777 == 0o600
    refuse_loading(monkeypatch)
    assert outcome(runner, args) == cold
    assert answers() == kept
    assert cold[0] == 0
    assert cold[1]


def test_a_kept_report_writes_the_same_workbook(
    data: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "report.xlsx"
    args = ["report", "--years", "R4,R5,R6", "--xlsx", str(out)]
    first = outcome(runner, args)
    written = out.read_bytes()
    out.unlink()
    refuse_loading(monkeypatch)
    assert outcome(runner, args) == first
    assert out.read_bytes() == written
    workbook = load_workbook(out, read_only=True)
    assert "総括" in workbook.sheetnames
    workbook.close()


def test_an_edited_file_is_answered_anew(data: Path, runner: CliRunner) -> None:
    args = ["evaluate", "--year", "R6", "--format", "json"]
    before = outcome(runner, args)
    plan = data / "plans" / "kurume-renkei-vision-2.yaml"
    title = "第2期久留米広域連携中枢都市圏ビジョン"
    plan.write_text(plan.read_text(encoding="utf-8").replace(title, "改訂版"), encoding="utf-8")
    after = outcome(runner, args)
    assert "改訂版" in after[1]
    assert after == outcome(runner, [*args, "--no-cache"])
    assert after != before
    assert len(answers()) == 2


def test_problems_found_are_answered_again_with_exit_1(
    data_dir: Callable[..., Path], runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = data_dir(
        plans={"demo.yaml": MINIMAL_PLAN},
        actuals={"demo.yaml": MINIMAL_ACTUALS.replace("workers:", "nobody:")},
    )
    args = ["validate", str(root)]
    first = outcome(runner, args)
    assert first[0] == 1
    assert "nobody" in first[1]
    refuse_loading(monkeypatch)
    assert outcome(runner, args) == first


def test_an_error_is_never_kept(data: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["evaluate", "--year", "R6", "nope"])
    assert result.exit_code == 2
    assert "unknown plan 'nope'" in result.stderr
    assert answers() == []


@pytest.mark.parametrize("mode", [0o666, 0o620])
def test_an_answer_others_could_write_is_never_used(
    mode: int, data: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["validate", "--format", "json"]
    first = outcome(runner, args)
    (kept,) = answers()
    kept.write_bytes(kept.read_bytes())
    os.chmod(kept, mode)
    with monkeypatch.context() as patched:
        refuse_loading(patched)
        assert runner.invoke(app, args).exit_code != 0  # the planted entry was not replayed
    assert outcome(runner, args) == first
    assert kept.stat().st_mode & 0o777 == 0o600  # written anew, private


def test_a_corrupt_answer_is_a_miss(data: Path, runner: CliRunner) -> None:
    args = ["summary", "--years", "R6"]
    first = outcome(runner, args)
    (kept,) = answers()
    kept.write_bytes(kept.read_bytes()[:-5])
    assert outcome(runner, args) == first


def test_kpitool_no_cache_keeps_no_answer(data: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate"], env={"KPITOOL_NO_CACHE": "1"})
    assert result.exit_code == 0
    assert answers() == []


def test_past_the_input_limit_no_answer_is_kept(
    data: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kpitool.cli import replay

    monkeypatch.setattr(replay, "MAX_INPUT_BYTES", 1000)
    cold = outcome(runner, ["validate", "--no-cache"])
    assert outcome(runner, ["validate"]) == cold
    assert answers() == []


def test_a_linked_folder_in_the_data_keeps_no_answer(data: Path, runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (data / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert outcome(runner, ["validate"])[0] == 0
    assert answers() == []


def test_a_fifo_in_the_data_keeps_no_answer_and_is_never_opened(data: Path, runner: CliRunner) -> None:
    os.mkfifo(data / "pipe")
    assert outcome(runner, ["evaluate", "--year", "R6", "--format", "json"])[0] == 0
    assert answers() == []


def test_an_answer_past_the_output_limit_is_written_whole_and_not_kept(
    data: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kpitool.cli import replay

    monkeypatch.setattr(replay, "MAX_ANSWER_BYTES", 100)
    args = ["export", "--format", "json"]
    cold = outcome(runner, [*args, "--no-cache"])
    assert len(cold[1]) > 100
    assert outcome(runner, args) == cold
    assert answers() == []


def test_a_file_edited_while_the_command_reads_keeps_no_answer(
    data: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = data / "plans" / "kurume-renkei-vision-2.yaml"
    real = kpitool.sources.tree.load_data

    def edit_then_load(*args: object, **kwargs: object) -> object:
        plan.write_text(plan.read_text(encoding="utf-8") + "# edited meanwhile\n", encoding="utf-8")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as patched:
        patched.setattr(kpitool.sources.tree, "load_data", edit_then_load)
        assert outcome(runner, ["validate"])[0] == 0
    assert answers() == []


def test_an_output_written_into_the_data_keeps_no_answer(data: Path, runner: CliRunner) -> None:
    args = ["evaluate", "--year", "R6", "--format", "json", "--output", str(data / "grades.json")]
    assert outcome(runner, args)[0] == 0
    assert (data / "grades.json").exists()
    assert answers() == []
