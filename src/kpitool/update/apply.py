"""Apply imported actuals (実績値) to an actuals YAML file, keeping everything a person wrote.

An actuals file is edited as text, never re-serialised: a new evaluation year
becomes one inserted line ``R6: {value: 15048, period: R4年度}`` in the layout
of docs/data-format.md, a changed value replaces only the scalar that held it,
and every other byte — comments, blank lines, quoting, the order of KPIs and
years — stays as it was. New KPIs go after the KPI that precedes them in the
plan, new years after the year before them.

Before anything is written the edited text is parsed (:mod:`kpitool.sources.yaml_strict`),
validated (:mod:`kpitool.sources.documents`) and compared with the intended result (old
entries unchanged, new values in place, old order kept); any difference aborts the
write. Writes are atomic, and a lock file beside the actuals file
(``<file>.lock``) keeps two imports from interleaving their read-modify-write.

Comparisons are by value in the KPI's unit: ``13.2`` equals ``13.20``, and an
entry recorded in another unit (``unit: 人`` for a KPI in 万人) is compared
after conversion and rewritten in its own unit. An empty form field never
removes anything; fields recorded differently are conflicts, applied only when
the caller allows overwriting.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import socket
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from kpitool.errors import KpitoolError
from kpitool.model.actuals import Actual, ActualsFile, Submission
from kpitool.model.plan import KPI, Plan
from kpitool.problems import DataError, Problem
from kpitool.sources.documents import validate_document
from kpitool.sources.yaml_strict import parse_yaml
from kpitool.support.safe_write import WriteError, write_bytes_atomic
from kpitool.values.numbers import UnitError, convert
from kpitool.values.periods import PeriodError, fiscal_year_label, parse_fiscal_year, parse_period

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "FIELD_LABELS",
    "ChangeKind",
    "ConflictError",
    "EntryChange",
    "FieldChange",
    "LockError",
    "UpdateError",
    "UpdatePlan",
    "actuals_lock",
    "apply_update",
    "plan_update",
    "yaml_scalar",
]

DEFAULT_LOCK_TIMEOUT = 10.0
"""Seconds to wait for another import to release the lock before giving up."""

FIELD_LABELS = {"value": "実績値", "period": "実績時点", "note": "備考"}
"""The Japanese names of the fields an import writes, for messages and tables."""

_BOM = "\ufeff"


class UpdateError(KpitoolError, ValueError):
    """The actuals file cannot be updated as asked (a layout kpitool does not edit, a bad submission)."""


class LockError(WriteError):
    """Another import holds the lock on the actuals file."""


class ConflictError(UpdateError):
    """Recorded values differ from the submitted ones and overwriting was not allowed."""

    def __init__(self, plan: UpdatePlan) -> None:
        self.plan = plan
        count = len(plan.conflicts)
        super().__init__(f"{plan.path}: {count} recorded value(s) differ from the form; nothing was written")


class ChangeKind(StrEnum):
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
    kind: ChangeKind
    fields: tuple[FieldChange, ...] = ()

    @property
    def conflicts(self) -> tuple[FieldChange, ...]:
        """The fields whose recorded value would be replaced."""
        return tuple(f for f in self.fields if f.conflict)


@dataclass(frozen=True)
class UpdatePlan:
    """The edit an import makes to one actuals file, computed before anything is written."""

    path: Path
    plan_id: str
    year: int
    year_label: str
    """The key a new entry gets (``R6``); an entry already written as 令和6年度 keeps its key."""
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

    def count(self, kind: ChangeKind) -> int:
        """Number of entries of one kind."""
        return sum(1 for entry in self.changes if entry.kind is kind)

    def encoded(self) -> bytes:
        """The new file's bytes (UTF-8, with the BOM the old file had)."""
        return ((_BOM if self.bom else "") + self.new_text).encode("utf-8")


# --------------------------------------------------------------------------- #
# YAML scalars as text

_FLOW_INDICATORS = frozenset(",[]{}")
_PLAIN_BAD_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
_RESOLVER = yaml.resolver.Resolver()


