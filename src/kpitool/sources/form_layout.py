"""The layout of the yearly collection form (実績値 記入票), shared by its writer and its reader.

The columns left to right, which of them a department fills in, the labels of
the plan and year cells, and what each locked cell of a KPI's row holds: the
writer (:mod:`kpitool.render.xlsx.form`) shows it, the reader
(:mod:`kpitool.sources.form`) checks a returned form against it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kpitool.model.plan import KPI, Section, section_heading

__all__ = [
    "CHECKED",
    "CHECKSUM_PROPERTY",
    "COLUMNS",
    "EDITABLE",
    "FORM_COLUMNS",
    "PLAN_LABEL",
    "PLAN_PROPERTY",
    "YEAR_LABEL",
    "YEAR_PROPERTY",
    "FormColumn",
    "form_checksum",
    "locked_cells",
]


@dataclass(frozen=True)
class FormColumn:
    """One column of the form: its header, width and whether a department fills it in."""

    header: str
    width: float
    editable: bool = False
    checked: bool = True
    """A locked column compared with the plan on import (an edit is an error)."""


FORM_COLUMNS = (
    FormColumn("No.", 8),
    FormColumn("施策", 24),
    FormColumn("指標名", 30),
    FormColumn("単位", 9),
    FormColumn("基準値", 12),
    FormColumn("基準時点", 12),
    FormColumn("目標値", 14),
    FormColumn("目標時点", 12),
    FormColumn("前回実績", 20, checked=False),
    FormColumn("実績値", 14, editable=True),
    FormColumn("実績時点", 14, editable=True),
    FormColumn("備考", 30, editable=True),
    FormColumn("id", 26),
)
COLUMNS = tuple(column.header for column in FORM_COLUMNS)
"""The form's header row, left to right."""
EDITABLE = ("実績値", "実績時点", "備考")
"""The only columns a department fills in."""
CHECKED = tuple(c.header for c in FORM_COLUMNS if c.checked and not c.editable)
"""The locked columns compared with the plan on import and covered by the checksum."""

PLAN_LABEL = "計画ID"
"""The label of the cell left of the plan id, above the header row."""
YEAR_LABEL = "評価年度"
"""The label of the cell left of the evaluation year, above the header row."""

PLAN_PROPERTY = "kpitool.form.plan"
"""The custom document property (ファイルのプロパティ) holding the plan id the form is for."""
YEAR_PROPERTY = "kpitool.form.year"
"""The custom document property holding the evaluation year (``R6``)."""
CHECKSUM_PROPERTY = "kpitool.form.checksum"
"""The custom document property holding :func:`form_checksum` of the form as written."""


def locked_cells(kpi: KPI, section: Section | None) -> dict[str, Decimal | str]:
    """The locked cells of a KPI's row, by header: what the form shows and import checks."""
    baseline = kpi.baseline
    base: Decimal | str = "—"
    if baseline is not None and baseline.value is not None:
        base = baseline.value
    elif baseline is not None and baseline.text:
        base = baseline.text
    target_value = kpi.target_value()
    target: Decimal | str = kpi.target.text or (target_value if target_value is not None else "—")
    return {
        "No.": kpi.number or "",
        "施策": section_heading(section),
        "指標名": kpi.name,
        "単位": kpi.unit,
        "基準値": base,
        "基準時点": baseline.period.label if baseline and baseline.period else "",
        "目標値": target,
        "目標時点": kpi.target.period.label,
        "id": kpi.id,
    }


_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _canonical(value: Any) -> str:
    """A cell's value as the checksum sees it, the same written (Decimal) and read back (int or float).

    A number is the shortest text of its double (what Excel stores, saved with up to 17 digits);
    text has its runs of white space made one space; an empty cell is empty.
    """
    if value is None:
        return ""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return repr(float(value))
    text = " ".join(str(value).split())
    if _PLAIN_NUMBER.fullmatch(text):  # a number a spreadsheet turned into text reads the same
        return repr(float(text))
    return text


def form_checksum(plan_id: str, year: int, rows: Iterable[Mapping[str, Any]]) -> str:
    """SHA-256 over the plan id, the fiscal ``year`` and the :data:`CHECKED` cells of each KPI row, in order.

    The writer stores it in the workbook (:data:`CHECKSUM_PROPERTY`); the reader recomputes it from
    the cells it reads, so an edited locked cell, or rows moved, deleted or added, no longer match.
    """
    digest = hashlib.sha256(f"kpitool form 1\x1e{plan_id}\x1e{year}".encode())
    for row in rows:
        cells = "\x1f".join(_canonical(row.get(header)) for header in CHECKED)
        digest.update(f"\x1e{cells}".encode())
    return digest.hexdigest()
