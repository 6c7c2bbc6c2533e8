"""The scheme of a flat table from the command line: ``--scheme``, ``--option``, ``--settings``.

A plan carries its scheme in its ``evaluation:`` block; a flat table (``--table``) has none, so
``evaluate``, ``summary`` and ``report`` take one: ``--scheme NAME`` with ``--option key=value``
(repeated), or ``--settings FILE`` holding an ``evaluation:`` block and, under ``kpis:``, some
KPIs' own blocks by id (as a plan's KPI may carry one). A bad flag is a usage
error (exit 2) naming it; a bad settings file is bad data (exit 1) at its file:line:col.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kpitool.cli.common import CommandFailed, print_problems, read_table
from kpitool.errors import UsageError

if TYPE_CHECKING:
    from kpitool.model.actuals import ActualsFile
    from kpitool.model.plan import KPI, EvaluationSettings, Plan, Section
    from kpitool.sources.settings import SettingsFile
    from kpitool.sources.yaml_strict import Document

__all__ = [
    "SchemeOption",
    "SchemeOptionsOption",
    "SettingsOption",
    "refuse_without_table",
    "table_with_scheme",
]

SchemeOption = Annotated[
    str | None,
    typer.Option(
        "--scheme",
        metavar="NAME",
        help="With --table: the rating scheme (default, progress_bands, bands …; see docs/rating.md).",
        show_default=False,
    ),
]
SchemeOptionsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--option",
        metavar="KEY=VALUE",
        help="With --scheme or --settings: one option of the scheme, e.g. threshold=0.8 (repeatable).",
        show_default=False,
    ),
]
SettingsOption = Annotated[
    Path | None,
    typer.Option(
        "--settings",
        metavar="FILE",
        help="With --table: a YAML file holding an evaluation: block (scheme, options, grades).",
        show_default=False,
    ),
]

_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _option_value(text: str) -> Any:
    """``true`` / ``false`` → a flag, a plain decimal → an exact number, anything else → text."""
    if text in ("true", "false"):
        return text == "true"
    return Decimal(text) if _NUMBER.fullmatch(text) else text


def _parse_options(items: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for item in items:
        key, equals, value = item.partition("=")
        key = key.strip()
        if not equals or not key or not value.strip():
            raise UsageError(f"--option {item!r}: expected KEY=VALUE, e.g. --option threshold=0.8")
        if key in options:
            raise UsageError(f"--option {key}: given twice")
        options[key] = _option_value(value.strip())
    return options


def refuse_without_table(
    table: Path | None, scheme: str | None, options: list[str] | None, settings: Path | None
) -> None:
    """--scheme, --option and --settings only grade a --table: a plan's scheme is in its file."""
    given = [
        flag
        for flag, value in (("--scheme", scheme), ("--option", options), ("--settings", settings))
        if value
    ]
    if table is None and given:
        raise UsageError(f"{given[0]} goes with --table; a plan's scheme is its evaluation: block")


def table_with_scheme(
    table: Path, scheme: str | None, options: list[str] | None, settings: Path | None
) -> tuple[Plan, ActualsFile]:
    """Read ``--table`` and give its plan the scheme of the flags (the default rule without any)."""
    from kpitool.model.plan import EvaluationSettings

    if scheme is not None and settings is not None:
        raise UsageError("give either --scheme or --settings, not both")
    if options and scheme is None and settings is None:
        raise UsageError("--option needs --scheme or --settings")
    extra = _parse_options(options or [])
    chosen: EvaluationSettings | None = None
    read: tuple[Document, SettingsFile] | None = None
    if settings is not None:
        read = _settings_file(settings, extra)
        chosen = read[1].evaluation
    elif scheme is not None:
        chosen = EvaluationSettings(scheme=scheme, options=extra)
        _check_flags(chosen)
    plan, actuals = read_table(table)
    plan = plan.model_copy(update={"evaluation": chosen}) if chosen else plan
    if read is not None and read[1].kpis:
        plan = _with_kpi_settings(plan, *read)
    return plan, actuals


def _with_kpi_settings(plan: Plan, document: Document, settings: SettingsFile) -> Plan:
    """The table's plan with the ``kpis:`` blocks of the settings file; exit 1 at a fault's line."""
    from kpitool.rating.engine import kpi_scheme, resolve_scheme
    from kpitool.rating.schemes.base import RatingError

    known = plan.kpi_numbers()
    scheme = resolve_scheme(plan.evaluation)
    for kpi_id, own in settings.kpis.items():
        if kpi_id not in known:
            message = f"no KPI with id {kpi_id!r} in the table (ids: {', '.join(known)})"
            print_problems([document.problem(("kpis", kpi_id), message, code="reference")])
            raise CommandFailed(f"{document.name}: kpis: names a KPI the table does not have")
        try:
            kpi_scheme(plan.evaluation, own.evaluation, scheme)
        except RatingError as exc:
            where = ("kpis", kpi_id, "evaluation", *exc.path)
            print_problems([document.problem(where, str(exc), code="evaluation")])
            raise CommandFailed(f"{document.name}: the evaluation of KPI {kpi_id} is not usable") from None

    def placed(kpis: tuple[KPI, ...]) -> tuple[KPI, ...]:
        return tuple(
            kpi.model_copy(update={"evaluation": settings.kpis[kpi.id].evaluation})
            if kpi.id in settings.kpis
            else kpi
            for kpi in kpis
        )

    def section(node: Section) -> Section:
        return node.model_copy(
            update={"kpis": placed(node.kpis), "sections": tuple(section(s) for s in node.sections)}
        )

    return plan.model_copy(
        update={"kpis": placed(plan.kpis), "sections": tuple(section(s) for s in plan.sections)}
    )


def _check_flags(chosen: EvaluationSettings) -> None:
    from kpitool.rating.engine import resolve_scheme
    from kpitool.rating.schemes.base import RatingError

    try:
        resolve_scheme(chosen)
    except RatingError as exc:
        flag = f"--option {exc.path[1]}" if exc.path[:1] == ("options",) and len(exc.path) > 1 else "--scheme"
        raise UsageError(f"{flag}: {exc}") from None


def _settings_file(path: Path, extra: dict[str, Any]) -> tuple[Document, SettingsFile]:
    """The settings of the file, ``--option`` over its options; exit 1 at the fault's line if bad."""
    from kpitool.problems import DataError
    from kpitool.rating.engine import resolve_scheme
    from kpitool.rating.schemes.base import RatingError
    from kpitool.sources.settings import read_settings

    if not path.is_file():
        raise UsageError(f"--settings: no such file: {path}")
    try:
        document, read = read_settings(path)
    except DataError as exc:
        print_problems(exc.problems)
        raise CommandFailed(f"{path}: the evaluation settings could not be read") from None
    chosen = read.evaluation
    if extra:
        chosen = chosen.model_copy(update={"options": {**chosen.options, **extra}})
    try:
        resolve_scheme(chosen)
    except RatingError as exc:
        if exc.path[:1] == ("options",) and len(exc.path) > 1 and exc.path[1] in extra:
            raise UsageError(f"--option {exc.path[1]}: {exc}") from None
        print_problems([document.problem(("evaluation", *exc.path), str(exc), code="evaluation")])
        raise CommandFailed(f"{path}: the evaluation settings are not usable") from None
    return document, read.model_copy(update={"evaluation": chosen})
