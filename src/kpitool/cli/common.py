"""Plumbing shared by the command modules: options, loading data, years, output streams.

Every command parses its arguments, calls the core and renders. Helpers and
commands raise domain errors (:class:`~kpitool.errors.UsageError`,
:class:`CommandFailed`, the core's own); :mod:`kpitool.cli.app` alone turns
them into a message on stderr and an exit code.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand

from kpitool.errors import KpitoolError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from kpitool.model.actuals import ActualsFile
    from kpitool.model.outlook_settings import OutlookMethod
    from kpitool.model.plan import Plan
    from kpitool.problems import Problem
    from kpitool.sources.tree import LoadedData
    from kpitool.support.cache import Cache
    from kpitool.values.fiscal_year import FiscalYear

__all__ = [
    "UNBOUNDED_WIDTH",
    "CommandFailed",
    "DataOption",
    "KpitoolCommand",
    "MethodChoice",
    "MethodOption",
    "NoCacheOption",
    "OutputOption",
    "PlansArgument",
    "TableOption",
    "WidthOption",
    "YearOption",
    "data_cache",
    "data_files",
    "guard_output",
    "load",
    "method_of",
    "parse_year",
    "parse_years",
    "print_problems",
    "read_table",
    "refuse_terminal_output",
    "stderr",
    "stdout",
    "table_width",
    "write_output",
]

DataOption = Annotated[
    Path,
    typer.Option(
        "--data", "-d", metavar="DIR", help="Data directory holding plans/ and actuals/.", show_default=True
    ),
]
PlansArgument = Annotated[
    list[str] | None,
    typer.Argument(metavar="PLAN", help="Plan ids (default: every plan with KPIs).", show_default=False),
]
YearOption = Annotated[
    str,
    typer.Option(
        "--year",
        "-y",
        metavar="YEAR",
        help="Evaluation year (評価年度): R6, 令和6年度, 2024年度 or 2024.",
    ),
]
TableOption = Annotated[
    Path | None,
    typer.Option(
        "--table", metavar="FILE", help="Read a flat KPI table (CSV in UTF-8/CP932, or .xlsx), not plans."
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write json/csv here (atomically), not to stdout."),
]
WidthOption = Annotated[
    int | None,
    typer.Option(
        "--width",
        help="Width of tables in columns (default: the terminal's; not cropped in a pipe or file).",
        show_default=False,
        metavar="N",
        min=1,
    ),
]
NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Parse and validate every file again instead of reusing unchanged ones from the cache "
        "(also KPITOOL_NO_CACHE=1).",
    ),
]


class MethodChoice(StrEnum):
    """``--method``: the names of :class:`~kpitool.model.outlook_settings.OutlookMethod` (a test checks)."""

    LINEAR = "linear"
    CAGR = "cagr"
    WEIGHTED = "weighted"
    RECENT = "recent"


MethodOption = Annotated[
    MethodChoice | None,
    typer.Option(
        "--method",
        "-m",
        help="How to project: linear (least squares), cagr (constant growth), weighted (recent points "
        "weigh more), recent (mean change of the last 5 years). Default: the plan's evaluation.outlook, "
        "else linear.",
        show_default=False,
    ),
]


def method_of(choice: MethodChoice | None) -> OutlookMethod | None:
    """The core's method for a ``--method`` choice (None: each plan's own)."""
    from kpitool.model.outlook_settings import OutlookMethod

    return None if choice is None else OutlookMethod(choice.value)


class KpitoolCommand(TyperCommand):
    """A command whose help names its arguments as users type them (``PLAN...``), not by Python type.

    Typer writes an argument as ``PLAN <list[str]>``; the usage line and the argument's help say
    what it takes already. Its values are converted without pydantic where typer's conversion
    allows (:mod:`kpitool.cli.coercion`).
    """

    def invoke(self, ctx: Any) -> Any:
        """Run the command, or write the answer it gave on the same inputs (:mod:`kpitool.cli.replay`)."""
        from kpitool.cli.replay import answer

        return answer(self.name or "", ctx.params, lambda: super(KpitoolCommand, self).invoke(ctx))

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, ``--help`` among them (made here), each with its lean converter."""
        from kpitool.cli.coercion import lean_parameters

        params: list[Any] = super().get_params(ctx)
        lean_parameters(params)
        return params

    def format_options(self, ctx: Any, formatter: Any) -> None:  # typer's own click types
        """The Arguments and Options sections, each argument named by its metavar."""
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                name = param.metavar or (param.name or "").upper()
                arguments.append((name + ("..." if param.nargs != 1 else ""), record[1]))
            else:
                options.append(record)
        for title, records in (("Arguments", arguments), ("Options", options)):
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)


