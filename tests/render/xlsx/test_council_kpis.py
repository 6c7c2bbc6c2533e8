"""The report's KPI sheets on paper: page setup, printed font sizes, row heights and page breaks.

Every check reads the written workbook, re-opened with openpyxl (once per paper), and recomputes
the print from its own column widths, row heights, breaks and scale against the paper's printable
area; one slow test prints the workbook with LibreOffice and measures the PDF. The fast loop
prints on A4; the full run on A3 too (test_paging.py cuts A3 pages in the fast loop).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.render.xlsx.kit import text_lines
from kpitool.render.xlsx.paging import MIN_PRINTED_POINTS, POINTS_PER_UNIT, Paper, line_pitch, printable
from tests.conftest import DATA

VISION = "kurume-renkei-vision-2"
AREA = re.compile(r"\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)")


def _report(runner: CliRunner, out: Path, *args: str, data: Path = DATA) -> Path:
    result = runner.invoke(app, ["report", *args, "--xlsx", str(out), "--data", str(data)])
    assert result.exit_code == 0, result.output
    return out


@dataclass
class _Print:
    """A KPI sheet as it prints: its column pages, row pages and scale."""

    sheet: Any
    scale: int
    columns: list[range]
    rows: list[range]
    title_columns: int
    table_end: int

    def width(self, column: int) -> float:
        return float(self.sheet.column_dimensions[get_column_letter(column)].width)

    def height(self, row: int) -> float:
        return float(self.sheet.row_dimensions[row].height)


def _print(sheet: Any) -> _Print:
    first_col, first_row, last_col, last_row = AREA.search(sheet.print_area).groups()  # type: ignore[union-attr]
    end_col, end_row = column_index_from_string(last_col), int(last_row)
    col_breaks = [b.id for b in sheet.col_breaks.brk]
    row_breaks = [b.id for b in sheet.row_breaks.brk]
    columns = [range(a + 1, b + 1) for a, b in zip([0, *col_breaks], [*col_breaks, end_col], strict=True)]
    rows = [
        range(a + 1, b + 1)
        for a, b in zip([int(first_row) - 1, *row_breaks], [*row_breaks, end_row], strict=True)
    ]
    title = column_index_from_string(sheet.print_title_cols.split(":")[1].strip("$"))
    last = re.match(r"A4:([A-Z]+)(\d+)", sheet.auto_filter.ref)
    assert last
    assert first_col == "A"
    table_end = int(last.group(2))
    return _Print(sheet, sheet.page_setup.scale, columns, rows, title, table_end)


def _sheets(workbook: Any) -> list[_Print]:
    return [
        _print(sheet) for sheet in workbook.worksheets[1:] if not sheet.title.startswith(("推移", "施策別"))
    ]


@dataclass
class _Report:
    """A written report, re-opened, and its KPI sheets as they print."""

    path: Path
    workbook: Any
    pages: list[_Print]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Paper], _Report]:
    """``printed(paper)``: every bundled plan for R4–R6 on ``paper``, written and re-opened once.

    The tests only read the workbook. The fast loop prints on A4 only; A3 is checked in the
    full run (and its printable area in test_paging.py).
    """
    folder = tmp_path_factory.mktemp("print")
    made: dict[Paper, _Report] = {}

    def get(paper: Paper) -> _Report:
        if paper not in made:
            path = folder / f"{paper}.xlsx"
            _report(CliRunner(), path, "--years", "R4,R5,R6", "--paper", paper.value)
            workbook = load_workbook(path)
            made[paper] = _Report(path, workbook, _sheets(workbook))
        return made[paper]

    return get


PAPERS = [Paper.A4, pytest.param(Paper.A3, marks=pytest.mark.slow)]
"""Each paper; A3 only in the full run."""


def _is_heading(page: _Print, row: int) -> bool:
    return page.sheet.cell(row, 1).value is not None and page.sheet.cell(row, 2).value is None


@pytest.mark.parametrize("paper", PAPERS)
def test_page_setup(printed: Callable[[Paper], _Report], paper: Paper) -> None:
    for page in printed(paper).pages:
        sheet = page.sheet
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == paper.code
        assert not sheet.sheet_properties.pageSetUpPr.fitToPage  # a scale, not shrunk to fit
        assert 0 < page.scale <= 100
        assert sheet.page_setup.pageOrder == "overThenDown"
        assert sheet.print_title_cols == "$A:$B"  # No. and 指標名 on every column page
        assert sheet.print_title_rows == "$4:$4"
        assert all(b.max == 1048575 and b.man for b in sheet.col_breaks.brk)  # down every row
        assert sheet.cell(4, 1).value == "No."  # the print starts at the header row
        headers = [sheet.cell(4, c).value for c in range(1, page.columns[-1][-1] + 1)]
        for columns in page.columns[1:]:  # a year's 実績値・時点・評価 stay on one page
            assert not headers[columns[0] - 1].endswith(("時点", "評価"))


@pytest.mark.parametrize("paper", PAPERS)
def test_text_prints_at_8_pt_or_more(printed: Callable[[Paper], _Report], paper: Paper) -> None:
    width, _ = printable(paper)
    for page in printed(paper).pages:
        titles = sum(page.width(c) for c in range(1, page.title_columns + 1))
        for number, columns in enumerate(page.columns):
            units = sum(page.width(c) for c in columns) + (titles if number else 0)
            assert units * POINTS_PER_UNIT * page.scale / 100 <= width, (page.sheet.title, number)
        sizes = {
            cell.font.sz
            for rows in page.sheet.iter_rows(min_row=page.rows[0][0], max_row=page.rows[-1][-1])
            for cell in rows
            if cell.value is not None
        }
        assert min(sizes) * page.scale / 100 >= MIN_PRINTED_POINTS, (page.sheet.title, sizes, page.scale)


@pytest.mark.parametrize("paper", ["A5", "", "letter"])
def test_an_unknown_paper_is_a_usage_error(paper: str, runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["report", VISION, "--year", "R6", "--paper", paper, "--xlsx", str(out)])
    assert result.exit_code == 2
    assert "--paper" in result.stderr
    assert not out.exists()


@pytest.mark.slow  # prints on A3 too
def test_a3_keeps_more_columns_on_a_page(printed: Callable[[Paper], _Report]) -> None:
    for a4, a3 in zip(printed(Paper.A4).pages, printed(Paper.A3).pages, strict=True):
        assert len(a3.columns[0]) > len(a4.columns[0])
        assert len(a3.columns) <= len(a4.columns)


def test_row_heights_fit_the_longest_text_and_kpi_rows_are_even(printed: Callable[[Paper], _Report]) -> None:
    for page in printed(Paper.A4).pages:
        sheet = page.sheet
        kpi_heights = []
        for row in range(5, page.table_end + 1):
            height = page.height(row)
            needed = 0.0
            for cell in sheet[row]:
                if isinstance(cell.value, str) and cell.alignment.wrap_text:
                    width = page.width(cell.column)
                    if _is_heading(page, row):
                        width = sum(page.width(c) for c in range(1, page.title_columns + 1))
                    lines = text_lines(cell.value, width, True, cell.font.sz)
                    needed = max(needed, lines * line_pitch(cell.font.sz))
            assert needed < height, (sheet.title, row)
            if not _is_heading(page, row):
                assert height >= 2 * line_pitch(10)
                kpi_heights.append((needed, height))
        two_lines = {height for needed, height in kpi_heights if needed <= 2 * line_pitch(10)}
        assert len(two_lines) == 1  # every KPI that needs two lines or fewer: the same height
        assert min(h for _, h in kpi_heights) == min(two_lines)


@pytest.mark.parametrize("paper", PAPERS)
def test_row_breaks(printed: Callable[[Paper], _Report], paper: Paper) -> None:
    _, height = printable(paper)
    for page in printed(paper).pages:
        header = page.height(4)
        for number, rows in enumerate(page.rows):
            used = sum(page.height(r) for r in rows) + (header if number else 0)
            assert used * page.scale / 100 <= height, (page.sheet.title, number)
            assert not _is_heading(page, rows[-1])  # a heading never ends a page
        end = next(rows for rows in page.rows if page.table_end in rows)  # the table's last page
        last = [r for r in end if 5 <= r <= page.table_end and not _is_heading(page, r)]
        assert len(last) >= 2  # at least two KPI rows with the notes
        assert end[-1] > page.table_end + 1  # the first notes are on it (the published texts may follow)


def test_reasons_column_kept_when_a_later_year_has_none(tmp_path: Path, runner: CliRunner) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    actuals = data / "actuals" / f"{VISION}.yaml"
    text = actuals.read_text(encoding="utf-8")
    anchor = "  regional-workers:"
    assert anchor in text
    actuals.write_text(text.replace(anchor, "    R7: {value: 15200, period: R5年度}\n" + anchor, 1), "utf-8")
    out = _report(runner, tmp_path / "r7.xlsx", VISION, "--years", "R5,R6,R7", data=data)
    sheet = load_workbook(out).worksheets[1]
    header = [c.value for c in sheet[4]]
    assert header[-4:] == ["R7\n達成率", "R7\n進捗率", "R7\n見通し", "R6 評価理由（公表）"]
    result = runner.invoke(app, ["evaluate", VISION, "--year", "R6", "--format", "json", "--data", str(data)])
    reasons = {k["name"]: k["official_reason"] for k in json.loads(result.stdout)["kpis"]}
    shown = {row[1].value: row[-1].value for row in sheet.iter_rows(min_row=5) if row[1].value in reasons}
    assert shown == reasons
    assert any(shown.values())


def _wide_word_sizes(pdf: Path) -> list[tuple[str, list[float]]]:
    """Per page: its header text and each full-width word's font size (a wide character is one em)."""
    text = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    pages = []
    for page in text.stdout.split("<page ")[1:]:
        words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', page)
        header = " ".join(w for _, y, _, w in words if float(y) < 45)
        sizes = [
            (float(x1) - float(x0)) / len(word)
            for x0, y, x1, word in words
            if 45 < float(y) < 560
            and len(word) > 1
            and all(unicodedata.east_asian_width(c) in "WF" for c in word)
        ]
        pages.append((header, sizes))
    return pages


