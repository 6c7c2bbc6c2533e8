"""The comment-keeping YAML text editor: actuals files are edited as text, never re-serialised.

A new evaluation year becomes one inserted line ``R6: {value: 15048, period: R4年度}``
in the layout of docs/data-format.md, a changed value replaces only the scalar
that held it, and every other byte — comments, blank lines, quoting, the order
of KPIs and years — stays as it was. New KPIs go after the KPI that precedes
them in the plan, new years after the year before them.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from decimal import Decimal

import yaml

from kpitool.model.plan import Plan
from kpitool.update.changes import EditKind, EntryEdit, UpdateError, sort_year
from kpitool.values.fiscal_year import parse_fiscal_year

__all__ = ["edit_text", "flow_line", "yaml_scalar"]

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


def yaml_scalar(value: Decimal | str | None) -> str:
    """A value as a YAML scalar kpitool's loader reads back exactly.

    Numbers are written in full (never an exponent); text is plain when YAML
    would read it as the same text, else double-quoted with escapes; None is ``null``.
    """
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        return format(value, "f")
    return value if _plain_safe(value) else _double_quoted(value)


def flow_line(edit: EntryEdit) -> str:
    """A new entry as one line: ``R6: {value: 15048, period: R4年度}``."""
    inner = ", ".join(f"{name}: {yaml_scalar(value)}" for name, value in edit.fields())
    return f"{edit.key}: {{{inner}}}"


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

    def run(self, edits: Sequence[EntryEdit]) -> str:
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
    def _kpi_lines(edit: EntryEdit, kpi_column: int, year_column: int) -> list[str]:
        return [" " * kpi_column + f"{edit.change.kpi.id}:", " " * year_column + flow_line(edit)]

    def _edit_kpi(self, key_node: yaml.Node, years: yaml.Node, edit: EntryEdit, year_column: int) -> None:
        where = f"actuals.{edit.change.kpi.id}"
        if edit.change.kind is EditKind.ADD and _is_empty(years):
            self._clear(key_node, years)
            self.text.insert_lines_after(key_node.start_mark.line, [" " * year_column + flow_line(edit)])
            return
        if not isinstance(years, yaml.MappingNode) or years.flow_style:
            raise _unsupported(self.name, years, where)
        if edit.change.kind is EditKind.ADD:
            year = parse_fiscal_year(edit.key)
            before = [value for key, value in years.value if sort_year(key.value) < year]
            line = self.text.last_line(before[-1]) if before else key_node.start_mark.line
            column = int(years.value[0][0].start_mark.column)
            self.text.insert_lines_after(line, [" " * column + flow_line(edit)])
            return
        found = _find(years, edit.key)
        assert found is not None
        assert isinstance(found[1], yaml.MappingNode)  # the model requires a mapping
        self._edit_entry(found[1], edit)

    def _edit_entry(self, node: yaml.MappingNode, edit: EntryEdit) -> None:
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


def edit_text(text: str, name: str, plan: Plan, edits: Sequence[EntryEdit]) -> str:
    """The actuals file ``text`` (validated, for ``plan``) with ``edits`` applied; ``name`` is for messages.

    Raises :class:`UpdateError` for a part written in flow style that an edit must enter.
    """
    return _Editor(text, name, plan).run(edits)