UNBOUNDED_WIDTH = 100_000
"""The width of reports written to a file or a pipe: wide enough that nothing is cropped."""


def table_width(width: int | None = None) -> int | None:
    """The width of report tables: ``--width``; else ``COLUMNS`` if set, else the terminal's.

    When stdout is not a terminal (a pipe or a file), tables are written whole at their natural
    width (:data:`UNBOUNDED_WIDTH`); None lets rich detect the terminal's width.
    """
    if width is None and not os.environ.get("COLUMNS", "").isdigit() and not sys.stdout.isatty():
        return UNBOUNDED_WIDTH
    return width


def stdout(width: int | None = None) -> Console:
    """The console for reports (stdout), :func:`table_width` columns wide."""
    from rich.console import Console

    return Console(width=table_width(width), soft_wrap=False)


def stderr() -> Console:
    """The console for diagnostics (stderr)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


_RICH_WOULD_CHANGE = re.compile(r":\S*:|\s$")
"""An emoji code (``:smile:``), or trailing space a wide line loses: rich then writes otherwise."""


def say(line: str) -> None:
    """One line on stderr, as ``stderr().print(line, markup=False)`` writes it; plain text without rich.

    Only text rich writes unchanged (printable, no emoji code, nothing at the end it would strip)
    is written directly: a cold ``report`` then imports no rich (~15 ms, issue 18).
    """
    if not line.isprintable() or _RICH_WOULD_CHANGE.search(line):
        stderr().print(line, markup=False)
        return
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


class CommandFailed(KpitoolError):
    """A command stops (exit 1): bad data, a failed step, or a check it was asked to make.

    With no message the failure is reported already (``validate`` lists its problems), and
    nothing more is printed.
    """


def write_output(content: str | bytes, output: Path | None) -> None:
    """Write a rendering (text or bytes) to stdout, or atomically to ``output``."""
    if output is None:
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            sys.stdout.write(content)
        sys.stdout.flush()
        return
    from kpitool.cli.replay import note_file
    from kpitool.support.safe_write import write_bytes_atomic, write_text_atomic

    if isinstance(content, bytes):
        write_bytes_atomic(output, content)
    else:
        write_text_atomic(output, content)
    note_file(output, content)


def refuse_terminal_output(output: Path | None, fmt: str, formats: Iterable[str]) -> None:
    """Refuse (exit 2) ``--output`` with a terminal table: it goes to the terminal only."""
    from kpitool.render.registry import TERMINAL

    if output is not None and fmt == TERMINAL:
        files = [name for name in formats if name != TERMINAL]
        raise UsageError(f"--output goes with --format {' or '.join(files)}")


def guard_output(output: Path | None, inputs: Iterable[Path], option: str = "--output") -> None:
    """Refuse (exit 2) an output path that is one of the run's input files: it would be clobbered."""
    if output is None:
        return
    target = os.path.realpath(output)  # unlike Path.resolve, never raises on a symlink loop
    try:
        exists = output.exists()
    except OSError:  # a name too long to exist (ENAMETOOLONG): the write itself reports it
        exists = False
    for path in inputs:
        same = os.path.realpath(path) == target
        if not same and exists:
            try:  # a hard link or bind mount is the same file under another name
                same = os.path.samefile(path, output)
            except OSError:
                same = False
        if same:
            raise UsageError(f"{option} {output} is an input of this run ({path}); choose another file")


