"""Fuzz the table reader: only DataError and TableError may escape, whatever the cells hold.

Mutates KPI tables cell by cell (numbers with units and ▲, periods in
brackets, full-width digits, NaN, formulas' cached error values …), adds and
drops rows and columns, renames headers, then either hands the cells to
:func:`parse_kpi_table` as openpyxl would (ints, floats, dates, None), or writes
them as a CSV file (UTF-8, BOM, CP932, with byte damage) and reads it with
:func:`read_csv_rows` first. A table that reads is graded and rendered as JSON
and CSV. Any other exception is a finding.

    python fuzz/fuzz_tables.py --seconds 60
"""

from __future__ import annotations

import csv
import io
import sys
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import Stats, arguments, fuzz, render

from kpitool.problems import DataError
from kpitool.rating.engine import evaluate_plan
from kpitool.sources.table import COLUMNS, TableSource, parse_kpi_table
from kpitool.sources.table_file import TableError, read_csv_rows
from kpitool.values.fiscal_year import fiscal_year_label

# fmt: off
HEADER = [
    "指標ID", "指標名", "単位", "方向", "累計", "基準値", "基準時点", "目標値", "目標時点", "備考",
    "R5", "R6",
]
SEED_ROWS = [
    ["visitors", "観光客数", "人", "増加", "", "1000", "R2年度", "2000", "R7年度", "", "1500", "2100"],
    ["waiting", "待機児童数", "人", "減少", "", "54", "R2年度", "0", "R7年度", "", "", "10"],
    ["members", "登録会員数", "人", "増加", "○", "100", "R2年度", "500", "R7年度", "累計", "300", "250"],
    ["gap", "全国平均との差", "ポイント", "以上", "", "▲2.6", "H30年度", "0", "R7年度", "", "▲1.5", "0.2"],
    ["gdp", "総生産額", "億円", "increase", "", "1兆4,063億円", "", "14,300 (R7年度)", "", "",
     "1兆4,276億円 (R2年度)", ""],
]
CELLS: list[Any] = [
    # text as people type it
    "", " ", "—", "-", "－", "ー", "1,234", "1,23,4", "12.50", "▲2.6", "△0.5", "-2.6", "+3", "１２３",
    "１，２３４",
    "39.3万人", "1万7187人", "1兆4,518億円", "14,063億円", "320,975 百万円", "45万", "100%", "1e5", "1e309",
    "NaN", "inf", "-Infinity", "1..2", "1,2.3", "00012", "9" * 40, "0." + "1" * 40, "123 (R5年度)",
    "123 (R0年度)", "123（H32年度）", "123 (R6年13月)", "123 (", "123 ()", "(R5年度)", "集計中", "約100",
    "=SUM(A1:A2)", "#DIV/0!", "#REF!", "○", "〇", "×", "累計", "yes", "TRUE",
    # periods and directions
    "R5", "R0", "H32", "令和元年度", "H30.10月～R1.9月", "H29～R2", "2200年度", "増加", "減少", "以上",
    "以下", "increase", "sideways",
    # what openpyxl hands over for numbers, dates and empty cells
    None, 0, 1, -1, 10**20, 2**63, 1.5, -0.0, float("nan"), float("inf"), float("-inf"), 1e-320, True, False,
    Decimal("1E+5"), Decimal("NaN"), date(2024, 4, 1), datetime(2025, 3, 31, 12, 0),
]
HEADERS = [alias for aliases in COLUMNS.values() for alias in aliases] + [
    "R4", "R6", "令和6年度", "2024年度", "FY2025", "R0", "H32", "", "メモ", "指標ID",
]
# fmt: on
OPERATIONS = ["cell"] * 6 + ["header", "add-row", "drop-row", "add-column", "drop-column", "duplicate-row"]
OPERATIONS += ["title"]


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[list[Any]], str]:
    """Rows of a mutated table, and how they are handed over: cells, or a CSV in some encoding."""
    rows = [list(HEADER)] + [list(row) for row in draw(st.lists(st.sampled_from(SEED_ROWS), max_size=5))]
    cell = st.sampled_from(CELLS) | st.text(max_size=8)
    for _ in range(draw(st.integers(1, 6))):
        operation = draw(st.sampled_from(OPERATIONS))
        row = draw(st.integers(0, len(rows) - 1))
        width = max(len(r) for r in rows)
        column = draw(st.integers(0, max(width - 1, 0)))
        if operation == "cell" and row and column < len(rows[row]):
            rows[row][column] = draw(cell)
        elif operation == "header" and column < len(rows[0]):
            rows[0][column] = draw(st.sampled_from(HEADERS))
        elif operation == "add-row":
            rows.append([draw(cell) for _ in range(draw(st.integers(0, width + 2)))])
        elif operation == "drop-row" and len(rows) > 1:
            del rows[row]
        elif operation == "add-column":
            for r in rows:
                r.insert(column, draw(cell))
        elif operation == "drop-column":
            for r in rows:
                if column < len(r):
                    del r[column]
        elif operation == "duplicate-row":
            rows.insert(row, list(rows[row]))
        elif operation == "title":
            rows.insert(0, [draw(cell)])
    encoding = draw(st.sampled_from(["cells", "utf-8", "utf-8-sig", "cp932", "damaged"]))
    return rows, encoding


def _csv_bytes(rows: list[list[Any]], encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["" if c is None else str(c) for c in row] for row in rows])
    text = buffer.getvalue()
    if encoding == "cp932":
        return text.encode("cp932", errors="replace")
    if encoding == "damaged":  # a download cut short in the middle of a character
        data = text.encode("utf-8")
        return data[: max(len(data) * 2 // 3, 1)] + b"\x82"
    return text.encode(encoding, errors="surrogatepass")


def target(value: tuple[list[list[Any]], str], stats: Stats) -> None:
    """Read the table as ``kpitool evaluate --table`` does; only DataError and TableError may escape."""
    rows, encoding = value
    try:
        if encoding != "cells":
            with tempfile.TemporaryDirectory() as scratch:
                path = Path(scratch) / "table.csv"
                path.write_bytes(_csv_bytes(rows, encoding))
                rows = read_csv_rows(path)
        source = TableSource("table.csv", lambda r, c: f"row {r + 1}, column {c + 1}")
        plan, actuals = parse_kpi_table(rows, source)
    except DataError as exc:
        stats.count(exc.problems[0].code if exc.problems else "data")
        return
    except TableError:
        stats.count("table-error")
        return
    render([evaluate_plan(plan, actuals, year, fiscal_year_label(year)) for year in (2023, 2024)])
    stats.count("ok")


def _show(value: tuple[list[list[Any]], str]) -> str:
    rows, encoding = value
    return f"encoding: {encoding}\n" + "\n".join(repr(row) for row in rows)


def main() -> int:
    """Fuzz for ``--seconds``; exit 1 if anything but DataError or TableError escaped."""
    options = arguments(__doc__.splitlines()[0])
    return fuzz("tables", tables(), target, _show, options)


if __name__ == "__main__":
    sys.exit(main())
