"""Command groups beyond the core ones in :mod:`kpitool.cli.app`.

Each module listed in :data:`MODULES` has ``register(app)``, which adds its
commands to the Typer app. Modules import only typer and the standard library
at the top, so ``kpitool --help`` stays fast.
"""

from __future__ import annotations

import importlib

import typer

MODULES: tuple[str, ...] = ("kpitool.cli.maintenance", "kpitool.cli.excel")
"""Dotted names of the command modules, in help order."""


def register_all(app: typer.Typer) -> None:
    """Add every command module's commands to ``app``."""
    for name in MODULES:
        importlib.import_module(name).register(app)
