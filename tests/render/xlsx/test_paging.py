"""The print layout arithmetic: column pages, scale, row blocks and breaks."""

from __future__ import annotations

import pytest

from kpitool.render.xlsx.paging import (
    MIN_PRINTED_POINTS,
    POINTS_PER_UNIT,
    Block,
    Paper,
    column_pages,
    line_pitch,
    printable,
    row_breaks,
    table_blocks,
)

PLAN = [4.5, 24.0, 8.5, 8.5, 10.5, 13.5, 10.5]
"""The plan's columns as the bundled vision sheet sizes them (No., 指標名 … 目標時点)."""
YEAR = [8.5, 10.5, 5.5]
RATES = [9.5, 7.5]
REASONS = [34.0]


def _page_widths(groups: list[list[float]], last_columns: tuple[int, ...], title: int) -> list[float]:
    widths = [w for group in groups for w in group]
    starts = [0, *last_columns[:-1]]
    return [
        sum(widths[start:end]) + (sum(widths[:title]) if start else 0)
        for start, end in zip(starts, last_columns, strict=True)
    ]


def test_printable_area_of_the_papers() -> None:
    a4, a3 = printable(Paper.A4), printable(Paper.A3)
    assert a4[0] == pytest.approx(841.89 - 57.6)
    assert a4[1] == pytest.approx(595.28 - 100.8)
    assert a3[0] > a4[0]
    assert a3[1] > a4[1]
    assert (Paper.A4.code, Paper.A3.code) == (9, 8)  # SpreadsheetML paperSize


def test_a_narrow_sheet_prints_on_one_page_at_100_percent() -> None:
    pages = column_pages([PLAN, RATES], 2, Paper.A4, 9)
    assert pages.last_columns == (len(PLAN) + len(RATES),)
    assert pages.scale == 100


@pytest.mark.parametrize("paper", list(Paper))
@pytest.mark.parametrize("years", [1, 3, 5, 8])
def test_wide_sheets_are_cut_at_group_boundaries_and_print_at_8_pt(paper: Paper, years: int) -> None:
    groups = [PLAN, *[YEAR] * years, RATES, REASONS]
    pages = column_pages(groups, 2, paper, smallest_font=9)
    boundaries = {sum(len(g) for g in groups[: n + 1]) for n in range(len(groups))}
    assert set(pages.last_columns) <= boundaries  # no group is cut
    assert pages.last_columns[-1] == sum(len(g) for g in groups)
    widths = _page_widths(groups, pages.last_columns, 2)
    assert list(pages.widths) == pytest.approx(widths)
    assert max(widths) * POINTS_PER_UNIT * pages.scale / 100 <= printable(paper)[0]
    assert 9 * pages.scale / 100 >= MIN_PRINTED_POINTS
    assert pages.scale <= 100


def test_a3_keeps_more_columns_per_page_than_a4() -> None:
    groups = [PLAN, YEAR, YEAR, YEAR, RATES, REASONS]
    a4 = column_pages(groups, 2, Paper.A4, 9)
    a3 = column_pages(groups, 2, Paper.A3, 9)
    assert a3.last_columns[0] > a4.last_columns[0]
    assert a3.scale >= a4.scale


def test_line_pitch_leaves_room_for_the_measured_font() -> None:
    assert line_pitch(10) >= 14.5  # Noto Sans CJK, as LibreOffice prints 10 pt
    assert line_pitch(9) >= 13.0


def test_blocks_keep_a_heading_with_its_first_kpi_and_the_last_two_kpis_with_the_notes() -> None:
    table = [(20.0, True), (36.0, False), (36.0, False), (20.0, True), (36.0, False), (52.0, False)]
    blocks = table_blocks([40.0], table, [8.0, 18.0, 18.0])
    assert [b.rows for b in blocks] == [1, 2, 1, 3, 2, 1]
    assert blocks[1].section == pytest.approx(20 + 36 + 36)  # the whole first section
    tail = blocks[3]
    assert tail.height == pytest.approx(20 + 36 + 52)  # the last heading and the last two KPIs
    assert tail.whole
    assert tail.section == pytest.approx(tail.height + 8 + 18 + 18)  # … kept whole with the notes
    assert sum(b.rows for b in blocks) == 1 + len(table) + 3


def test_a_heading_before_the_last_two_kpis_joins_them() -> None:
    table = [(20.0, True), (36.0, False), (20.0, True), (36.0, False)]
    blocks = table_blocks([40.0], table, [8.0, 18.0])
    assert [b.rows for b in blocks] == [1, len(table), 2]  # nothing is left to print alone


def _pages(breaks: list[int], first_row: int, blocks: list[Block]) -> list[list[Block]]:
    pages: list[list[Block]] = [[]]
    row = first_row
    for block in blocks:
        if breaks and row - 1 in breaks and pages[-1]:
            pages.append([])
        pages[-1].append(block)
        row += block.rows
    return pages


def test_row_breaks_never_cut_a_block_and_fill_each_page() -> None:
    kpi = 40.0
    table = [(20.0, True)] + [(kpi, False)] * 30
    blocks = table_blocks([40.0], table, [8.0, 18.0, 18.0])
    breaks = row_breaks(4, blocks, 40.0, Paper.A4, 95)
    room = printable(Paper.A4)[1] * 100 / 95
    pages = _pages(breaks, 4, blocks)
    assert len(pages) == len(breaks) + 1 > 1
    for number, page in enumerate(pages):
        used = sum(b.height for b in page) + (40.0 if number else 0)
        assert used <= room
        if number < len(pages) - 1:  # the next block would not have fitted
            assert used + pages[number + 1][0].height > room * 0.98
    assert sum(b.rows for b in pages[-1]) >= 2 + 3  # two KPI rows, a blank and the notes
    assert any(b.whole for b in pages[-1])  # the last two KPI rows


def test_a_section_that_would_be_cut_starts_a_new_page() -> None:
    first = [(20.0, True)] + [(60.0, False)] * 5  # 320 pt
    second = [(20.0, True)] + [(60.0, False)] * 4  # 260 pt: does not fit under the first
    blocks = table_blocks([40.0], first + second + [(60.0, False)] * 2, [8.0])
    breaks = row_breaks(4, blocks, 40.0, Paper.A4, 100)
    assert breaks[0] == 4 + len(first)  # the page ends before the second heading


def test_the_last_rows_and_the_notes_start_a_page_when_they_would_be_cut() -> None:
    room = printable(Paper.A4)[1]
    table = [(40.0, False)] * 10  # 400 pt of the page's 494
    blocks = table_blocks([40.0], table, [8.0, 60.0, 60.0])
    breaks = row_breaks(4, blocks, 40.0, Paper.A4, 100)
    assert room < 40.0 + 400 + 8 + 120  # the last page would hold no KPI row
    assert breaks == [4 + 8]  # the last two KPIs go with the notes


def test_notes_taller_than_a_page_follow_the_last_rows() -> None:
    notes = [8.0] + [40.0] * 14  # 568 pt: more than a page
    blocks = table_blocks([40.0], [(40.0, False)] * 6, notes)
    breaks = row_breaks(4, blocks, 40.0, Paper.A4, 100)
    pages = _pages(breaks, 4, blocks)
    assert len(pages) == 2
    assert pages[0][-1].rows == 1  # the notes are cut between two notes …
    assert any(b.whole for b in pages[0])  # … after the last KPI rows, not before them
