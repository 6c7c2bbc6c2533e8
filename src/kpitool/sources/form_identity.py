"""Proving a returned form's identity: its plan, its year and its locked cells (記入票の同一性).

``kpitool template`` writes the plan id, the evaluation year and a checksum of
the locked cells into the workbook's custom document properties
(:mod:`kpitool.sources.form_layout`), where no deleted row or column takes them
away. :func:`identity_problems` checks them against ``--plan`` and ``--year``,
and the checksum against the locked cells the reader found: a form with no
identity (made by an older kpitool, or its sheet copied into another
workbook), of another plan or year, or whose rows were moved, deleted or
added, is refused with what could not be proven.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kpitool.model.plan import Plan
from kpitool.sources.form_layout import (
    CHECKSUM_PROPERTY,
    PLAN_PROPERTY,
    YEAR_PROPERTY,
    form_checksum,
)
from kpitool.values.fiscal_year import FiscalYear, parse_fiscal_year
from kpitool.values.periods import PeriodError

__all__ = ["FoundRow", "identity_problems", "properties"]

_REMAKE = "make a new form with kpitool template and copy the filled-in cells over"


@dataclass(frozen=True)
class FoundRow:
    """A KPI row as the reader found it: where its id is, the id, and its locked cells by header."""

    where: str
    kpi_id: str
    cells: Mapping[str, Any]


def properties(workbook: Any) -> dict[str, str]:
    """The workbook's custom document properties (ファイルのプロパティ → ユーザー設定), as text."""
    found: dict[str, str] = {}
    for prop in getattr(getattr(workbook, "custom_doc_props", None), "props", None) or []:
        name, value = getattr(prop, "name", None), getattr(prop, "value", None)
        if isinstance(name, str) and value is not None:
            found[name] = str(value)
    return found


def _kpi_label(plan: Plan, kpi_id: str) -> str:
    kpi = next(kpi for kpi, _ in plan.iter_kpis() if kpi.id == kpi_id)
    return f"{kpi.number or ''} {kpi.name} ({kpi_id})".strip()


def _rows_problem(plan: Plan, rows: Sequence[FoundRow]) -> tuple[str, str]:
    """Why the checksum differs when every row matched the plan: rows missing, or moved."""
    found = [row.kpi_id for row in rows]
    expected = [kpi.id for kpi, _ in plan.iter_kpis()]
    missing = [kpi_id for kpi_id in expected if kpi_id not in found]
    if missing:
        names = ", ".join(_kpi_label(plan, kpi_id) for kpi_id in missing)
        return (
            "",
            f"the form has no row for {len(missing)} KPI(s) of the plan: {names} — rows were deleted, "
            f"or the plan gained KPIs after the form was made; {_REMAKE}",
        )
    order = [kpi_id for kpi_id in expected if kpi_id in found]
    for row, kpi_id in zip(rows, order, strict=False):
        if row.kpi_id != kpi_id:
            return (
                row.where,
                f"id {row.kpi_id!r} is not where the form put it (it had {kpi_id!r} here): rows were "
                "moved or sorted; undo it, or " + _REMAKE,
            )
    return (
        "",
        f"the locked cells do not match the checksum the form was made with ({CHECKSUM_PROPERTY}): "
        f"a locked cell or row was changed; {_REMAKE}",
    )


def identity_problems(
    props: Mapping[str, str],
    plan: Plan,
    year: int,
    rows: Sequence[FoundRow],
    *,
    reported: set[str],
    cells_clean: bool,
) -> list[tuple[str, str]]:
    """(where, message) for each part of the form's identity that does not hold.

    ``reported`` holds ``plan`` / ``year`` when the header cells already said the form is for
    another plan or year (not said twice); the checksum is checked only when ``cells_clean``
    (no cell was refused, so a mismatch is about the rows, not a cell already named).
    """
    missing = [name for name in (PLAN_PROPERTY, YEAR_PROPERTY, CHECKSUM_PROPERTY) if not props.get(name)]
    if missing:
        return [
            (
                "",
                f"the form's identity cannot be proven: the document properties {', '.join(missing)} "
                "that kpitool template writes are missing (a form of an older kpitool, or its sheet "
                f"copied into another workbook); {_REMAKE}",
            )
        ]
    problems: list[tuple[str, str]] = []
    form_plan = props[PLAN_PROPERTY]
    if form_plan != plan.id and "plan" not in reported:
        problems.append(
            (
                f"property {PLAN_PROPERTY}",
                f"the form is for plan {form_plan!r}, not {plan.id!r} (--plan); import it with its own plan",
            )
        )
    try:
        form_year = parse_fiscal_year(props[YEAR_PROPERTY])
    except PeriodError:
        return [*problems, (f"property {YEAR_PROPERTY}", f"{props[YEAR_PROPERTY]!r} is not a fiscal year")]
    if form_year != year and "year" not in reported:
        problems.append(
            (
                f"property {YEAR_PROPERTY}",
                f"the form is for the year {props[YEAR_PROPERTY]!r}, not {FiscalYear(year).label} "
                "(--year); import it with its own year",
            )
        )
    if not problems and cells_clean:
        checksum = form_checksum(form_plan, form_year, (row.cells for row in rows))
        if checksum != props[CHECKSUM_PROPERTY]:
            problems.append(_rows_problem(plan, rows))
    return problems
