"""The xlsx toolkit the workbooks are made with: styled write-only cells, sheets, print setup, saving.

Workbooks are written in openpyxl's write-only mode with each distinct cell
look styled once per workbook (:class:`Cells`), so a report of a hundred plans
stays fast; their rows go straight to the writer (:class:`_CellSheet`).
:func:`workbook_bytes` gives a workbook's bytes with every time stamp fixed
(see :mod:`kpitool.render.xlsx.deterministic`); :func:`save_workbook` writes
them atomically.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import unicodedata
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties

from kpitool.rating.schemes.base import Scheme
from kpitool.render.style import FORMULA_STARTS, TONE_COLOURS, Tone, grade_tone
from kpitool.render.xlsx.deterministic import DEFAULT_EPOCH, deterministic_xlsx, saved_uncompressed
from kpitool.render.xlsx.paging import MARGIN_SIDE, MARGIN_TOP, ColumnPages, Paper
from kpitool.render.xlsx.prewritten import deferred
from kpitool.support.safe_write import write_bytes_atomic

__all__ = [
    "CENTER",
    "FONT_NAME",
    "HEADER",
    "MISSING",
    "NOTE",
    "NUMBER",
    "PERCENT",
    "PLAIN",
    "REASON",
    "SECTION",
    "SUBTITLE",
    "TEXT",
    "TITLE",
    "WRAP",
    "WRAP_CENTER",
    "WRAP_RIGHT",
    "Cells",
    "Look",
    "add_sheet",
    "display_width",
    "excel_number",
    "grade_look",
    "new_workbook",
    "number_format",
    "prepare_sheet",
    "print_pages",
    "row_height",
    "save_workbook",
    "sheet_name",
    "text_lines",
    "workbook_bytes",
]

FONT_NAME = "游ゴシック"
"""The workbook font: Excel's Japanese default (Yu Gothic); other systems substitute a CJK font."""

_TONE_FONT = {Tone.GOOD: "006100", Tone.FAIR: "9C5700", Tone.POOR: "9C0006", Tone.NONE: "595959"}
"""Font colours Excel pairs with the good / neutral / bad fills of :data:`TONE_COLOURS`."""

_HEADER_FILL = "D9E1F2"
_SECTION_FILL = "F2F2F2"
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_LAST_ROW = 1048575
_SHEET_NAME_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})


# --------------------------------------------------------------------------- #
# Cells


@dataclass(frozen=True, eq=False)
class Look:
    """How a cell looks: font, fill, border, alignment, number format, protection.

    Compared by identity (cheap to hash per cell): keep looks as constants, and
    derive variants with :meth:`with_format` / :meth:`quoted`, which are memoised.
    """

    bold: bool = False
    size: float = 10
    colour: str | None = None
    fill: str | None = None
    border: bool = False
    align: str | None = None
    wrap: bool = False
    number_format: str = "General"
    locked: bool = True
    quote: bool = False
    """Excel's quote prefix: typed-over text stays text (never becomes a formula)."""

    def with_format(self, number_format: str) -> Look:
        """The same look with another number format (one object per format)."""
        return _variant(self, "number_format", number_format)

    def quoted(self) -> Look:
        """The same look with the quote prefix."""
        return _variant(self, "quote", True)


_VARIANTS: dict[tuple[Look, str, object], Look] = {}


def _variant(look: Look, name: str, value: object) -> Look:
    key = (look, name, value)
    found = _VARIANTS.get(key)
    if found is None:
        found = _VARIANTS[key] = dataclasses.replace(look, **{name: value})  # type: ignore[arg-type]
    return found


_MAX_TEXT = 32767  # Excel's limit for one cell


_WORKBOOK_STYLES: weakref.WeakKeyDictionary[Workbook, dict[Look, Any]] = weakref.WeakKeyDictionary()
"""Per workbook, the style of each :class:`Look` (style ids belong to the workbook, not a sheet)."""


