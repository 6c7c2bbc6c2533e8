"""The layout of the yearly collection form (実績値 記入票), shared by its writer and its reader.

The columns left to right, which of them a department fills in, the labels of
the plan and year cells, and what each locked cell of a KPI's row holds: the
writer (:mod:`kpitool.render.xlsx.form`) shows it, the reader
(:mod:`kpitool.sources.form`) checks a returned form against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kpitool.model.plan import KPI, Section, section_heading

__all__ = ["COLUMNS", "EDITABLE", "FORM_COLUMNS", "PLAN_LABEL", "YEAR_LABEL", "FormColumn", "locked_cells"]


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

PLAN_LABEL = "計画ID"
"""The label of the cell left of the plan id, above the header row."""
YEAR_LABEL = "評価年度"
"""The label of the cell left of the evaluation year, above the header row."""


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
