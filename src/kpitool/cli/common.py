"""Plumbing shared by the command modules: loading data, exit codes, output streams.

Every command parses its arguments, calls the core and renders; the helpers
here turn core failures into clear messages on stderr and exit codes
(0 fine, 1 bad data or failed write, 2 bad usage).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from kpitool.problems import Problem
    from kpitool.sources.documents import LoadedData, PlanDocument
    from kpitool.support.cache import Cache

__all__ = [
    "EXIT_DATA",
    "EXIT_OK",
    "EXIT_USAGE",
    "UNBOUNDED_WIDTH",
    "DataOption",
    "NoCacheOption",
    "PlansArgument",
    "WidthOption",
    "YearOption",
    "data_cache",
    "fail",
    "guard_output",
    "load",
    "parse_year",
    "print_problems",
    "select_plans",
    "stderr",
    "stdout",
    "usage",
    "write_text",
]

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2

DataOption = Annotated[
    Path,
    typer.Option("--data", "-d", help="Data directory holding plans/ and actuals/.", show_default=True),
]
PlansArgument = Annotated[
    list[str] | None,
    typer.Argument(help="Plan ids (default: every plan with KPIs).", show_default=False),
]
YearOption = Annotated[
    str,
    typer.Option("--year", "-y", help="Evaluation year (評価年度): R6, 令和6年度, R6年度, 2024年度 or 2024."),
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


UNBOUNDED_WIDTH = 100_000
"""The width of reports written to a file or a pipe: wide enough that nothing is cropped."""


def stdout(width: int | None = None) -> Console:
    """The console for reports (stdout), ``width`` columns wide.

    Without ``--width``: ``COLUMNS`` if set, else the terminal's width; when stdout is not a
    terminal (a pipe or a file), tables are written whole at their natural width.
    """
    from rich.console import Console

    if width is None and not os.environ.get("COLUMNS", "").isdigit() and not sys.stdout.isatty():
        width = UNBOUNDED_WIDTH
    return Console(width=width, soft_wrap=False)


def stderr() -> Console:
    """The console for diagnostics (stderr)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = EXIT_DATA) -> NoReturn:
    """Print ``kpitool: error: …`` on stderr and exit with ``code``."""
    stderr().print(f"kpitool: error: {message}", markup=False)
    raise typer.Exit(code)


def usage(message: str) -> NoReturn:
    """A usage error: exit 2."""
    fail(message, EXIT_USAGE)


def write_text(text: str, output: Path | None) -> None:
    """Write to stdout, or atomically to ``output``."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from kpitool.support.safe_write import WriteError, write_text_atomic

    try:
        write_text_atomic(output, text)
    except WriteError as exc:
        fail(str(exc))


def guard_output(output: Path | None, inputs: Iterable[Path], option: str = "--output") -> None:
    """Refuse (exit 2) an output path that is one of the run's input files: it would be clobbered."""
    if output is None:
        return
    target = output.resolve()
    for path in inputs:
        same = path.resolve() == target
        if not same and output.exists():
            try:  # a hard link or bind mount is the same file under another name
                same = os.path.samefile(path, output)
            except OSError:
                same = False
        if same:
            usage(f"{option} {output} is an input of this run ({path}); choose another file")


def print_problems(problems: list[Problem]) -> None:
    """Problems as ``file:line:col: path: message`` lines on stderr."""
    from kpitool.render.problems import render_problems

    sys.stderr.write(render_problems(problems, "text"))


def data_cache(no_cache: bool = False) -> Cache | None:
    """The cache of validated files (see :mod:`kpitool.support.cache`), or None with ``--no-cache``."""
    from kpitool.support.cache import default_cache

    return default_cache(disabled=no_cache)


def load(data: Path, no_cache: bool = False) -> LoadedData:
    """Load and check a data directory (unchanged files from the cache); exit 2 if it does not exist."""
    if not data.exists():
        usage(f"data directory {str(data)!r} does not exist (give one with --data DIR)")
    if not data.is_dir():
        usage(f"--data {str(data)!r} is not a directory")
    from kpitool.checks import check_data
    from kpitool.sources.documents import load_data

    cache = data_cache(no_cache)
    loaded = load_data([data], cache=cache)
    loaded.problems = check_data(loaded, cache)
    return loaded


def parse_year(text: str, option: str = "--year") -> tuple[int, str]:
    """An evaluation year argument → (fiscal year, R-label); usage error if unreadable."""
    from kpitool.values.periods import PeriodError, fiscal_year_label, parse_fiscal_year

    try:
        year = parse_fiscal_year(text)
    except PeriodError as exc:
        usage(f"{option}: {exc}")
    return year, fiscal_year_label(year)


def select_plans(loaded: LoadedData, plan_ids: list[str] | None, *, with_kpis: bool) -> list[PlanDocument]:
    """The plans asked for, or every plan (with KPIs, if asked); stop on errors in their files."""
    from kpitool.problems import Severity

    if plan_ids:
        unknown = [p for p in plan_ids if p not in loaded.plans]
        if unknown:
            print_problems([p for p in loaded.problems if p.severity is Severity.ERROR])
            known = ", ".join(sorted(loaded.plans)) or "none"
            usage(f"unknown plan {unknown[0]!r} (plans: {known})")
        chosen = [loaded.plans[p] for p in plan_ids]
    else:
        chosen = [d for d in loaded.plans.values() if not with_kpis or d.kpi_count()]
    files = {d.document.name for d in chosen}
    for doc in chosen:
        if doc.id in loaded.actuals:
            files.add(loaded.actuals[doc.id].document.name)
    errors = [p for p in loaded.problems if p.severity is Severity.ERROR]
    # A file that failed to load declares no plan; by the naming convention (actuals/<plan>.yaml)
    # it may hold the actuals of a chosen plan, which must not be graded as if it had none.
    ids = {d.id for d in chosen}
    files |= {p.file for p in errors if Path(p.file).stem in ids}
    relevant = [p for p in errors if p.file in files]
    if relevant:
        print_problems(relevant)
        fail(f"{len(relevant)} error(s) in the data of the selected plans; fix them (kpitool validate)")
    others = sorted({p.file for p in errors} - files)
    if others:
        stderr().print(
            f"kpitool: warning: {len(others)} other file(s) have errors and were skipped: "
            f"{', '.join(others)} (run kpitool validate)",
            markup=False,
        )
    if not chosen:
        fail("no plan with KPIs found" if with_kpis else "no plans found")
    return chosen
