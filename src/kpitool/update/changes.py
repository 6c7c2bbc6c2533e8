"""Deciding what an import of actuals (実績値) adds to or changes in an actuals file.

Comparisons are by value in the KPI's unit: ``13.2`` equals ``13.20``, and an
entry recorded in another unit (``unit: 人`` for a KPI in 万人) is compared
after conversion and rewritten in its own unit. An empty form field never
removes anything; fields recorded differently are conflicts, applied only when
the caller allows overwriting.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from kpitool.errors import KpitoolError
from kpitool.model.actuals import Actual, Submission
from kpitool.model.plan import KPI
from kpitool.values.fiscal_year import FiscalYear, parse_fiscal_year
from kpitool.values.numbers import UnitError, convert
from kpitool.values.periods import PeriodError, parse_period

__all__ = [
    "BOM",
    "FIELD_LABELS",
    "ActualsUpdate",
    "ConflictError",
    "EditKind",
    "EntryChange",
    "EntryEdit",
    "FieldChange",
    "UpdateError",
    "decide_change",
    "entry_unit",
    "sort_year",
    "written_value",
    "year_key",
]

FIELD_LABELS = {"value": "実績値", "period": "実績時点", "note": "備考"}
"""The Japanese names of the fields an import writes, for messages and tables."""

BOM = "\ufeff"
"""The byte order mark an actuals file may start with; kept when the file is rewritten."""


class UpdateError(KpitoolError, ValueError):
    """The actuals file cannot be updated as asked (a layout kpitool does not edit, a bad submission)."""


class ConflictError(UpdateError):
    """Recorded values differ from the submitted ones and overwriting was not allowed."""

    def __init__(self, update: ActualsUpdate) -> None:
        self.update = update
        count = len(update.conflicts)
        super().__init__(
            f"{update.path}: {count} recorded value(s) differ from the form; nothing was written"
        )


class EditKind(StrEnum):
    """What an import does to one KPI's entry for the year."""

    ADD = "add"
    """No entry for the year yet: one is added."""
    UPDATE = "update"
    """An entry exists; some fields are filled in or replaced."""
    UNCHANGED = "unchanged"
    """The entry already says what the form says."""


@dataclass(frozen=True)
class FieldChange:
    """One field of one entry: what is recorded (None: nothing) and what the form gives."""

    name: str
    """``value``, ``period`` or ``note``."""
    old: Decimal | str | None
    """The recorded value (a number in the KPI's unit), or None when the field is absent."""
    new: Decimal | str

    @property
    def conflict(self) -> bool:
        """True when a recorded value would be replaced by a different one."""
        return self.old is not None

    @property
    def label(self) -> str:
        """The field's Japanese name."""
        return FIELD_LABELS[self.name]


@dataclass(frozen=True)
class EntryChange:
    """What the import does to one KPI for the year."""

    submission: Submission
    kpi: KPI
    kind: EditKind
    fields: tuple[FieldChange, ...] = ()

    @property
    def conflicts(self) -> tuple[FieldChange, ...]:
        """The fields whose recorded value would be replaced."""
        return tuple(f for f in self.fields if f.conflict)


@dataclass(frozen=True)
class ActualsUpdate:
    """The edit an import makes to one actuals file, computed before anything is written."""

    path: Path
    plan_id: str
    year: FiscalYear
    """The evaluation year: a new entry gets its label (``R6``) as key; an entry already written
    as 令和6年度 keeps its key."""
    changes: tuple[EntryChange, ...]
    old_text: str | None
    """The file as read (None: it does not exist yet)."""
    new_text: str
    changed: bool
    """True when the file would change (something to add or replace)."""
    bom: bool = False

    @property
    def conflicts(self) -> tuple[tuple[EntryChange, FieldChange], ...]:
        """Every recorded field the import would replace, with its entry."""
        return tuple((entry, f) for entry in self.changes for f in entry.conflicts)

    def count(self, kind: EditKind) -> int:
        """Number of entries of one kind."""
        return sum(1 for entry in self.changes if entry.kind is kind)

    def encoded(self) -> bytes:
        """The new file's bytes (UTF-8, with the BOM the old file had)."""
        return ((BOM if self.bom else "") + self.new_text).encode("utf-8")


