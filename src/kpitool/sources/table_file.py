"""Table files → cells → a plan: CSV read here, .xlsx through :mod:`kpitool.sources.workbook`.

:func:`read_table` is what ``--table`` reads: the file's cells, then
:func:`~kpitool.sources.table.parse_kpi_table`. CSV is UTF-8 (a BOM allowed) or CP932,
as Japanese Excel saves it, bounded like every input (:mod:`kpitool.sources.safe_read`).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from kpitool.errors import KpitoolError
from kpitool.model.actuals import ActualsFile
from kpitool.model.plan import Plan
from kpitool.sources.safe_read import FileRefused, read_bounded
from kpitool.sources.table import TableSource, parse_kpi_table
from kpitool.values.text import HIDDEN_CHARACTER, describe_hidden

__all__ = [
    "MAX_TABLE_COLUMNS",
    "MAX_TABLE_ROWS",
    "TABLE_SUFFIXES",
    "TableError",
    "read_csv_rows",
    "read_table",
]

MAX_TABLE_ROWS = 100_000
"""Most rows read from a CSV table; a KPI table has a few hundred."""

MAX_TABLE_COLUMNS = 1_000
"""Most cells in one CSV row."""

# Control characters other than tab and line breaks: never in a text table (C1 ones
# come from bytes misread as CP932), and echoed in a message they rewrite the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


TABLE_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt")
"""The file name endings a table may have: a workbook, or CSV text."""


class TableError(KpitoolError, ValueError):
    """The file cannot be read as a table at all (encoding, format)."""


def _decode_csv(raw: bytes, name: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_failed_at = exc.start
    try:
        return raw.decode("cp932")  # what Japanese Excel writes for "CSV"
    except UnicodeDecodeError as exc:
        # The encoding that read further is the one the file was meant to be in.
        line = raw.count(b"\n", 0, max(exc.start, utf8_failed_at)) + 1
        raise TableError(
            f"{name}: line {line}: neither UTF-8 nor CP932 (Shift_JIS); save as UTF-8 CSV"
        ) from None


def _control_character(text: str, name: str) -> None:
    found = HIDDEN_CHARACTER.search(text)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        char = found.group()
        if _CONTROL.match(char):
            raise TableError(
                f"{name}: line {line}: holds the control character U+{ord(char):04X}; not a text CSV file"
            )
        raise TableError(f"{name}: line {line}: holds {describe_hidden(char)}; remove it")


def read_csv_rows(path: Path) -> list[list[Any]]:
    """Read a CSV file (UTF-8, UTF-8 with BOM, or CP932) into rows of text cells.

    Bounded: at most :data:`~kpitool.sources.safe_read.MAX_FILE_BYTES`, :data:`MAX_TABLE_ROWS` rows and
    :data:`MAX_TABLE_COLUMNS` cells a row (empty cells at a row's end are dropped).
    """
    try:
        raw = read_bounded(path)
    except FileRefused as refused:
        raise TableError(f"{path}: {refused.describe()}") from None
    if raw[:4] == b"PK\x03\x04":
        raise TableError(f"{path}: looks like an Excel workbook; name it .xlsx")
    if raw[:4] == b"\xd0\xcf\x11\xe0":
        raise TableError(f"{path}: is an Excel .xls or password-protected workbook, not a CSV file")
    text = _decode_csv(raw, str(path))
    _control_character(text, str(path))
    rows: list[list[Any]] = []
    try:
        for line, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            while row and not row[-1].strip():
                row.pop()
            if len(row) > MAX_TABLE_COLUMNS:
                raise TableError(
                    f"{path}: line {line}: {len(row):,} cells, over the {MAX_TABLE_COLUMNS:,} cell limit"
                )
            if len(rows) >= MAX_TABLE_ROWS:
                raise TableError(f"{path}: more than {MAX_TABLE_ROWS:,} rows; a KPI table has a few hundred")
            rows.append(row)
    except csv.Error as exc:
        raise TableError(f"{path}: not a readable CSV file: {exc}") from None
    return rows


def read_table(path: Path) -> tuple[Plan, ActualsFile]:
    """Read a flat KPI table file into a plan and its actuals: .xlsx/.xlsm as a workbook, else CSV.

    Raises :class:`TableError` or :class:`~kpitool.sources.workbook.WorkbookError` when the
    file cannot be read as a table, :class:`~kpitool.problems.DataError` listing every
    unreadable cell.
    """
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from kpitool.sources.workbook import cell_name, read_first_sheet

        sheet, rows = read_first_sheet(path)
        source = TableSource(str(path), lambda r, c: cell_name(sheet, r, c))
    else:
        rows = read_csv_rows(path)
        source = TableSource(str(path), lambda r, c: f"row {r + 1}, column {c + 1}")
    return parse_kpi_table(rows, source)
