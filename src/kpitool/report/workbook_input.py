"""Read cells out of .xlsx files (the openpyxl side of table input and form import).

Formulas are never evaluated: cells are read with ``data_only=True``, which
gives the value Excel cached when it last saved the file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

__all__ = ["WorkbookError", "cell_name", "open_workbook", "read_first_sheet"]

MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
"""Largest workbook read."""

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # encrypted .xlsx and legacy .xls are OLE compound files


class WorkbookError(ValueError):
    """The file is not a workbook we can read; the message says why."""


def cell_name(sheet: str, row: int, column: int) -> str:
    """``Sheet1!D3`` for 0-based row and column indices."""
    from openpyxl.utils import get_column_letter

    return f"{sheet}!{get_column_letter(column + 1)}{row + 1}"


def open_workbook(path: Path) -> Any:
    """Open an .xlsx read-only with cached values; :class:`WorkbookError` with a reason otherwise."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as stream:
            head = stream.read(8)
    except IsADirectoryError:
        raise WorkbookError(f"{path}: is a directory, not a workbook") from None
    except OSError as exc:
        raise WorkbookError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if size > MAX_WORKBOOK_BYTES:
        raise WorkbookError(f"{path}: file is {size // 1048576} MiB, over the 20 MiB limit")
    if head.startswith(_OLE_MAGIC):
        raise WorkbookError(
            f"{path}: is password-protected or an old .xls workbook; save it unprotected as .xlsx"
        )
    if not zipfile.is_zipfile(path):
        raise WorkbookError(f"{path}: is not an .xlsx workbook (not a zip file; a CSV named .xlsx?)")
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise WorkbookError(
            f"{path}: is not a readable .xlsx workbook ({type(exc).__name__}: {exc})"
        ) from None
    except Exception as exc:  # openpyxl raises assorted errors on damaged parts
        raise WorkbookError(f"{path}: is a damaged .xlsx workbook ({type(exc).__name__})") from None


def read_first_sheet(path: Path) -> tuple[str, list[list[Any]]]:
    """The first worksheet's title and its rows of cell values (formulas as cached values)."""
    workbook = open_workbook(path)
    try:
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        return sheet.title, rows
    finally:
        workbook.close()