def year_key(years: dict[str, Actual], year: FiscalYear) -> str | None:
    """The key under which a KPI's entries hold evaluation ``year`` (``R6``, ``令和6年度``), or None."""
    for label in years:
        try:
            if parse_fiscal_year(label) == year.year:
                return label
        except PeriodError:  # pragma: no cover - refused by the model already
            continue
    return None


def entry_unit(years: dict[str, Actual], key: str | None, kpi: KPI) -> str | None:
    """The unit the entry is written in: its own, or for a new entry the one its KPI's latest entry uses."""
    if key is not None:
        return years[key].unit
    for label in sorted(years, key=sort_year, reverse=True):
        if years[label].value is not None:
            return years[label].unit
    return None


def sort_year(label: str) -> int:
    """A year key as its fiscal year, for ordering entries."""
    try:
        return parse_fiscal_year(label)
    except PeriodError:  # pragma: no cover - refused by the model already
        return 0


def written_value(value: Decimal | None, unit: str | None, kpi: KPI) -> Decimal | None:
    """The form's value (in the KPI's unit) as it is written in an entry of ``unit`` (None: no value)."""
    if value is None or not unit or unit == kpi.unit:
        return value
    try:
        converted = convert(value, kpi.unit, unit)
    except UnitError:  # pragma: no cover - validate refuses such entries
        return value
    # Scaling adds zeros (30.0001万人 → 300001.0000人): write the shortest exact form.
    normal = converted.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def decide_change(sub: Submission, kpi: KPI, actual: Actual | None) -> EntryChange:
    """What a submission does to the KPI's recorded entry for the year (None: there is none)."""
    if actual is None:
        fields = [FieldChange("value", None, sub.value)] if sub.value is not None else []
        fields += [
            FieldChange(name, None, text)
            for name, text in (("period", sub.period), ("note", sub.note))
            if text
        ]
        return EntryChange(sub, kpi, EditKind.ADD, tuple(fields))
    changes: list[FieldChange] = []
    recorded = actual.value_in(kpi.unit)
    if sub.value is not None and (recorded is None or recorded != sub.value):
        changes.append(FieldChange("value", recorded, sub.value))
    if sub.period:
        new_period = parse_period(sub.period)
        if actual.period is None:
            changes.append(FieldChange("period", None, sub.period))
        elif actual.period != new_period or actual.period.label != new_period.label:
            changes.append(FieldChange("period", actual.period.label, sub.period))
    if sub.note and sub.note != actual.note:
        changes.append(FieldChange("note", actual.note, sub.note))
    kind = EditKind.UPDATE if changes else EditKind.UNCHANGED
    return EntryChange(sub, kpi, kind, tuple(changes))


@dataclass(frozen=True)
class EntryEdit:
    """One entry to write: the change, the value as written (in the entry's unit; None: no value),
    its unit and year key."""

    change: EntryChange
    value: Decimal | None
    unit: str | None
    key: str
    """The year key it is written under: the recorded entry's (令和6年度), or ``R6`` for a new one."""

    def fields(self) -> list[tuple[str, Decimal | str | None]]:
        """The fields of a new entry, in the documented order (a note-only entry: ``value: null``)."""
        sub = self.change.submission
        fields: list[tuple[str, Decimal | str | None]] = [("value", self.value)]
        if self.unit and self.unit != self.change.kpi.unit:
            fields.append(("unit", self.unit))
        if sub.period:
            fields.append(("period", sub.period))
        if sub.note:
            fields.append(("note", sub.note))
        return fields
