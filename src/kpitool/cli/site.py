"""``kpitool site``: write the static KPI website (公表サイト) into a folder.

The pages come from :mod:`kpitool.render.html` (imported only when the command runs, so
Jinja2 stays out of the other commands' start-up). Each file is written atomically; a folder
that holds anything but a site kpitool wrote before (its marker file) is refused, and no file
is ever deleted.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kpitool.cli.common import (
    DataOption,
    KpitoolCommand,
    NoCacheOption,
    PlansArgument,
    data_cache,
    load,
    parse_years,
    stderr,
)
from kpitool.cli.selection import SkipInvalidOption, announce_left_out, select_graded
from kpitool.errors import UsageError

if TYPE_CHECKING:
    from kpitool.outlook.engine import PlanOutlook
    from kpitool.rating.results import PlanEvaluation
    from kpitool.sources.tree import LoadedData
    from kpitool.values.fiscal_year import FiscalYear

__all__ = ["RecordedYearsOption", "graded_plans", "recorded_years", "register", "site"]

RecordedYearsOption = Annotated[
    str | None,
    typer.Option(
        "--years",
        metavar="YEAR,...",
        help="Evaluation years, comma-separated (default: every year the actuals record).",
        show_default=False,
    ),
]


def recorded_years(loaded: LoadedData) -> list[FiscalYear]:
    """Every evaluation year some actuals file records a value or a 総括 for, oldest first."""
    from kpitool.values.fiscal_year import FiscalYear, parse_fiscal_year

    labels = set()
    for document in loaded.actuals.values():
        labels |= {label for years in document.actuals.actuals.values() for label in years}
        labels |= set(document.actuals.published_summary)
    if not labels:
        raise UsageError("no actuals recorded: give the evaluation years with --years R4,R5,R6")
    return [FiscalYear(year) for year in sorted({parse_fiscal_year(label) for label in labels})]


def graded_plans(
    data: Path, plan_ids: list[str] | None, years: str | None, *, skip_invalid: bool, no_cache: bool
) -> tuple[list[list[PlanEvaluation]], list[FiscalYear], LoadedData]:
    """Each chosen plan graded in each of the years (``--years``, or every recorded one) it is
    evaluated in; the plans left out named on stderr."""
    from kpitool.rating.cached import evaluate_document

    loaded = load(data, no_cache)
    chosen = parse_years(years) if years is not None else recorded_years(loaded)
    per_plan, left_out = select_graded(loaded, plan_ids, chosen, skip_invalid=skip_invalid, option="--years")
    announce_left_out(left_out, in_output=False)
    cache = data_cache(no_cache)
    return [[evaluate_document(loaded, d, y, cache) for y in ys] for d, ys in per_plan], chosen, loaded


def _outlooks(plans: list[list[PlanEvaluation]], loaded: LoadedData) -> list[PlanOutlook]:
    """Each plan's outlook (見通し) at its last year, by the plan's own method."""
    from kpitool.outlook.engine import outlook_plan

    out = []
    for results in plans:
        plan = results[-1].plan
        actuals = loaded.actuals[plan.id].actuals if plan.id in loaded.actuals else None
        out.append(outlook_plan(plan, actuals, results[-1].year))
    return out


def _check_folder(out: Path, marker: str) -> None:
    """Refuse a path that is not a folder, or a non-empty folder without the site's marker."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"--out {out} is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / marker).is_file():
        raise UsageError(
            f"--out {out} is a folder that holds other files and no {marker}: "
            "give an empty or new folder (kpitool never deletes files it did not write)"
        )


def site(
    plan_ids: PlansArgument = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out", metavar="DIR", help="The folder to write the site into (new, empty, or a site)."
        ),
    ] = ...,  # type: ignore[assignment]
    years: RecordedYearsOption = None,
    data: DataOption = Path("data"),
    skip_invalid: SkipInvalidOption = False,
    no_cache: NoCacheOption = False,
) -> None:
    """Write a static website of the KPI evaluation: an index of plans with their latest 総括, one
    page per plan (総括 table and chart, per-section tables across the years, an SVG chart per KPI,
    the published texts). No script and no remote resource: it works from a USB stick."""
    from kpitool.render.html.pages import MARKER, render_site
    from kpitool.support.safe_write import write_bytes_atomic

    _check_folder(out, MARKER)
    plans, chosen, loaded = graded_plans(data, plan_ids, years, skip_invalid=skip_invalid, no_cache=no_cache)
    files = render_site(plans, _outlooks(plans, loaded))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"--out {out}: cannot create the folder ({error.strerror})") from error
    for name in sorted(files, key=lambda n: n != MARKER):  # the marker first: a site in progress is ours
        write_bytes_atomic(out / name, files[name])
    labels = ", ".join(y.label for y in chosen)
    stderr().print(f"kpitool: wrote {out} ({len(plans)} plan(s); {labels})", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``site`` to the app."""
    app.command("site", cls=KpitoolCommand, short_help="Write the static KPI website.")(site)
