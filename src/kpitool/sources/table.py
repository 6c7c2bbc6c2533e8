"""Flat KPI tables (the spreadsheet an analyst already has) → a plan and its actuals.

The table has a header row with the columns below (English aliases accepted)
and one column per evaluation year whose header is a year label (R5,
令和6年度, 2024年度 …). Reading the file is the adapters' job: CSV here (UTF-8
or CP932, as Japanese Excel saves it), .xlsx in :mod:`kpitool.render`;
:func:`parse_kpi_table` turns the cells into model objects, strictly: a cell
it cannot read is an error naming its row, column and text.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kpitool.errors import KpitoolError
from kpitool.model.actuals import Actual, ActualsFile
from kpitool.model.plan import KPI, Plan
from kpitool.problems import DataError, Problem
from kpitool.sources.safe_read import FileRefused, read_bounded
from kpitool.values.numbers import NumberError, UnitError, convert, parse_number, parse_quantity
from kpitool.values.periods import Period, PeriodError, parse_fiscal_year, parse_period

__all__ = ["COLUMNS", "TableError", "TableSource", "parse_kpi_table", "read_csv_rows"]

MAX_TABLE_ROWS = 100_000
"""Most rows read from a CSV table; a KPI table has a few hundred."""

MAX_TABLE_COLUMNS = 1_000
"""Most cells in one CSV row."""

# Control characters other than tab and line breaks: never in a text table (C1 ones
# come from bytes misread as CP932), and echoed in a message they rewrite the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class TableError(KpitoolError, ValueError):
    """The file cannot be read as a table at all (encoding, format)."""


COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "ID", "指標ID"),
    "name": ("指標名", "name"),
    "unit": ("単位", "unit"),
    "direction": ("方向", "direction"),
    "cumulative": ("累計", "cumulative"),
    "baseline": ("基準値", "baseline"),
    "baseline_period": ("基準時点", "baseline_period"),
    "target": ("目標値", "target"),
    "target_period": ("目標時点", "target_period"),
    "note": ("備考", "note"),
}
"""Field → accepted header texts (Japanese first)."""

_REQUIRED = ("id", "name", "unit", "direction", "target", "target_period")
_DIRECTIONS = {
    "増加": "increase",
    "減少": "decrease",
    "以上": "at_least",
    "以下": "at_most",
    "increase": "increase",
    "decrease": "decrease",
    "at_least": "at_least",
    "at_most": "at_most",
}
_TRUE = {"○", "〇", "1", "true", "yes", "累計"}
_FALSE = {"", "×", "0", "false", "no", "-", "—", "－"}
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_WITH_PERIOD = re.compile(r"^(?P<value>.*?)\s*[（(](?P<period>[^()（）]+)[)）]\s*$")


@dataclass(frozen=True)
class TableSource:
    """Where the cells came from, for messages: a file name and a way to name a cell."""

    name: str
    cell: Callable[[int, int], str]
    """(row index from 0, column index from 0) → e.g. ``row 3, column D`` or ``Sheet1!D3``."""


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
    found = _CONTROL.search(text)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        raise TableError(
            f"{name}: line {line}: holds the control character U+{ord(found.group()):04X}; "
            "not a text CSV file"
        )


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


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        if not math.isfinite(cell):  # a crafted <v>NaN</v> reads as a float NaN
            return repr(cell)
        return repr(cell) if cell != int(cell) else str(int(cell))
    return str(cell).strip()


def _column_map(
    header: Sequence[Any], source: TableSource
) -> tuple[dict[str, int], dict[int, tuple[int, str]]]:
    """Header → field columns and year columns; errors for unknown or repeated headers."""
    by_header = {alias.casefold(): key for key, aliases in COLUMNS.items() for alias in aliases}
    fields: dict[str, int] = {}
    years: dict[int, tuple[int, str]] = {}
    problems: list[Problem] = []
    for index, cell in enumerate(header):
        text = _text(cell)
        if not text:
            continue
        key = by_header.get(text.casefold())
        if key is not None:
            if key in fields:
                problems.append(_problem(source, 0, index, text, f"column {text!r} appears twice"))
            fields[key] = index
            continue
        try:
            year = parse_fiscal_year(text)
        except PeriodError:
            known = ", ".join(aliases[0] for aliases in COLUMNS.values())
            problems.append(
                _problem(
                    source,
                    0,
                    index,
                    text,
                    f"unknown column {text!r}: expected {known}, or a year label such as R6 / 令和6年度",
                )
            )
            continue
        if year in {y for y, _ in years.values()}:
            problems.append(_problem(source, 0, index, text, f"year column {text!r} appears twice"))
        years[index] = (year, text)
    missing = [COLUMNS[key][0] for key in _REQUIRED if key not in fields]
    if missing:
        problems.append(_problem(source, 0, 0, "", f"header row lacks the column(s) {', '.join(missing)}"))
    if problems:
        raise DataError(problems)
    return fields, years


def _is_header(row: Sequence[Any]) -> bool:
    """True if the row names every required column."""
    texts = {_text(cell).casefold() for cell in row}
    return all(any(alias.casefold() in texts for alias in COLUMNS[key]) for key in _REQUIRED)


def _problem(source: TableSource, row: int, column: int, header: str, message: str) -> Problem:
    return Problem(
        source.name, row + 1, column + 1, header, f"{source.cell(row, column)}: {message}", code="table"
    )


def _label(key: str) -> str:
    """``目標時点 (target_period)`` — a column as messages name it."""
    japanese = COLUMNS[key][0]
    return key if japanese == key else f"{japanese} ({key})"


def _explain(cell: Any, exc: Exception) -> str:
    """``'<cell text>': <why>`` without quoting the text twice."""
    text = _text(cell)
    message = str(exc)
    quoted = f"'{text}': "
    return message if message.startswith(quoted) else f"{quoted}{message}"


def _split_period(text: str) -> tuple[str, Period | None]:
    match = _WITH_PERIOD.match(text)
    if not match:
        if any(mark in text for mark in "()（）"):
            raise NumberError(f"'{text}': write the data period in closed parentheses, as in 14,276 (R2年度)")
        return text, None
    return match["value"], parse_period(match["period"])


def _value(cell: Any, unit: str) -> tuple[Decimal | None, Period | None]:
    """A value cell: number (with separators, ▲/△, full-width), optional unit and (period)."""
    if isinstance(cell, int | float | Decimal) and not isinstance(cell, bool):
        number = Decimal(_text(cell))
        if not number.is_finite():
            raise NumberError(f"{cell!r} is not a finite number")
        return number, None
    text, period = _split_period(_text(cell))
    quantity = parse_quantity(text)
    if quantity.value is None:
        if text.strip() and parse_number(text) is not None:  # pragma: no cover - defensive
            raise NumberError(f"{text!r} is not a number")
        return None, period
    value = quantity.value
    if quantity.unit and quantity.unit != unit:
        value = convert(value, quantity.unit, unit)
    return value, period


def parse_kpi_table(rows: Sequence[Sequence[Any]], source: TableSource) -> tuple[Plan, ActualsFile]:
    """Turn table cells into a plan (one section-less list of KPIs) and its actuals.

    Raises :class:`DataError` listing every unreadable cell.
    """
    header_index = next((i for i, row in enumerate(rows) if any(_text(c) for c in row)), None)
    if header_index is None:
        raise DataError([Problem(source.name, None, None, "", "the table is empty", code="table")])
    below = next((i for i, row in enumerate(rows[:20]) if _is_header(row)), 0)
    if below:  # a title or notes above the header, as hand-kept sheets often have
        message = (
            f"the header row must be the first row: row {below + 1} holds the headers; "
            "delete the rows above it"
        )
        raise DataError([_problem(source, below, 0, "", message)])
    if header_index:
        raise DataError(
            [
                _problem(
                    source,
                    header_index,
                    0,
                    "",
                    "the header row must be the first row (rows above it are empty)",
                )
            ]
        )
    fields, years = _column_map(rows[0], source)
    unnamed = [index for index, cell in enumerate(rows[0]) if not _text(cell)]
    problems: list[Problem] = []
    kpis: list[KPI] = []
    actuals: dict[str, dict[str, Actual]] = {}
    seen_ids: dict[str, int] = {}

    def cell(row: Sequence[Any], key: str) -> Any:
        index = fields.get(key)
        return row[index] if index is not None and index < len(row) else None

    for row_index, row in enumerate(rows[1:], start=1):
        if not any(_text(c) for c in row):
            continue  # blank lines between blocks are common in hand-kept sheets
        before = len(problems)

        def bad(key: str | int, message: str, row_index: int = row_index) -> None:
            column = fields.get(key, 0) if isinstance(key, str) else key
            header = _text(rows[0][column]) if column < len(rows[0]) else ""
            problems.append(_problem(source, row_index, column, header, message))

        width = len(rows[0])
        for extra in range(width, len(row)):
            if _text(row[extra]):
                bad(extra, f"{_text(row[extra])!r}: a cell beyond the last header column (a stray comma?)")
        for blank in unnamed:  # a value there would be silently dropped (a merged or deleted header)
            if blank < len(row) and _text(row[blank]):
                bad(blank, f"{_text(row[blank])!r}: a value in a column with no header")
        for key in ("id", "name", "unit", "direction"):
            if not _text(cell(row, key)):
                bad(key, f"{_label(key)} is empty")
        kpi_id = _text(cell(row, "id"))
        unit = _text(cell(row, "unit"))
        if kpi_id and not _ID.fullmatch(kpi_id):
            bad("id", f"id {kpi_id!r}: use ASCII letters, digits, '.', '_' or '-' (e.g. visitors-1)")
        if kpi_id in seen_ids:
            bad("id", f"id {kpi_id!r} is used twice (first in row {seen_ids[kpi_id] + 1})")
            continue
        seen_ids[kpi_id] = row_index
        direction_text = _text(cell(row, "direction"))
        direction = _DIRECTIONS.get(direction_text.casefold()) or _DIRECTIONS.get(direction_text)
        if direction is None and direction_text:
            bad("direction", f"{direction_text!r}: expected 増加 / 減少 / 以上 / 以下 (or increase …)")
        cumulative_text = _text(cell(row, "cumulative")).casefold()
        if cumulative_text not in _TRUE | _FALSE:
            bad("cumulative", f"{cumulative_text!r}: expected ○ (累計) or empty")
        entry: dict[str, Any] = {
            "id": kpi_id,
            "name": _text(cell(row, "name")),
            "unit": unit,
            "direction": direction or "increase",
            "cumulative": cumulative_text in _TRUE,
        }
        try:
            base_value, base_period = _value(cell(row, "baseline"), unit)
            period_text = _text(cell(row, "baseline_period"))
            if period_text:
                base_period = parse_period(period_text)
            entry["baseline"] = {"value": base_value, "period": base_period}
        except (NumberError, UnitError, PeriodError) as exc:
            bad("baseline", _explain(cell(row, "baseline"), exc))
        target_period: Period | None = None
        try:
            target_value, target_period = _value(cell(row, "target"), unit)
            if target_value is None:
                bad("target", f"{_label('target')} is empty")
        except (NumberError, UnitError, PeriodError) as exc:
            target_value = None
            bad("target", _explain(cell(row, "target"), exc))
        period_text = _text(cell(row, "target_period"))
        try:
            if period_text:
                target_period = parse_period(period_text)
            elif target_period is None:
                bad(
                    "target_period",
                    f"{_label('target_period')} is empty (or write 200 (R7年度) as the 目標値)",
                )
        except PeriodError as exc:
            bad("target_period", _explain(period_text, exc))
        entry["target"] = {"value": target_value, "period": target_period}
        note = _text(cell(row, "note"))
        if note:
            entry["note"] = note
        for column, (_year, label) in years.items():
            raw = row[column] if column < len(row) else None
            try:
                value, period = _value(raw, unit)
            except (NumberError, UnitError, PeriodError) as exc:
                bad(column, _explain(raw, exc))
                continue
            if value is not None:
                try:
                    actual = Actual(value=value, period=period)
                except ValidationError as exc:  # e.g. out of range: the model's limits
                    reason = str(exc.errors(include_url=False)[0]["msg"]).removeprefix("Value error, ")
                    bad(column, _explain(raw, ValueError(reason)))
                    continue
                actuals.setdefault(kpi_id, {})[label] = actual
        if len(problems) > before:
            continue  # the cells are reported; the model would only repeat them
        try:
            kpis.append(KPI.model_validate(entry))
        except ValidationError as exc:  # pragma: no cover - every cell is checked above
            for error in exc.errors(include_url=False, include_input=False):
                field = str(error["loc"][0]) if error["loc"] else "id"
                column_key = field if field in fields else "id"
                bad(column_key, f"{field}: {error['msg'].removeprefix('Value error, ')}")
    if problems:
        raise DataError(problems)
    if not kpis:
        raise DataError([Problem(source.name, None, None, "", "the table has no KPI rows", code="table")])
    plan = Plan.model_validate(
        {
            "id": "table",
            "title": Path(source.name).name,
            "kind": "comprehensive_plan",
            "municipality": "—",
            "kpis": kpis,
        }
    )
    return plan, ActualsFile(plan="table", actuals=actuals)
