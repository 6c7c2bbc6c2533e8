"""The saved workbook: stored entries first, deflated once, the same bytes as from openpyxl's own save."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

from kpitool.render.xlsx.deterministic import deterministic_xlsx, saved_uncompressed


def workbook() -> Workbook:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("総括 & <1>")
    sheet.append(["指標", 13.60, "R6年度"])
    return book


def test_stored_entries_are_openpyxls_own_and_give_the_same_file() -> None:
    ours = saved_uncompressed(workbook())
    theirs = io.BytesIO()
    workbook().save(theirs)
    with zipfile.ZipFile(io.BytesIO(ours)) as a, zipfile.ZipFile(theirs) as b:
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]
        assert {i.compress_type for i in a.infolist()} == {zipfile.ZIP_STORED}
        differ = [i.filename for i in a.infolist() if a.read(i) != b.read(i.filename)]
    assert differ in ([], ["docProps/core.xml"])  # the save time, which deterministic_xlsx fixes
    assert deterministic_xlsx(ours) == deterministic_xlsx(theirs.getvalue())


def test_a_write_only_workbook_without_sheets_gets_one_as_openpyxl_gives_it() -> None:
    with zipfile.ZipFile(io.BytesIO(saved_uncompressed(Workbook(write_only=True)))) as saved:
        assert "xl/worksheets/sheet1.xml" in saved.namelist()
