"""kpitool.update.apply: read, merge, verify and write an actuals file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kpitool.model.actuals import Submission
from kpitool.problems import DataError
from kpitool.update.apply import apply_update, prepare_update
from kpitool.update.changes import UpdateError
from kpitool.values.fiscal_year import FiscalYear
from tests.update.conftest import ACTUALS, assert_valid, demo_plan, read_actuals


def test_missing_file_is_created(tmp_path: Path) -> None:
    plan, path = demo_plan(tmp_path, None)
    apply_update(path, plan, FiscalYear(2024), [Submission("visitors", Decimal("557584"), "R6年度")])
    actuals = read_actuals(path.read_text(encoding="utf-8"))
    assert actuals.plan == "demo"
    assert actuals.actuals["visitors"]["R6"].value == Decimal("557584")
    assert_valid(tmp_path)


def test_an_import_keeps_the_published_summary(tmp_path: Path) -> None:
    """The read-back check compares every field of the file, the published 総括 included."""
    published = "published_summary:\n  R5:\n    counts: {○: 1, △: 0, ×: 2, —: 1}\n    source: 第2章\n"
    plan, path = demo_plan(tmp_path, ACTUALS.replace("actuals:\n", published + "actuals:\n", 1))
    apply_update(path, plan, FiscalYear(2023), [Submission("output", Decimal("14673"), "R3年度")])
    text = path.read_text(encoding="utf-8")
    assert published in text
    assert read_actuals(text).published_summary["R5"].counts == {"○": 1, "△": 0, "×": 2, "—": 1}
    assert_valid(tmp_path)


def test_unknown_kpi_and_invalid_file_are_refused(tmp_path: Path) -> None:
    plan, path = demo_plan(tmp_path)
    with pytest.raises(UpdateError, match="no KPI with id 'nope'"):
        prepare_update(path, plan, FiscalYear(2024), [Submission("nope", Decimal("1"))])
    path.write_text(ACTUALS.replace("plan: demo", "plan: demo\nplan: again"), encoding="utf-8")
    with pytest.raises(DataError, match="duplicate key 'plan'"):
        prepare_update(path, plan, FiscalYear(2024), [Submission("output", Decimal("1"))])


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    plan, path = demo_plan(tmp_path)
    before = path.read_bytes()
    result = apply_update(path, plan, FiscalYear(2025), [Submission("output", Decimal("1"))], dry_run=True)
    assert result.changed
    assert "R7: {value: 1}" in result.new_text
    assert path.read_bytes() == before