class Cells:
    """Makes styled write-only cells for one sheet; each distinct :class:`Look` is styled once per workbook.

    Text is always written as text (data type ``s``): openpyxl would otherwise
    turn a value starting with ``=`` into a live formula and ``#N/A`` into an
    error. Text starting with = + - @ (or a tab or line break, see
    :data:`~kpitool.render.style.FORMULA_STARTS`) also gets the quote prefix, so editing
    the cell in Excel keeps it text. Characters XML cannot hold are dropped.
    """

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self._styles = _WORKBOOK_STYLES.setdefault(sheet.parent, {})

    def _style(self, look: Look) -> Any:
        style = self._styles.get(look)
        if style is None:
            proto = Cell(self.sheet, row=1, column=1)
            proto.font = Font(name=FONT_NAME, size=look.size, bold=look.bold, color=look.colour, charset=128)
            if look.fill:
                proto.fill = PatternFill("solid", start_color=look.fill, end_color=look.fill)
            if look.border:
                proto.border = _BOX
            proto.alignment = Alignment(horizontal=look.align, vertical="center", wrap_text=look.wrap or None)
            proto.number_format = look.number_format
            if not look.locked:
                proto.protection = Protection(locked=False)
            if look.quote:
                proto.quotePrefix = True
            style = self._styles[look] = proto._style  # type: ignore[attr-defined]
        return style

    def __call__(self, value: str | int | float | Decimal | None, look: Look) -> Cell:
        """A cell holding ``value`` with ``look``."""
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)[:_MAX_TEXT]
            if value.startswith(FORMULA_STARTS) and not look.quote:
                look = look.quoted()
            cell = Cell(self.sheet, row=1, column=1, style_array=self._style(look))
            # Bound directly: the value setter would make "=…" a formula and "#N/A" an error.
            cell._value = value  # type: ignore[attr-defined]
            cell.data_type = "s"
            return cell
        cell = Cell(self.sheet, row=1, column=1, style_array=self._style(look))
        if isinstance(value, Decimal):
            cell._value = excel_number(value)  # type: ignore[attr-defined]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            cell._value = value  # type: ignore[attr-defined]
        elif value is not None:
            cell.value = value
        return cell


def excel_number(value: Decimal) -> int | float:
    """A Decimal as the number Excel stores: int when whole, else the nearest float."""
    return int(value) if value == value.to_integral_value() else float(value)


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return min(-exponent, 10) if isinstance(exponent, int) and exponent < 0 else 0


def number_format(value: Decimal, suffix: str = "") -> str:
    """``#,##0.00`` with the decimals as written; ``suffix`` (e.g. `` (R4年度)``) shown after the number."""
    places = _places(value)
    fmt = "#,##0" + ("." + "0" * places if places else "")
    if suffix:
        fmt += '"' + suffix.replace('"', "'") + '"'
    return fmt