@pytest.mark.slow
@pytest.mark.skipif(
    not (shutil.which("libreoffice") and shutil.which("pdftotext")), reason="needs LibreOffice and poppler"
)
def test_libreoffice_prints_the_pages_planned_at_8_pt(
    printed: Callable[[Paper], _Report], tmp_path: Path
) -> None:
    source = printed(Paper.A4).path
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"
    command = [
        "libreoffice",
        profile,
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(tmp_path),
        str(source),
    ]
    subprocess.run(command, capture_output=True, check=True, timeout=180)
    pages = _wide_word_sizes(tmp_path / f"{source.stem}.pdf")
    # A page of rows below the table (the published texts) prints on the first column page only:
    # the others would be blank, and a printing program leaves blank pages out.
    planned = sum(
        len(p.columns) if rows[0] <= p.table_end else 1 for p in printed(Paper.A4).pages for rows in p.rows
    )
    kpi_pages = [
        sizes
        for header, sizes in pages
        if "総括" not in header and not any(k in header for k in ("推移 —", "施策別 —"))
    ]
    assert len(kpi_pages) == planned  # no page added by the printing program
    for sizes in kpi_pages:
        assert sizes
        assert min(sizes) >= MIN_PRINTED_POINTS - 0.05


def test_each_sections_published_texts_print_under_the_table_wrapped(
    printed: Callable[[Paper], _Report],
) -> None:
    """施策分野 1–3's ①KPIの達成状況, <実績>, <課題> of R6, in the data's words, each row as high as its text."""
    from kpitool.model.actuals import paragraphs
    from kpitool.sources.tree import load_data

    narrative = load_data([DATA]).actuals[VISION].actuals.narrative["R6"]
    workbook = printed(Paper.A4).workbook
    sheet = workbook[next(name for name in workbook.sheetnames if name.startswith("第2期久留米"))]
    texts = {row: cell.value for row in range(1, sheet.max_row + 1) if (cell := sheet.cell(row, 3)).value}
    by_text = {value: row for row, value in texts.items()}
    merged = {str(r) for r in sheet.merged_cells.ranges}
    order = []
    for section_id, section in narrative.sections.items():
        assert any(str(v).startswith("施策分野") and v.endswith("— R6 評価") for v in texts.values()), (
            section_id
        )
        for heading, text in section.texts():
            assert heading in by_text
            for paragraph in paragraphs(text):
                row = by_text[paragraph]
                order.append(row)
                cell = sheet.cell(row, 3)
                assert cell.alignment.wrap_text
                width = sum(
                    float(sheet.column_dimensions[get_column_letter(c)].width)
                    for c in range(3, 1 + column_index_from_string(_merged_end(merged, row)))
                )
                assert sheet.row_dimensions[row].height >= text_lines(paragraph, width) * line_pitch(10)
    assert order == sorted(order)


def _merged_end(merged: set[str], row: int) -> str:
    found = [m.split(":")[1] for m in merged if m.startswith(f"C{row}:")]
    assert found, f"row {row} is not merged across the note columns"
    return found[0].rstrip("0123456789")