def _printable(char: str) -> bool:
    # YAML's printable set, minus the characters PyYAML treats as line breaks.
    code = ord(char)
    if char in "\t":
        return True
    if code < 0x20 or code == 0x7F or 0x80 <= code <= 0x9F:
        return False
    return not (code in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF) or 0xD800 <= code <= 0xDFFF)


def _plain_safe(text: str) -> bool:
    if not text or text != text.strip() or text[0] in _PLAIN_BAD_START:
        return False
    if any(c in _FLOW_INDICATORS or c in "\t" or not _printable(c) for c in text):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag == "tag:yaml.org,2002:str"


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _double_quoted(text: str) -> str:
    out = ['"']
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif _printable(char):
            out.append(char)
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(f"\\u{ord(char):04x}")
    out.append('"')
    return "".join(out)


def yaml_scalar(value: Decimal | str) -> str:
    """A value as a YAML scalar kpitool's loader reads back exactly.

    Numbers are written in full (never an exponent); text is plain when YAML
    would read it as the same text, else double-quoted with escapes.
    """
    if isinstance(value, Decimal):
        return format(value, "f")
    return value if _plain_safe(value) else _double_quoted(value)


# --------------------------------------------------------------------------- #
# Reading the file


def _read(path: Path) -> tuple[str | None, bool]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, False
    except OSError as exc:
        problem = Problem(str(path), None, None, "", f"cannot read: {exc.strerror or exc}", code="io")
        raise DataError([problem]) from None
    bom = raw.startswith(_BOM.encode("utf-8"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(
            [Problem(str(path), None, None, "", "file is not UTF-8; save it as UTF-8", code="encoding")]
        ) from None
    return text, bom


def _validated(text: str, name: str, plan_id: str) -> ActualsFile:
    actuals = validate_document(parse_yaml(text, name), ActualsFile)
    if actuals.plan != plan_id:
        raise UpdateError(f"{name}: holds the actuals of plan {actuals.plan!r}, not {plan_id!r}")
    return actuals


# --------------------------------------------------------------------------- #
# Deciding what changes


def _year_key(years: dict[str, Actual], year: int) -> str | None:
    for label in years:
        try:
            if parse_fiscal_year(label) == year:
                return label
        except PeriodError:  # pragma: no cover - refused by the model already
            continue
    return None


def _entry_unit(years: dict[str, Actual], key: str | None, kpi: KPI) -> str | None:
    """The unit the entry is written in: its own, or for a new entry the one its KPI's latest entry uses."""
    if key is not None:
        return years[key].unit
    for label in sorted(years, key=_sort_year, reverse=True):
        if years[label].value is not None:
            return years[label].unit
    return None


def _sort_year(label: str) -> int:
    try:
        return parse_fiscal_year(label)
    except PeriodError:  # pragma: no cover - refused by the model already
        return 0


def _written_value(value: Decimal, unit: str | None, kpi: KPI) -> Decimal:
    """The form's value (in the KPI's unit) as it is written in an entry of ``unit``."""
    if not unit or unit == kpi.unit:
        return value
    try:
        converted = convert(value, kpi.unit, unit)
    except UnitError:  # pragma: no cover - validate refuses such entries
        return value
    # Scaling adds zeros (30.0001万人 → 300001.0000人): write the shortest exact form.
    normal = converted.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def _diff(sub: Submission, kpi: KPI, actual: Actual | None) -> EntryChange:
    if actual is None:
        fields = [FieldChange("value", None, sub.value)]
        fields += [
            FieldChange(name, None, text)
            for name, text in (("period", sub.period), ("note", sub.note))
            if text
        ]
        return EntryChange(sub, kpi, ChangeKind.ADD, tuple(fields))
    changes: list[FieldChange] = []
    recorded = actual.value_in(kpi.unit)
    if recorded is None or recorded != sub.value:
        changes.append(FieldChange("value", recorded, sub.value))
    if sub.period:
        new_period = parse_period(sub.period)
        if actual.period is None:
            changes.append(FieldChange("period", None, sub.period))
        elif actual.period != new_period or actual.period.label != new_period.label:
            changes.append(FieldChange("period", actual.period.label, sub.period))
    if sub.note and sub.note != actual.note:
        changes.append(FieldChange("note", actual.note, sub.note))
    kind = ChangeKind.UPDATE if changes else ChangeKind.UNCHANGED
    return EntryChange(sub, kpi, kind, tuple(changes))


# --------------------------------------------------------------------------- #
# Editing the text


@dataclass(frozen=True)
class _Edit:
    """One entry to write: the change, the value as written (in the entry's unit), its unit and year key."""

    change: EntryChange
    value: Decimal
    unit: str | None
    year_label: str

    def fields(self) -> list[tuple[str, Decimal | str]]:
        """The fields of a new entry, in the documented order."""
        sub = self.change.submission
        fields: list[tuple[str, Decimal | str]] = [("value", self.value)]
        if self.unit and self.unit != self.change.kpi.unit:
            fields.append(("unit", self.unit))
        if sub.period:
            fields.append(("period", sub.period))
        if sub.note:
            fields.append(("note", sub.note))
        return fields

    def flow_line(self) -> str:
        """``R6: {value: 15048, period: R4年度}``."""
        inner = ", ".join(f"{name}: {yaml_scalar(value)}" for name, value in self.fields())
        return f"{self.year_label}: {{{inner}}}"


class _Text:
    """The file's text with its line starts; collects edits and applies them from the end."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.line_starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
        self.edits: list[tuple[int, int, str, int]] = []
        self.ended = False

    def replace(self, start: int, end: int, replacement: str) -> None:
        self.edits.append((start, end, replacement, len(self.edits)))

    def line_of(self, index: int) -> int:
        """0-based line of a character index."""
        return bisect.bisect_right(self.line_starts, index) - 1

    def insert_lines_after(self, line: int, lines: Sequence[str]) -> None:
        """Insert whole lines after 0-based ``line``."""
        text = "".join(item + self.newline for item in lines)
        if line + 1 < len(self.line_starts):
            start = self.line_starts[line + 1]
            self.replace(start, start, text)
            return
        # the file lacks a final newline: the first insertion at the end supplies it
        ending = "" if not self.text or self.text.endswith("\n") or self.ended else self.newline
        self.ended = True
        self.replace(len(self.text), len(self.text), ending + text)

    def last_index(self, node: yaml.Node) -> int:
        """Index just past the last non-blank character of a node (its trailing comment excluded)."""
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style and node.value:
            last = node.value[-1]
            return self.last_index(last[1] if isinstance(node, yaml.MappingNode) else last)
        end = int(node.end_mark.index)
        while end > node.start_mark.index and self.text[end - 1] in " \t\r\n":
            end -= 1
        return end

    def last_line(self, node: yaml.Node) -> int:
        """0-based line of a node's last character."""
        return self.line_of(max(self.last_index(node) - 1, int(node.start_mark.index)))

    def apply(self) -> str:
        text = self.text
        # From the end, so earlier offsets stay valid; at one position, in the order made.
        for start, end, replacement, _ in sorted(self.edits, key=lambda e: (e[0], e[3]), reverse=True):
            text = text[:start] + replacement + text[end:]
        return text


def _compose(text: str) -> yaml.MappingNode:
    # The pure-Python composer: its marks count characters, as the edits need.
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    assert isinstance(node, yaml.MappingNode)  # validated before
    return node


def _find(node: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def _is_empty(node: yaml.Node) -> bool:
    if isinstance(node, yaml.ScalarNode):
        return bool(node.tag == "tag:yaml.org,2002:null")
    return isinstance(node, yaml.MappingNode) and not node.value


def _unsupported(name: str, node: yaml.Node, where: str) -> UpdateError:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    return UpdateError(
        f"{name}:{line}:{column}: {where} is written in flow style ({{…}}); kpitool import edits the "
        "block layout of docs/data-format.md — put each KPI and each year on its own line"
    )


class _Editor:
    """Turns the decided changes into text edits of one actuals file."""

    def __init__(self, text: str, name: str, plan: Plan) -> None:
        self.name = name
        self.text = _Text(text)
        self.root = _compose(text)
        self.order = {kpi.id: index for index, (kpi, _) in enumerate(plan.iter_kpis())}

    def run(self, edits: Sequence[_Edit]) -> str:
        found = _find(self.root, "actuals")
        if found is None:
            lines = ["actuals:"] + [line for edit in edits for line in self._kpi_lines(edit, 2, 4)]
            self.text.insert_lines_after(len(self.text.line_starts) - 1, lines)
            return self.text.apply()
        key_node, node = found
        if _is_empty(node):
            self._clear(key_node, node)
            lines = [line for edit in edits for line in self._kpi_lines(edit, 2, 4)]
            self.text.insert_lines_after(key_node.start_mark.line, lines)
            return self.text.apply()
        if not isinstance(node, yaml.MappingNode) or node.flow_style:
            raise _unsupported(self.name, node, "actuals")
        kpi_column = int(node.value[0][0].start_mark.column)
        year_column = self._year_column(node, kpi_column + 2)
        for edit in edits:
            existing = _find(node, edit.change.kpi.id)
            if existing is None:
                line = self._line_before_kpi(node, edit.change.kpi.id, key_node.start_mark.line)
                self.text.insert_lines_after(line, self._kpi_lines(edit, kpi_column, year_column))
            else:
                self._edit_kpi(existing[0], existing[1], edit, year_column)
        return self.text.apply()

    def _clear(self, key_node: yaml.Node, node: yaml.Node) -> None:
        """Remove an empty value written as ``{}``, ``null`` or ``~`` so lines can go below its key."""
        if isinstance(node, yaml.ScalarNode) and node.value == "":
            return
        self.text.replace(key_node.end_mark.index, node.end_mark.index, ":")

    @staticmethod
    def _year_column(node: yaml.MappingNode, default: int) -> int:
        for _, years in node.value:
            if isinstance(years, yaml.MappingNode) and not years.flow_style and years.value:
                return int(years.value[0][0].start_mark.column)
        return default

    def _line_before_kpi(self, node: yaml.MappingNode, kpi_id: str, actuals_line: int) -> int:
        """The last line of the nearest KPI before ``kpi_id`` in the plan, else the ``actuals:`` line."""
        rank = self.order[kpi_id]
        best: tuple[int, yaml.Node] | None = None
        for key, value in node.value:
            other = self.order.get(key.value)
            if other is not None and other < rank and (best is None or other > best[0]):
                best = (other, value)
        return actuals_line if best is None else self.text.last_line(best[1])

    @staticmethod
    def _kpi_lines(edit: _Edit, kpi_column: int, year_column: int) -> list[str]:
        return [" " * kpi_column + f"{edit.change.kpi.id}:", " " * year_column + edit.flow_line()]

    def _edit_kpi(self, key_node: yaml.Node, years: yaml.Node, edit: _Edit, year_column: int) -> None:
        where = f"actuals.{edit.change.kpi.id}"
        if edit.change.kind is ChangeKind.ADD and _is_empty(years):
            self._clear(key_node, years)
            self.text.insert_lines_after(key_node.start_mark.line, [" " * year_column + edit.flow_line()])
            return
        if not isinstance(years, yaml.MappingNode) or years.flow_style:
            raise _unsupported(self.name, years, where)
        if edit.change.kind is ChangeKind.ADD:
            year = parse_fiscal_year(edit.year_label)
            before = [value for key, value in years.value if _sort_year(key.value) < year]
            line = self.text.last_line(before[-1]) if before else key_node.start_mark.line
            column = int(years.value[0][0].start_mark.column)
            self.text.insert_lines_after(line, [" " * column + edit.flow_line()])
            return
        found = _find(years, edit.year_label)
        assert found is not None
        assert isinstance(found[1], yaml.MappingNode)  # the model requires a mapping
        self._edit_entry(found[1], edit)

    def _edit_entry(self, node: yaml.MappingNode, edit: _Edit) -> None:
        present = {k.value: (k, v) for k, v in node.value}
        for change in edit.change.fields:
            scalar = yaml_scalar(edit.value if change.name == "value" else change.new)
            if change.name in present:
                key, target = present[change.name]
                if isinstance(target, yaml.ScalarNode) and target.value == "" and not target.style:
                    # `period:` with nothing after it: write the value after the colon
                    colon = self.text.text.index(":", key.end_mark.index)
                    self.text.replace(colon + 1, colon + 1, f" {scalar}")
                else:
                    self.text.replace(target.start_mark.index, self.text.last_index(target), scalar)
                continue
            anchor = self._anchor(present, change.name)
            if node.flow_style:
                position = self.text.last_index(anchor)
                self.text.replace(position, position, f", {change.name}: {scalar}")
            else:
                column = int(node.value[0][0].start_mark.column)
                line = self.text.last_line(anchor)
                self.text.insert_lines_after(line, [" " * column + f"{change.name}: {scalar}"])
                present[change.name] = (anchor, anchor)  # a later field goes after this one

    @staticmethod
    def _anchor(present: dict[str, tuple[yaml.Node, yaml.Node]], name: str) -> yaml.Node:
        """The field after which a missing one goes: value, then period, then note."""
        order = ("value", "period", "note")
        for candidate in reversed(order[: order.index(name)]):
            if candidate in present:
                return present[candidate][1]
        return list(present.values())[-1][1]  # pragma: no cover - value is required


# --------------------------------------------------------------------------- #
# Checking the result


def _expected(old: ActualsFile, edits: Sequence[_Edit]) -> dict[str, Any]:
    actuals = {kpi: dict(years) for kpi, years in old.actuals.items()}
    for edit in edits:
        sub = edit.change.submission
        years = actuals.setdefault(edit.change.kpi.id, {})
        current = years.get(edit.year_label)
        if current is None:
            years[edit.year_label] = Actual(
                value=edit.value,
                period=parse_period(sub.period) if sub.period else None,
                unit=edit.unit if edit.unit and edit.unit != edit.change.kpi.unit else None,
                note=sub.note or None,
            )
            continue
        update: dict[str, Any] = {}
        for change in edit.change.fields:
            if change.name == "value":
                update["value"] = edit.value
            elif change.name == "period":
                update["period"] = parse_period(str(change.new))
            else:
                update["note"] = change.new
        years[edit.year_label] = current.model_copy(update=update)
    return old.model_copy(update={"actuals": actuals}).model_dump()


def _keeps_order(old: Sequence[str], new: Sequence[str]) -> bool:
    remaining = iter(new)
    return all(any(item == other for other in remaining) for item in old)


def _verify(new_text: str, name: str, old: ActualsFile, edits: Sequence[_Edit]) -> None:
    """Read the edited text back; refuse it unless it holds exactly the intended data, in the old order."""
    try:
        new = _validated(new_text, name, old.plan)
    except DataError as exc:
        raise UpdateError(
            f"{name}: the edited file would not validate ({exc.problems[0]}); nothing was written"
        ) from None
    if new.model_dump() != _expected(old, edits):
        raise UpdateError(f"{name}: the edited file does not read back as intended; nothing was written")
    in_order = _keeps_order(list(old.actuals), list(new.actuals)) and all(
        _keeps_order(list(years), list(new.actuals[kpi])) for kpi, years in old.actuals.items()
    )
    if not in_order:  # pragma: no cover - the editor only inserts
        raise UpdateError(f"{name}: the edit would reorder entries; nothing was written")


# --------------------------------------------------------------------------- #
# Public API


def _new_file(plan: Plan) -> str:
    return (
        "# yaml-language-server: $schema=../../schemas/actuals.schema.json\n"
        f"# 実績値: {' '.join(plan.title.split())}\n"
        "# Created by kpitool import; comments and order you add are kept.\n"
        f"plan: {yaml_scalar(plan.id)}\n"
        "actuals: {}\n"
    )


def plan_update(path: Path, plan: Plan, year: int, submissions: Sequence[Submission]) -> UpdatePlan:
    """Work out the edit an import makes to ``path`` (the plan's actuals file) for evaluation ``year``.

    Reads the file (a missing one is started from scratch), decides each
    submission's change and builds the edited text, verified by reading it
    back. Writes nothing. Raises :class:`DataError` when the current file does
    not validate, :class:`UpdateError` for a submission that names no KPI of
    the plan, a KPI given twice, or a layout the editor does not handle.
    """
    name = str(path)
    kpis = {kpi.id: kpi for kpi, _ in plan.iter_kpis()}
    order = {kpi_id: index for index, kpi_id in enumerate(kpis)}
    seen: set[str] = set()
    for sub in submissions:
        if sub.kpi_id not in kpis:
            raise UpdateError(f"{sub.origin or name}: no KPI with id {sub.kpi_id!r} in plan {plan.id!r}")
        if sub.kpi_id in seen:
            raise UpdateError(f"{sub.origin or name}: KPI {sub.kpi_id!r} is given twice")
        seen.add(sub.kpi_id)
    old_text, bom = _read(path)
    base_text = old_text if old_text is not None else _new_file(plan)
    old = _validated(base_text, name, plan.id)
    new_label = fiscal_year_label(year)
    changes: list[EntryChange] = []
    edits: list[_Edit] = []
    for sub in sorted(submissions, key=lambda s: order[s.kpi_id]):
        years = old.actuals.get(sub.kpi_id, {})
        key = _year_key(years, year)
        kpi = kpis[sub.kpi_id]
        change = _diff(sub, kpi, years[key] if key is not None else None)
        changes.append(change)
        if change.kind is not ChangeKind.UNCHANGED:
            unit = _entry_unit(years, key, kpi)
            edits.append(_Edit(change, _written_value(sub.value, unit, kpi), unit, key or new_label))
    new_text = old_text or ""
    if edits:
        new_text = _Editor(base_text, name, plan).run(edits)
        _verify(new_text, name, old, edits)
    return UpdatePlan(
        path=path,
        plan_id=plan.id,
        year=year,
        year_label=new_label,
        changes=tuple(changes),
        old_text=old_text,
        new_text=new_text,
        changed=bool(edits),
        bom=bom,
    )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but belongs to someone else
        return True
    return True


def _stale(lock: Path) -> bool:
    """A lock left by a process of this host that no longer runs."""
    try:
        pid_text, _, host = lock.read_text(encoding="utf-8").strip().partition(" ")
        return host == socket.gethostname() and pid_text.isdigit() and not _pid_alive(int(pid_text))
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def actuals_lock(path: Path, timeout: float = DEFAULT_LOCK_TIMEOUT, poll: float = 0.05) -> Iterator[Path]:
    """Hold ``<path>.lock`` (created with O_CREAT|O_EXCL) while a read-modify-write runs.

    Waits up to ``timeout`` seconds for another holder; a lock left by a dead
    process of this host is removed. Raises :class:`LockError` after the wait,
    :class:`WriteError` when the lock cannot be created at all.
    """
    lock = path.with_name(path.name + ".lock")
    deadline = time.monotonic() + timeout
    while True:
        try:
            handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if _stale(lock):
                with contextlib.suppress(FileNotFoundError):
                    lock.unlink()
                continue
            if time.monotonic() >= deadline:
                raise LockError(
                    f"another kpitool import is running (lock {lock}); wait for it to finish, "
                    "or delete the lock file if no import is running"
                ) from None
            time.sleep(poll)
            continue
        except OSError as exc:
            raise WriteError(f"{lock}: cannot create the lock file: {exc.strerror or exc}") from None
        break
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(f"{os.getpid()} {socket.gethostname()}\n")
        yield lock
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()


def apply_update(
    path: Path,
    plan: Plan,
    year: int,
    submissions: Sequence[Submission],
    *,
    overwrite: bool = False,
    dry_run: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> UpdatePlan:
    """Apply submissions to the actuals file at ``path`` for evaluation ``year``; return what changed.

    Under the lock: re-read the file, decide, refuse conflicts unless
    ``overwrite`` (:class:`ConflictError`, nothing written), write atomically.
    With ``dry_run`` nothing is locked or written; conflicts still raise.
    """
    if dry_run:
        result = plan_update(path, plan, year, submissions)
        if result.conflicts and not overwrite:
            raise ConflictError(result)
        return result
    with actuals_lock(path, lock_timeout):
        result = plan_update(path, plan, year, submissions)
        if result.conflicts and not overwrite:
            raise ConflictError(result)
        if result.changed:
            write_bytes_atomic(path, result.encoded())
    return result
