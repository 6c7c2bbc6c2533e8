"""Read cells out of .xlsx files (the openpyxl side of table input and form import).

Formulas are never evaluated: cells are read with ``data_only=True``, which
gives the value Excel cached when it last saved the file. A formula with no
cached value (a file written by a script, never opened in Excel) is refused,
and so is what would make the values read differ from what a person sees:
hidden rows or columns that hold values, merged cells, and error values
(``#REF!``). Sizes are capped before anything is parsed: the file, the
unpacked archive (a zip bomb) and the rows read.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from kpitool.errors import KpitoolError
from kpitool.problems import DataError, Problem
from kpitool.sources.safe_read import FileRefused, read_bounded
from kpitool.support.optional import without
from kpitool.values.text import describe_hidden, hidden_character

__all__ = [
    "MAX_SHEET_COLUMNS",
    "MAX_SHEET_ROWS",
    "MAX_UNPACKED_BYTES",
    "WorkbookError",
    "cell_formats",
    "cell_name",
    "open_workbook",
    "read_first_sheet",
    "sheet_rows",
]

MAX_UNPACKED_BYTES = 100 * 1024 * 1024
"""Largest total size of the workbook's unpacked parts: a few KiB can unpack to gigabytes."""

MAX_SHEET_ROWS = 100_000
"""Most rows read from one sheet; a KPI table or form has a few hundred."""

MAX_SHEET_COLUMNS = 1_000
"""Most columns read from one sheet (Excel allows 16,384)."""

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # encrypted .xlsx and legacy .xls are OLE compound files
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


class WorkbookError(KpitoolError, ValueError):
    """The file is not a workbook we can read; the message says why."""


def cell_name(sheet: str, row: int, column: int) -> str:
    """``Sheet1!D3`` for 0-based row and column indices."""
    with without("numpy"):  # kpitool.support.optional
        from openpyxl.utils import get_column_letter

    return f"{sheet}!{get_column_letter(column + 1)}{row + 1}"


def _check_archive(path: Path) -> None:
    """Refuse a damaged zip or one that unpacks to more than :data:`MAX_UNPACKED_BYTES`."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise WorkbookError(
            f"{path}: is a damaged .xlsx workbook (the zip archive is corrupt: {exc})"
        ) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookError(
            f"{path}: unpacks to {unpacked // 1048576:,} MiB, over the "
            f"{MAX_UNPACKED_BYTES // 1048576} MiB limit (a zip bomb, or far more than a KPI table)"
        )


def open_workbook(path: Path) -> Any:
    """Open an .xlsx read-only with cached values; :class:`WorkbookError` with a reason otherwise."""
    try:
        head = read_bounded(path, head=8)
    except FileRefused as refused:
        raise WorkbookError(f"{path}: {refused.describe('workbook')}") from None
    if head.startswith(_OLE_MAGIC):
        raise WorkbookError(
            f"{path}: is password-protected or an old .xls workbook; save it unprotected as .xlsx"
        )
    if not head.startswith(b"PK"):
        raise WorkbookError(f"{path}: is not an .xlsx workbook (not a zip file; a CSV named .xlsx?)")
    _check_archive(path)
    with without("numpy"):  # kpitool.support.optional
        from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise WorkbookError(
            f"{path}: is not a readable .xlsx workbook ({type(exc).__name__}: {exc})"
        ) from None
    except Exception as exc:  # openpyxl raises assorted errors on damaged parts
        raise WorkbookError(f"{path}: is a damaged .xlsx workbook ({type(exc).__name__})") from None


@dataclass
class _Layout:
    """What the sheet's XML says beyond the values: hidden, merged, formulas, errors."""

    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)
    merged: list[str] = field(default_factory=list)
    uncached: list[tuple[int, int, str]] = field(default_factory=list)
    """Formulas with no cached value: (row, column) 1-based and the formula."""
    errors: list[tuple[int, int, str]] = field(default_factory=list)
    """Cells holding an error value (#REF!, #DIV/0! …)."""


def _coordinate(ref: str | None, row: int, column: int) -> tuple[int, int]:
    """(row, column) of a cell's ``r`` attribute (``F12``); the running position when it is absent."""
    if not ref:
        return row, column + 1
    with without("numpy"):  # kpitool.support.optional
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    try:
        letters, number = coordinate_from_string(ref)
        return number, column_index_from_string(letters)
    except ValueError:
        return row, column + 1


def _scan(path: Path, part: str) -> _Layout:
    """Stream the sheet's XML once; elements are cleared as they end, so memory stays flat."""
    layout = _Layout()
    row = column = 0
    with zipfile.ZipFile(path) as archive, archive.open(part.lstrip("/")) as stream:
        # openpyxl parses the same XML with the same parser; expat >= 2.4.1 caps entity
        # expansion (billion laughs) and ElementTree never fetches external entities.
        for _event, element in ElementTree.iterparse(stream):  # noqa: S314
            tag = element.tag
            if tag == _MAIN + "c":
                row, column = _coordinate(element.get("r"), row, column)
                formula = element.find(_MAIN + "f")
                cached = element.findtext(_MAIN + "v")
                if formula is not None and not cached:
                    layout.uncached.append((row, column, formula.text or "(shared formula)"))
                if element.get("t") == "e":
                    layout.errors.append((row, column, cached or "#ERROR"))
                element.clear()
            elif tag == _MAIN + "row":
                row = int(element.get("r") or row + 1)
                column = 0
                if element.get("hidden") in ("1", "true"):
                    layout.hidden_rows.add(row)
                element.clear()
            elif tag == _MAIN + "col" and element.get("hidden") in ("1", "true"):
                first, last = int(element.get("min", "1")), int(element.get("max", "1"))
                layout.hidden_columns.update(range(first, min(last, 16384) + 1))
            elif tag == _MAIN + "mergeCell":
                layout.merged.append(element.get("ref", "?"))
    return layout


