"""Start-up stays light: help and the CLI module import neither openpyxl nor the models.

``kpitool --help`` runs dozens of times a day and in every CI job; `import openpyxl`
alone costs ~100 ms and pydantic models with their schemas more. These run in a
fresh interpreter, as a user's shell would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import typer

from kpitool.cli.app import app

# Slow: each test starts a fresh interpreter to see what it imports (`pytest -m "not slow"` leaves it out).
pytestmark = pytest.mark.slow

# Run kpitool in-process with the given arguments, then list every module imported.
PROBE = textwrap.dedent(
    """
    import sys
    argv = sys.argv[1:]
    if argv != ["--import-only"]:
        from kpitool.cli.app import main
        sys.argv = ["kpitool", *argv]
        try:
            main()
        except SystemExit:
            pass
    else:
        import kpitool.cli.app
    sys.stderr.write("\\nMODULES " + " ".join(sorted(sys.modules)) + "\\n")
    """
)

# Never imported to show help: the Excel writer, the data model, the loader and what they pull in.
HEAVY = (
    "openpyxl",
    "yaml",
    "kpitool.model.fields",
    "kpitool.model.plan",
    "kpitool.model.actuals",
    "kpitool.sources.documents",
    "kpitool.sources.tree",
    "kpitool.sources.yaml_strict",
    "kpitool.render",
    "kpitool.support.cache",
    "jinja2",
)


def _python_path() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": path} if path else {}


def imported(*args: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a fresh interpreter has imported after running ``kpitool *args``."""
    return _modules_after(PROBE, *args, env={"COLUMNS": "100", "NO_COLOR": "1", **(env or {})})


def _modules_after(script: str, *args: str, env: dict[str, str]) -> set[str]:
    """The modules a fresh interpreter lists (after ``MODULES``) once ``script`` has run."""
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=60,
        # PYTHONPATH (the worktree's src/), so the code probed is the code under test, not the install.
        env={"PATH": "", **_python_path(), **env},
        check=False,
    )
    marker = result.stderr.rsplit("\nMODULES ", 1)
    assert len(marker) == 2, result.stderr
    return set(marker[1].split())


# What pydantic itself imports to build and validate a model (pydantic 2.14 imports `secrets`,
# hence `hashlib`, from its validators): a cold run's list is read without these.
PYDANTIC_ALONE = textwrap.dedent(
    """
    import sys
    from decimal import Decimal
    import pydantic
    class Model(pydantic.BaseModel):
        value: Decimal
    Model.model_validate({"value": "1.5"})
    sys.stderr.write("\\nMODULES " + " ".join(sorted(sys.modules)) + "\\n")
    """
)


def imported_by_pydantic_alone() -> set[str]:
    """The modules a fresh interpreter has imported after validating one pydantic model."""
    return _modules_after(PYDANTIC_ALONE, env={})


def heavy_in(modules: set[str], heavy: tuple[str, ...] = HEAVY) -> list[str]:
    """The heavy modules (or their submodules) among ``modules``."""
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in heavy))


def command_names() -> list[str]:
    """Every command of the app, as registered now (colleagues add commands)."""
    commands = getattr(typer.main.get_command(app), "commands", {})
    assert commands, "the app has no commands"
    return sorted(commands)


def test_import_cli_imports_no_model_no_rich_table_no_openpyxl() -> None:
    modules = imported("--import-only")
    assert "kpitool.cli.app" in modules
    assert heavy_in(modules, (*HEAVY, "pydantic")) == []
    assert "rich.table" not in modules


def test_help_imports_nothing_heavy() -> None:
    modules = imported("--help")
    assert "kpitool.cli.app" in modules
    # Help is plain text (rich_markup_mode=None): not even rich is imported to show it.
    assert heavy_in(modules, (*HEAVY, "pydantic", "rich")) == []


def test_a_usage_error_imports_no_rich() -> None:
    assert heavy_in(imported("evaluate"), ("rich", "openpyxl", "kpitool.model.fields")) == []


@pytest.mark.parametrize("command", command_names())
def test_command_help_imports_no_openpyxl_and_no_models(command: str) -> None:
    # typer itself imports pydantic (typer._adapters) to build a command's parameters,
    # but not kpitool's models.
    assert heavy_in(imported(command, "--help")) == []


def test_other_commands_never_import_jinja2() -> None:
    """Jinja2 is for ``site`` only: grading and the workbook run without it."""
    from tests.conftest import DATA

    assert heavy_in(imported("evaluate", "--year", "R6", "--data", str(DATA)), ("jinja2",)) == []


WARM = {
    "validate": ["validate"],
    "evaluate": ["evaluate", "--year", "R6", "--format", "json"],
    "summary": ["summary", "--years", "R4,R5,R6"],
    "report": ["report", "--years", "R4,R5,R6", "--xlsx", "REPORT"],
}


@pytest.mark.parametrize("command", WARM)
def test_a_warm_run_imports_no_pydantic_yaml_rich_or_openpyxl(command: str, tmp_path: Path) -> None:
    """Answered from the cache (kpitool.cli.replay): only typer and kpitool's command line start."""
    from tests.conftest import DATA

    args = [str(tmp_path / "r.xlsx") if a == "REPORT" else a for a in WARM[command]]
    env = {"KPITOOL_CACHE_DIR": str(tmp_path / "cache")}
    cold = imported(*args, "--data", str(DATA), env=env)
    assert "pydantic" in cold
    warm = imported(*args, "--data", str(DATA), env=env)
    assert heavy_in(warm, ("pydantic", "yaml", "rich", "openpyxl", "kpitool.model", "kpitool.sources")) == []


def test_a_command_imports_its_own_module_only() -> None:
    """Typer builds the invoked command alone (kpitool.cli.commands): the other modules stay unread."""
    from kpitool.cli.commands import COMMAND_MODULES

    modules = imported("validate", "--help")
    assert [m for m in COMMAND_MODULES if m in modules] == ["kpitool.cli.data"]


COLD = {
    "validate": (
        ["validate"],
        (
            "rich",
            "multiprocessing",
            "hashlib",
            "kpitool.support.cache",
            "kpitool.rating.engine",
            "kpitool.rating.results",
        ),
    ),
    "evaluate --format json": (["evaluate", "--year", "R6", "--format", "json"], ("rich", "multiprocessing")),
    "summary --format json": (["summary", "--years", "R4,R5,R6", "--format", "json"], ("rich",)),
    "report --xlsx": (["report", "--years", "R4,R5,R6", "--xlsx", "REPORT"], ("rich", "multiprocessing")),
}


@pytest.mark.parametrize("case", COLD)
def test_a_cold_run_imports_only_what_its_output_needs(case: str, tmp_path: Path) -> None:
    """``--no-cache``: no rich for JSON or a workbook, no worker pool for a few files, no cache (issue 18).

    ``validate`` checks each plan's scheme (``rating.resolve``) but grades nothing: no rating engine.
    """
    from tests.conftest import DATA

    args, unused = COLD[case]
    args = [str(tmp_path / "r.xlsx") if a == "REPORT" else a for a in args]
    modules = imported(*args, "--data", str(DATA), "--no-cache")
    assert "pydantic" in modules  # the run did validate the data
    assert heavy_in(modules - imported_by_pydantic_alone(), unused) == []