def display_width(text: str) -> int:
    """Width of text in Excel column units: East Asian wide characters count twice."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def sheet_name(wanted: str, used: set[str]) -> str:
    """A valid, unused sheet name: no []:*?/\\, at most 31 characters, ``(2)`` added if taken."""
    base = " ".join(wanted.translate(_SHEET_NAME_BAD).split()).strip("'") or "Sheet"
    name, number = base[:31], 1
    while name.casefold() in used:
        number += 1
        tail = f"({number})"
        name = base[: 31 - len(tail)] + tail
    used.add(name.casefold())
    return name


class _CellSheet(WriteOnlyWorksheet):
    """A write-only sheet whose rows hold only cells made by :class:`Cells`.

    openpyxl's own row path first tries each cell as a value (which fails with
    an exception whose message formats the cell) and then allocates a spare
    cell: about 15% of a report's writing time. Here the cells go to the
    writer as they are. Should openpyxl stop calling this hook, its own path
    writes the same bytes, only slower.
    """

    def _values_to_row(self, values: Iterable[Cell], row_idx: int) -> Iterator[Cell]:
        for column, cell in enumerate(values, start=1):
            if not isinstance(cell, Cell):
                raise TypeError(f"a report row holds cells made by Cells, not {type(cell).__name__}")
            cell.column = column
            cell.row = row_idx
            yield cell


def add_sheet(workbook: Workbook, title: str) -> Any:
    """A new last sheet of ``workbook`` (made by :func:`new_workbook`), for rows of :class:`Cells` cells."""
    sheet = _CellSheet(parent=workbook, title=title)
    workbook._add_sheet(sheet)  # type: ignore[attr-defined]  # what Workbook.create_sheet does
    return sheet


def new_workbook() -> Workbook:
    """A write-only workbook whose default font is :data:`FONT_NAME` (empty cells included)."""
    workbook = Workbook(write_only=True)
    # Font 0 is every unstyled cell's font and the Normal style's; make it Japanese.
    fonts = IndexedList([Font(name=FONT_NAME, size=10, charset=128, family=3)])
    workbook._fonts = fonts  # type: ignore[attr-defined]
    return workbook


def prepare_sheet(
    sheet: Any,
    widths: Sequence[float],
    *,
    header_row: int,
    freeze: str | None,
    title: str,
    subtitle: str = "",
    paper: Paper = Paper.A4,
) -> None:
    """Column widths, frozen panes and print settings; call before the first row is appended.

    ``paper`` landscape, fitted to one page wide (see :func:`print_pages` for column pages),
    ``header_row`` repeated on every page, the title in the page header, page numbers in the
    footer.
    """
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    if freeze:
        sheet.freeze_panes = freeze
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = paper.code
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = MARGIN_SIDE
    sheet.page_margins.top = sheet.page_margins.bottom = MARGIN_TOP
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    if header_row:
        sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.oddHeader.center.text = title.replace("&", "&&")
    sheet.oddHeader.center.size = 10
    if subtitle:
        sheet.oddHeader.right.text = subtitle.replace("&", "&&")
        sheet.oddHeader.right.size = 9
    sheet.oddFooter.center.text = "&P / &N"
    sheet.oddFooter.center.size = 9


def print_pages(sheet: Any, pages: ColumnPages, footer: tuple[str, str] = ("", "")) -> None:
    """Print ``sheet`` (set up by :func:`prepare_sheet`) at the scale of ``pages``, not fitted:
    cut into their column pages (left to right, then down), their title columns repeated on
    each, pages left-aligned; ``footer`` texts at the left and right of the page footer."""
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
    sheet.page_setup.fitToWidth = sheet.page_setup.fitToHeight = None
    sheet.page_setup.scale = pages.scale
    sheet.page_setup.pageOrder = "overThenDown"
    sheet.print_options.horizontalCentered = None
    for column in pages.last_columns[:-1]:
        sheet.col_breaks.append(Break(id=column, max=_LAST_ROW))  # a break down every row
    if pages.title_columns:
        sheet.print_title_cols = f"A:{get_column_letter(pages.title_columns)}"
    for part, text in zip((sheet.oddFooter.left, sheet.oddFooter.right), footer, strict=True):
        if text:
            part.text = text.replace("&", "&&")
            part.size = 9


def workbook_bytes(workbook: Workbook, when: datetime = DEFAULT_EPOCH) -> bytes:
    """The saved workbook with every time stamp fixed to ``when`` (byte-identical for the same content)."""
    with deferred(workbook) as parts:
        saved = saved_uncompressed(workbook)
    return deterministic_xlsx(saved, when, parts)


def save_workbook(workbook: Workbook, target: Path, when: datetime = DEFAULT_EPOCH) -> None:
    """Save :func:`workbook_bytes` atomically to ``target``.

    Raises :class:`~kpitool.support.safe_write.WriteError` when ``target`` cannot be
    written; an existing file is then left untouched.
    """
    write_bytes_atomic(target, workbook_bytes(workbook, when))


def text_lines(text: str, width: float, wrap: bool = True, size: float = 10) -> int:
    """How many lines ``text`` at ``size`` pt takes in a column ``width`` units wide (wrapped, or only at
    newlines); a wide character counts two units at 10 pt."""
    parts = text.split("\n")
    if not wrap:
        return len(parts)
    room = max(width - 1.0, 1.0)
    return sum(max(1, math.ceil(display_width(part) * size / 10 / room)) for part in parts)


def row_height(lines: float) -> float | None:
    """The height (points) of a row whose tallest cell needs ``lines`` lines of 13.5 pt; None for one line.

    Set explicitly because LibreOffice, unlike Excel, does not grow a written row to fit wrapped text.
    """
    return lines * 13.5 + 3 if lines > 1.1 else None


# --------------------------------------------------------------------------- #
# Shared looks

TEXT = Look(border=True)
WRAP = Look(border=True, wrap=True)
WRAP_CENTER = Look(border=True, wrap=True, align="center")
WRAP_RIGHT = Look(border=True, wrap=True, align="right")
REASON = Look(border=True, wrap=True, size=9)
CENTER = Look(border=True, align="center")
NUMBER = Look(border=True, align="right")
MISSING = Look(border=True, align="center", colour="808080")
HEADER = Look(bold=True, fill=_HEADER_FILL, border=True, align="center", wrap=True)
TITLE = Look(bold=True, size=14)
SUBTITLE = Look(size=10, colour="404040")
NOTE = Look(size=9, colour="404040")
SECTION = Look(bold=True, fill=_SECTION_FILL, border=True)
PERCENT = Look(border=True, align="right", number_format="#,##0.0%")
PLAIN = Look()


def grade_look(scheme: Scheme, symbol: str, *, size: float = 10, wrap: bool = False) -> Look:
    """The fill and font colour of a grade, matching the terminal table's colours."""
    return _tone_look(grade_tone(scheme, symbol), size, wrap)


@functools.cache
def _tone_look(tone: Tone, size: float, wrap: bool) -> Look:
    fill = TONE_COLOURS[tone][1]
    return Look(
        bold=True, size=size, colour=_TONE_FONT[tone], fill=fill, border=True, align="center", wrap=wrap
    )