def _has_value(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def _layout_problems(path: Path, title: str, rows: list[list[Any]], layout: _Layout) -> list[Problem]:
    problems: list[Problem] = []

    def add(row: int, column: int, message: str, ref: str = "") -> None:  # 1-based
        ref = ref or cell_name(title, row - 1, column - 1).split("!")[1]
        problems.append(Problem(str(path), row, column, "", f"{title}!{ref}: {message}", code="table"))

    for ref in layout.merged:
        row, column = _coordinate(ref.split(":")[0], 1, 0)
        add(row, column, "merged cells; unmerge them so that each cell holds its own value", ref)
    for row in sorted(layout.hidden_rows):
        if row <= len(rows) and any(_has_value(v) for v in rows[row - 1]):
            add(row, 1, f"row {row} is hidden but holds values; unhide it or delete it")
    for column in sorted(layout.hidden_columns):
        holding = [i for i, r in enumerate(rows, 1) if column <= len(r) and _has_value(r[column - 1])]
        if holding:
            add(holding[0], column, "the column is hidden but holds values; unhide it or delete it")
    for row, column, formula in layout.uncached:
        add(
            row,
            column,
            f"formula ={formula} has no saved value (kpitool never calculates formulas); "
            "open and save the file in Excel, or type the value",
        )
    for row, column, error in layout.errors:
        add(row, column, f"the cell shows the error {error}; fix the formula or type the value")
    return problems


def sheet_rows(path: Path, sheet: Any) -> list[list[Any]]:
    """The rows of cell values of one sheet of a workbook from :func:`open_workbook`.

    Formulas read as the values Excel cached. Raises :class:`WorkbookError` for
    a sheet over :data:`MAX_SHEET_ROWS` rows, and
    :class:`~kpitool.problems.DataError` naming each merged range, hidden row
    or column holding values, formula without a cached value and error value.
    """
    part = getattr(sheet, "_worksheet_path", None)
    if part is None:  # pragma: no cover - openpyxl names the sheet's part in read-only mode
        raise WorkbookError(f"{path}: cannot locate sheet {sheet.title!r} in the workbook")
    try:
        rows = _cell_rows(path, sheet)
        layout = _scan(path, part)
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, ValueError, TypeError) as exc:
        # The sheet's XML is damaged: a duplicate attribute, an undefined entity, an invalid
        # character reference (&#1;), as openpyxl's parser or ours meets it.
        raise WorkbookError(f"{path}: sheet {sheet.title!r} is damaged ({_reason(exc)})") from None
    problems = _layout_problems(path, sheet.title, rows, layout)
    if problems:
        raise DataError(problems)
    return rows


def _reason(exc: Exception) -> str:
    """What is wrong with a damaged part: the XML parser's words (with its line and column)."""
    if isinstance(exc, ElementTree.ParseError):
        return f"invalid XML: {exc}"
    return type(exc).__name__


def _cell_rows(path: Path, sheet: Any) -> list[list[Any]]:
    """The sheet's cell values row by row, within :data:`MAX_SHEET_ROWS` and :data:`MAX_SHEET_COLUMNS`."""
    sheet.reset_dimensions()  # the stored dimension may claim A1:XFD1048576; count real cells
    rows: list[list[Any]] = []
    for row in sheet.iter_rows(values_only=True):
        if len(rows) >= MAX_SHEET_ROWS:
            raise WorkbookError(
                f"{path}: sheet {sheet.title!r} has more than {MAX_SHEET_ROWS:,} rows; "
                "a KPI table has a few hundred"
            )
        cells = list(row)
        while cells and cells[-1] is None:  # formatting alone pads rows far to the right
            cells.pop()
        if len(cells) > MAX_SHEET_COLUMNS:
            name = cell_name(sheet.title, len(rows), len(cells) - 1)
            raise WorkbookError(f"{path}: {name}: a value beyond column {MAX_SHEET_COLUMNS:,}")
        rows.append(cells)
    return rows


def cell_formats(sheet: Any) -> dict[tuple[int, int], str]:
    """The number format (表示形式) of each cell that holds a value and is not ``General``.

    Keys are 0-based (row, column), as in :func:`sheet_rows`, whose limits this read shares: call
    it on a sheet :func:`sheet_rows` has read.
    """
    formats: dict[tuple[int, int], str] = {}
    for r, row in enumerate(sheet.iter_rows(max_row=MAX_SHEET_ROWS)):
        for c, cell in enumerate(row[:MAX_SHEET_COLUMNS]):
            code = getattr(cell, "number_format", None) if cell.value is not None else None
            if code and code != "General":
                formats[(r, c)] = code
    return formats


def read_first_sheet(path: Path) -> tuple[str, list[list[Any]]]:
    """The first visible worksheet's title and its rows of cell values (formulas as cached values)."""
    workbook = open_workbook(path)
    try:
        visible = [s for s in workbook.worksheets if getattr(s, "sheet_state", "visible") == "visible"]
        if not visible:
            raise WorkbookError(f"{path}: has no visible worksheet")
        sheet = visible[0]
        rows = sheet_rows(path, sheet)
    finally:
        workbook.close()
    hidden = [
        Problem(
            str(path),
            r,
            c,
            "",
            f"{cell_name(sheet.title, r - 1, c - 1)}: holds {describe_hidden(char)}; remove it",
        )
        for r, row in enumerate(rows, 1)
        for c, value in enumerate(row, 1)
        if isinstance(value, str) and (char := hidden_character(value))
    ]
    if hidden:
        raise DataError(hidden)
    return sheet.title, rows
