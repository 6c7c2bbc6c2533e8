"""Render what an import of a filled form changes in an actuals file (実績値の取り込み)."""

from __future__ import annotations

from decimal import Decimal

from rich.table import Table
from rich.text import Text

from kpitool.update.changes import ActualsUpdate, EditKind
from kpitool.values.numbers import format_number

__all__ = ["changes_table", "shown_value"]

_KIND_STYLES = {"追加": "green", "追記": "yellow", "上書き": "magenta", "競合": "bold red"}


def shown_value(value: object) -> str:
    """A recorded or imported field as people read it: numbers without exponent, ``—`` for none."""
    if value is None:
        return "—"
    return format_number(value) if isinstance(value, Decimal) else str(value)


def changes_table(result: ActualsUpdate, overwrite: bool) -> Table:
    """One row per field the import adds or changes: 追加, 追記, 上書き (with ``overwrite``) or 競合."""
    table = Table(title=f"{result.path} — {result.year.label} 実績値の取り込み", title_justify="left")
    for name, justify in (
        ("No.", "left"),
        ("指標名", "left"),
        ("項目", "left"),
        ("現在", "right"),
        ("取込後", "right"),
        ("区分", "center"),
    ):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for entry in result.changes:
        for change in entry.fields:
            if entry.kind is EditKind.ADD:
                kind = "追加"
            elif change.conflict:
                kind = "上書き" if overwrite else "競合"
            else:
                kind = "追記"
            item = f"{change.label} ({entry.kpi.unit})" if change.name == "value" else change.label
            table.add_row(
                entry.kpi.number or "",
                entry.kpi.name,
                item,
                shown_value(change.old),
                shown_value(change.new),
                Text(kind, style=_KIND_STYLES[kind]),
            )
    return table
