"""The lazy command table: every command the modules register, in their order, built on demand."""

from __future__ import annotations

import importlib

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.cli.commands import COMMAND_MODULES, COMMANDS, LazyCommands


def test_the_table_names_every_command_the_modules_register_in_their_order() -> None:
    registered: dict[str, str] = {}
    for module in COMMAND_MODULES:
        scratch = typer.Typer()
        importlib.import_module(module).register(scratch)
        registered.update({info.name or "": module for info in scratch.registered_commands})
    assert list(registered.items()) == list(COMMANDS.items())


def test_a_command_is_built_once_and_only_when_asked_for() -> None:
    commands = LazyCommands(None)
    assert list(commands) == list(COMMANDS)
    assert commands._built == {}
    validate = commands["validate"]
    assert validate.name == "validate"
    assert commands["validate"] is validate
    assert set(commands._built) == {"validate"}
    assert commands.get("nope") is None
    with pytest.raises(KeyError):
        commands["nope"]


def test_help_lists_every_command_in_order(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.split("Commands:", 1)[1].splitlines() if line.strip()]
    assert listed == list(COMMANDS)


def test_a_command_added_to_the_group_is_listed() -> None:
    group = typer.main.get_command(app)
    extra = group.commands["plans"]  # type: ignore[attr-defined]
    group.commands["again"] = extra  # type: ignore[attr-defined]
    assert "again" in list(group.commands)  # type: ignore[attr-defined]
    assert group.get_command(None, "again") is extra  # type: ignore[arg-type]
    del group.commands["again"]  # type: ignore[attr-defined]
    assert "again" not in group.commands  # type: ignore[attr-defined]
