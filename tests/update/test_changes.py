"""kpitool.update.changes: what an import adds or changes, compared by value in the KPI's unit."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kpitool.model.actuals import Submission
from kpitool.update.apply import apply_update, prepare_update
from kpitool.update.changes import ConflictError, EditKind
from kpitool.values.fiscal_year import FiscalYear
from tests.update.conftest import ACTUALS, assert_lock_free, assert_valid, demo_plan


def test_same_value_again_changes_nothing(tmp_path: Path) -> None:
    plan, path = demo_plan(tmp_path, ACTUALS.replace("value: 15048", "value: 15048.0"))
    before = path.read_bytes()
    result = apply_update(path, plan, FiscalYear(2024), [Submission("output", Decimal("15048"), "R4年度")])
    assert not result.changed
    assert [c.kind for c in result.changes] == [EditKind.UNCHANGED]
    assert path.read_bytes() == before


def test_conflict_is_refused_and_nothing_written(tmp_path: Path) -> None:
    plan, path = demo_plan(tmp_path)
    before = path.read_bytes()
    with pytest.raises(ConflictError) as caught:
        apply_update(
            path, plan, FiscalYear(2024), [Submission("output", Decimal("15049"), "R5年度", origin="票!J5")]
        )
    conflicts = caught.value.update.conflicts
    assert [(entry.kpi.id, change.name, change.old, change.new) for entry, change in conflicts] == [
        ("output", "value", Decimal("15048"), Decimal("15049")),
        ("output", "period", "R4年度", "R5年度"),
    ]
    assert path.read_bytes() == before
    assert_lock_free(path)


def test_filling_an_empty_field_is_not_a_conflict(tmp_path: Path) -> None:
    plan, path = demo_plan(
        tmp_path, ACTUALS.replace("    R5: {value: 451121, period: R5年度}", "    R5: {value: null}")
    )
    result = apply_update(path, plan, FiscalYear(2023), [Submission("visitors", Decimal("451121"), "R5年度")])
    assert result.conflicts == ()
    assert "    R5: {value: 451121, period: R5年度}\n" in path.read_text(encoding="utf-8")


def test_an_entry_in_another_unit_is_compared_and_written_in_its_unit(tmp_path: Path) -> None:
    plan, path = demo_plan(tmp_path)
    same = prepare_update(path, plan, FiscalYear(2023), [Submission("population", Decimal("30.0516"))])
    assert [c.kind for c in same.changes] == [EditKind.UNCHANGED]
    apply_update(path, plan, FiscalYear(2023), [Submission("population", Decimal("30.05"))], overwrite=True)
    assert "    R5: {value: 300500, period: R5年度末, unit: 人}\n" in path.read_text(encoding="utf-8")
    # a new year follows the unit the KPI's entries use
    apply_update(path, plan, FiscalYear(2024), [Submission("population", Decimal("29.9539"), "R6年度末")])
    assert "    R6: {value: 299539, unit: 人, period: R6年度末}\n" in path.read_text(encoding="utf-8")
    assert_valid(tmp_path)
