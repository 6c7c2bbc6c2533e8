"""Reading cells out of .xlsx files: the number formats beside the values."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from kpitool.sources.workbook import cell_formats, open_workbook, sheet_rows


def test_cell_formats_name_each_formatted_cell_that_holds_a_value(tmp_path: Path) -> None:
    path = tmp_path / "formats.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["id", "実績値"])
    sheet.append(["a", 0.131])
    sheet.append(["b", 2500])
    sheet.append(["c", None])
    sheet["B2"].number_format = "0.0%"
    sheet["B3"].number_format = ";;;"
    sheet["B4"].number_format = "0%"  # formatted, but empty: nothing to show or hide
    sheet["A1"].number_format = "@"
    workbook.save(path)
    opened = open_workbook(path)
    try:
        read = opened.worksheets[0]
        rows = sheet_rows(path, read)
        formats = cell_formats(read)
    finally:
        opened.close()
    assert rows[1] == ["a", 0.131]
    assert formats == {(0, 0): "@", (1, 1): "0.0%", (2, 1): ";;;"}
