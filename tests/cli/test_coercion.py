"""Command-line values converted without pydantic: the same values and messages as typer's own."""

from __future__ import annotations

import shutil
from enum import StrEnum
from pathlib import Path

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from kpitool.cli import coercion
from kpitool.cli.app import app
from tests.conftest import DATA


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled data, as ./data of the working directory."""
    shutil.copytree(DATA, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "data"


def outcome(runner: CliRunner, args: list[str]) -> tuple[int, str, str]:
    result = runner.invoke(app, args)
    return result.exit_code, result.stdout, result.stderr


USAGE = [
    ["evaluate", "--year", "R6", "--format", "xml"],
    ["evaluate", "--year", "R6", "--format", "JSON"],
    ["evaluate", "--year", "R6", "--width", "0"],
    ["evaluate", "--year", "R6", "--width", "abc"],
    ["evaluate", "--year", "R6", "--width", "-3"],
    ["evaluate", "--year", "R6", "--width", "0012", "--format", "json"],
    ["report", "kurume-renkei-vision-2", "--year", "R6", "--xlsx", "out.xlsx", "--paper", "a3"],
    ["report", "--year", "R6", "--xlsx", "out.xlsx", "--paper", "B5"],
    ["validate", "nowhere/plan.yaml"],
    ["validate", "--format", "github"],
    ["evaluate", "--year"],
    ["summary", "--years", "R4,R5", "--data", "missing"],
]


@pytest.mark.parametrize("args", USAGE, ids=" ".join)
def test_values_are_converted_as_typer_converts_them(
    args: list[str], data: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    lean = outcome(runner, [*args, "--no-cache"])
    monkeypatch.setattr(coercion, "RuntimeParam", None)  # typer's own conversion, with pydantic
    assert outcome(runner, [*args, "--no-cache"]) == lean


class Fmt(StrEnum):
    A = "a"


lean_app = typer.Typer()


@lean_app.command()
def run(
    path: Path = Path("x"),
    fmt: Fmt = Fmt.A,
    n: int = typer.Option(1, min=1),
    words: list[str] | None = None,
) -> None:
    """A command with one parameter of each kind kpitool's commands take."""


@lean_app.command()
def other() -> None:
    """A second command: the app is a group, as kpitool's is."""


def test_lean_conversion_gives_typers_values() -> None:
    """What a command receives: the very objects typer's converter gives."""
    command = typer.main.get_command(lean_app).commands["run"]  # type: ignore[attr-defined]
    params = command.params
    coercion.lean_parameters(params)
    assert all(type(p._runtime_param).__name__ == "LeanParam" for p in params)
    by_name = {p.name: p for p in params}
    for name, raw, expected in [("path", "a/b", Path("a/b")), ("fmt", "a", Fmt.A), ("n", "12", 12)]:
        param = by_name[name]
        value = param.get_runtime_param()._coerce_value(raw, param, None)
        own = coercion.build_runtime_param(param.type_descriptor)._coerce_value(raw, param, None)
        assert value == expected == own
        assert type(value) is type(expected) is type(own)
    words = by_name["words"]
    assert words.get_runtime_param()._coerce_value(("x", "y"), words, None) == ["x", "y"]