def print_problems(problems: list[Problem]) -> None:
    """Problems as ``file:line:col: path: message`` lines on stderr."""
    from kpitool.render.problems import render_problems

    sys.stderr.write(render_problems(problems, "text"))


def data_cache(no_cache: bool = False) -> Cache | None:
    """The cache of validated files (see :mod:`kpitool.support.cache`), or None with ``--no-cache``."""
    if no_cache:
        return None  # without importing the cache (hashlib, marshal): a cold run keeps nothing
    from kpitool.support.cache import default_cache

    return default_cache(disabled=no_cache)


def load(data: Path, no_cache: bool = False) -> LoadedData:
    """Load and check a data directory (unchanged files from the cache); exit 2 if it does not exist."""
    if not data.exists():
        raise UsageError(f"data directory {str(data)!r} does not exist (give one with --data DIR)")
    if not data.is_dir():
        raise UsageError(f"--data {str(data)!r} is not a directory")
    from kpitool.checks import check_data
    from kpitool.sources.tree import load_data

    cache = data_cache(no_cache)
    loaded = load_data([data], cache=cache)
    loaded.problems = check_data(loaded, cache)
    return loaded


def parse_year(text: str, option: str = "--year") -> FiscalYear:
    """An evaluation year argument (``R6``, ``令和6年度``, ``2024`` …); usage error if unreadable."""
    from kpitool.values.fiscal_year import FiscalYear
    from kpitool.values.periods import PeriodError

    try:
        return FiscalYear.parse(text)
    except PeriodError as exc:
        raise UsageError(f"{option}: {exc}") from None


def parse_years(text: str, option: str = "--years") -> list[FiscalYear]:
    """Comma-separated evaluation years → their fiscal years, oldest first.

    A year given twice (``R6,R4,R6``, or ``R6`` and ``2024``) is a usage error, and so is a list
    separated by the Japanese comma 、 (or ，), which would otherwise read as one unknown year.
    """
    for comma in ("、", "，"):
        if comma in text:
            raise UsageError(f"{option}: separate years with commas (,), not {comma}: e.g. R4,R5,R6")
    years: set[FiscalYear] = set()
    for item in text.split(","):
        if not item.strip():
            continue
        year = parse_year(item.strip(), option)
        if year in years:
            raise UsageError(f"{option}: {year.label} is given twice")
        years.add(year)
    if not years:
        raise UsageError(f"{option} needs at least one year, e.g. R4,R5,R6")
    return sorted(years)


def data_files(data: Path) -> Iterator[Path]:
    """The YAML files a run reads from a data directory (none if it does not exist yet).

    Listed only when iterated: :func:`guard_output` does so for an ``--output`` alone (listing
    the nation's 3,482 files costs a run without one 0.05–0.3 s).
    """
    from kpitool.sources.tree import discover

    return discover([data]) if data.is_dir() else iter(())


def read_table(path: Path, option: str = "--table") -> tuple[Plan, ActualsFile]:
    """Read a flat KPI table (CSV or .xlsx) into a plan and its actuals (``option`` names it)."""
    from kpitool.problems import DataError
    from kpitool.sources.table_file import TABLE_SUFFIXES
    from kpitool.sources.table_file import read_table as read_table_file

    if not path.exists():
        raise UsageError(f"{option}: no such file: {path}")
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise UsageError(f"{option}: {path} is neither .csv nor .xlsx")
    try:
        return read_table_file(path)
    except DataError as exc:
        print_problems(exc.problems)
        raise CommandFailed(f"{path}: {len(exc.problems)} cell(s) could not be read") from None
