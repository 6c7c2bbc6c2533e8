"""The xlsx toolkit: sheet names, the fast row path, rows of cells only."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from kpitool.rating.engine import evaluate_plan
from kpitool.render.xlsx import kit
from kpitool.render.xlsx.council import render_report
from kpitool.sources.tree import load_data
from kpitool.values.fiscal_year import FiscalYear
from tests.conftest import DATA


@pytest.mark.parametrize(
    ("wanted", "used", "expected"),
    [
        ("総括", {"総括"}, "総括(2)"),
        ("a/b:c*d?e[f]g\\h", set(), "a_b_c_d_e_f_g_h"),
        ("x" * 40, set(), "x" * 31),
        ("x" * 40, {"x" * 31}, "x" * 28 + "(2)"),
        ("'quoted'", set(), "quoted"),
        ("", set(), "Sheet"),
    ],
)
def test_sheet_names(wanted: str, used: set[str], expected: str) -> None:
    assert kit.sheet_name(wanted, {u.casefold() for u in used}) == expected


def test_fast_row_path_writes_what_openpyxls_own_path_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Report sheets hand their cells straight to the writer; openpyxl's own path gives the same bytes."""
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    loaded = load_data([DATA])
    plans = [
        [evaluate_plan(doc.plan, loaded.actuals_for(plan_id), FiscalYear(year)) for year in (2023, 2024)]
        for plan_id, doc in sorted(loaded.plans.items())
        if doc.plan.kpi_count()
    ]
    fast, own = tmp_path / "fast.xlsx", tmp_path / "own.xlsx"
    fast.write_bytes(render_report(plans, large_plan=20))
    monkeypatch.setattr(kit._CellSheet, "_values_to_row", WriteOnlyWorksheet._values_to_row)
    own.write_bytes(render_report(plans, large_plan=20))
    assert fast.read_bytes() == own.read_bytes()
    with zipfile.ZipFile(fast) as archive:  # the sheets as written (re-opening costs more than the check)
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert len(sheets) > len(plans)


def test_a_report_row_holds_only_cells() -> None:
    sheet = kit.add_sheet(kit.new_workbook(), "s")
    with pytest.raises(TypeError, match="cells made by Cells, not str"):
        sheet.append([kit.Cells(sheet)("ok", kit.TEXT), "bare text"])


@pytest.mark.parametrize("text", ["=1+1", "+1", "-x", "@SUM(A1)", "\t=1", "\r=1", "\n=1"])
def test_formula_like_text_gets_the_quote_prefix(text: str) -> None:
    sheet = kit.add_sheet(kit.new_workbook(), "s")
    cell = kit.Cells(sheet)(text, kit.TEXT)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert not kit.Cells(sheet)("plain", kit.TEXT).quotePrefix
