"""The app's commands, each imported and built only when it is needed.

Typer builds a click command from a function by inspecting its signature and making an
object per parameter: for kpitool's fifteen commands ~20 ms at every start, and importing
every command module ~10 ms more, though a run invokes one command. So the app's group
holds :class:`LazyCommands`: it knows each command's name and module (:data:`COMMANDS`, in
help order) and imports the module and builds the command the first time it is asked for
it — ``kpitool validate`` builds ``validate`` alone, ``kpitool --help`` builds them all to
list them. Each module's ``register(app)`` adds its commands, as before; a test checks that
:data:`COMMANDS` names every command the modules register, in their order.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Any

import typer
import typer.main

__all__ = ["COMMANDS", "COMMAND_MODULES", "LazyCommands"]

COMMANDS: dict[str, str] = {
    "validate": "kpitool.cli.data",
    "plans": "kpitool.cli.data",
    "show": "kpitool.cli.data",
    "evaluate": "kpitool.cli.evaluate",
    "summary": "kpitool.cli.evaluate",
    "outlook": "kpitool.cli.outlook",
    "history": "kpitool.cli.outlook",
    "schema": "kpitool.cli.maintenance",
    "diff": "kpitool.cli.maintenance",
    "init": "kpitool.cli.onboard",
    "report": "kpitool.cli.excel",
    "template": "kpitool.cli.excel",
    "import": "kpitool.cli.excel",
    "site": "kpitool.cli.site",
    "export": "kpitool.cli.export",
}
"""Every command, in help order, and the module whose ``register(app)`` adds it."""

COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(COMMANDS.values()))
"""The command modules, in help order."""


class LazyCommands(MutableMapping[str, Any]):
    """A group's commands by name (click's ``Group.commands``), each built on first use."""

    def __init__(self, rich_markup_mode: Any, pretty_exceptions_short: bool = True) -> None:
        self._markup, self._short = rich_markup_mode, pretty_exceptions_short
        self._registry = typer.Typer()
        self._imported: set[str] = set()
        self._built: dict[str, Any] = {}
        self._names = list(COMMANDS)

    def __getitem__(self, name: str) -> Any:
        if name in self._built:
            return self._built[name]
        module = COMMANDS[name]  # KeyError: no such command
        if module not in self._imported:
            self._imported.add(module)
            importlib.import_module(module).register(self._registry)
        for info in self._registry.registered_commands:
            if info.name == name:
                command = typer.main.get_command_from_info(
                    info, pretty_exceptions_short=self._short, rich_markup_mode=self._markup
                )
                self._built[name] = command
                return command
        raise KeyError(name)

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command
        if name not in self._names:
            self._names.append(name)

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)
