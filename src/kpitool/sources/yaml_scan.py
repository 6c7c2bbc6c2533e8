"""The quickest path of reading a YAML data file: a scanner for the block style the data is written in.

A national corpus is two million lines of one narrow style: mapping keys, ``- ``
list items, one-line plain, single- or double-quoted scalars, one-line flat
``{key: value, …}`` and ``[a, b]``, comments and blank lines. :func:`scan_values`
reads exactly that subset line by line with an indentation stack — no parser
events, no Python object per event — and resolves each plain scalar by the same
rules as the full builder (:func:`~kpitool.sources.yaml_builder.typed_scalar`
over PyYAML's resolver: YAML 1.1 ambiguities, numbers as written). At the first
thing outside the subset it returns :data:`FALLBACK`, and the caller reads the
file with libyaml's events (:mod:`kpitool.sources.yaml_fast`), which in turn falls
back to the full builder: a flow collection nested or over lines, an anchor, alias
or tag, a block scalar (``|`` ``>``), a plain or quoted scalar over lines, a
``:`` or `` #`` inside a plain scalar, a tab, a carriage return or a YAML line break
other than ``\\n``, a ``?`` key, a quoted key, a directive or document marker beyond
one leading ``---``, a duplicate key, a hidden character, indentation it does not
expect, a backslash escape, a line over :data:`_MAX_LINE` characters, nesting or
size near the builder's limits. So whatever it returns is what the full builder
returns for the file, types included (tests/sources/test_yaml_scan.py compares them).

Each distinct line is read once (the corpus repeats a line five times on average):
the line's reading is remembered, its scalars already resolved and shared.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from kpitool.sources.yaml_builder import MAX_DEPTH, MAX_NODES, UNSUPPORTED, typed_scalar
from kpitool.values.text import HIDDEN_CHARACTER, hidden_character

__all__ = [
    "FALLBACK",
    "forget_if_full",
    "plain_memo",
    "plain_value",
    "scan_values",
    "shared_text",
    "text_memo",
]

FALLBACK: Any = object()
"""What :func:`scan_values` (and :func:`~kpitool.sources.yaml_fast.fast_values`) return for a
file the next reader must read."""

_MEMO_LIMIT = 200_000
"""Distinct scalars remembered before the memo starts afresh, and flow entries remembered: bounded memory."""

_LINE_LIMIT = 100_000
"""Distinct lines remembered (about 40 MB); then that memo starts afresh (repeated lines come back soon)."""

_MAX_LINE = 4096
"""Longest line scanned (libyaml's simple keys end at 1,024 characters; a data line is short)."""

_RESOLVER: Any = yaml.resolver.Resolver()
_NOT_SCANNED = re.compile("[\t\r\u2028\u2029\ufffe\uffff]|" + HIDDEN_CHARACTER.pattern)
"""A character the scanner leaves to the parsers: layout YAML reads its own way, or hidden text."""
_NAME = r"(?:\w|[^\x00-\x7f\s])(?:[\w.\-]|[^\x00-\x7f\s]){0,127}"
"""A key: a word, a symbol such as ○, dots and hyphens after the first character."""
_KEY = re.compile(f"({_NAME}):(?: +|\\Z)")
_PLAIN_START = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`]|-[0-9.]")
_DOUBLE = re.compile(r'"([^"\\]*)"(?: +#.*| *)')
_SINGLE = re.compile(r"'((?:[^']|'')*)'(?: +#.*| *)")
_FLOW = re.compile(r"([\[{])([^\[\]{}]*)([\]}])(?: +#.*| *)")
_FLOW_ITEM = re.compile(
    f" *(?:({_NAME}): +)?"
    r"(?:\"([^\"\\]*)\"|'((?:[^']|'')*)'|((?:[^\s,\[\]{}#:'\"!&*|>%@`?\-]|-[0-9.])[^,\[\]{}#:]*?))"
    r" *(?:,|\Z)"
)
_NUMBER_TAIL = re.compile(r"[0-9]{3}(?:\.[0-9]+)?")  # a flow key that may be the tail of {value: 1,234}

_plain: dict[str, Any] = {}
"""Plain scalar text → its value (str, None, bool, Decimal, AmbiguousScalar)."""
_quoted: dict[str, str] = {}
"""Text (quoted scalars, keys, plain text) → the one shared string."""
_lines: dict[str, Any] = {}
"""A line → its reading (:func:`_entry`)."""
_items: dict[str, tuple[Any, Any]] = {}
"""An entry of a flow collection as written → (its key or None, its value)."""
plain_memo, text_memo = _plain, _quoted
"""The memos, shared with :mod:`kpitool.sources.yaml_fast` (its loop looks them up inline, for speed)."""

_SCALAR, _MAP, _SEQ, _OPEN = range(4)
_SKIP: Any = ()
"""The reading of a blank or comment line."""
_START: Any = ("---",)
"""The reading of a leading ``---``."""


class _Fallback(Exception):
    """The file is outside the scanned subset."""


def forget_if_full() -> None:
    """Start the memos afresh once they hold :data:`_MEMO_LIMIT` entries."""
    if len(_plain) > _MEMO_LIMIT or len(_quoted) > _MEMO_LIMIT:
        _plain.clear()
        _quoted.clear()
        _lines.clear()
        _items.clear()


def shared_text(text: str) -> Any:
    """The one shared string equal to ``text``; :data:`FALLBACK` if it holds a hidden character."""
    shared = _quoted.get(text)
    if shared is None:
        if hidden_character(text) is not None:
            return FALLBACK
        _quoted[text] = shared = text
    return shared


def plain_value(text: str) -> Any:
    """A plain scalar's value as the full builder types it (``ValueBuilder._scalar``), shared; or FALLBACK."""
    value = _plain.get(text, _plain)
    if value is _plain:
        if hidden_character(text) is not None:
            return FALLBACK
        value = typed_scalar(_RESOLVER.resolve(yaml.ScalarNode, text, (True, False)), text)
        if value is UNSUPPORTED:  # `<<` or `=` written as a value
            return FALLBACK
        if isinstance(value, str):  # one object for the text, plain or quoted
            value = _quoted.setdefault(value, value)
        _plain[text] = value
    return value


def _checked(value: Any) -> Any:
    if value is FALLBACK:
        raise _Fallback
    return value


def _item(piece: str) -> tuple[Any, Any]:
    """One entry of a flat flow collection, ``key: value`` or ``value``: (the key or None, the value)."""
    match = _FLOW_ITEM.fullmatch(piece)
    if match is None:
        raise _Fallback
    key, double, single, plain = match.groups()
    if double is not None:
        value = shared_text(double)
    elif single is not None:
        value = shared_text(single.replace("''", "'"))
    else:
        value = plain_value(plain)
    if key is not None:
        key = shared_text(key) if not _NUMBER_TAIL.fullmatch(key) else FALLBACK  # {value: 1,234}
    if value is FALLBACK or key is FALLBACK:
        raise _Fallback
    return key, value


def _pieces(inner: str) -> list[str]:
    """The entries of a flat flow collection as written, split at the commas outside quotes."""
    if '"' not in inner and "'" not in inner:
        return inner.split(",")
    pieces, position = [], 0
    while position < len(inner):
        match = _FLOW_ITEM.match(inner, position)
        if match is None or match.end() == position:
            raise _Fallback
        pieces.append(inner[position : match.end()].rstrip(","))
        position = match.end()
    if inner.rstrip(" ").endswith(","):  # a trailing comma: valid YAML, left to the parser
        raise _Fallback
    return pieces


def _flow(opening: str, inner: str) -> tuple[int, tuple[Any, ...], int]:
    """``{k: v, …}`` → (_MAP, pairs, events) or ``[a, …]`` → (_SEQ, items, events), flat, on one line."""
    items, item_of = _items, _item
    found = []
    for piece in _pieces(inner) if inner.strip(" ") else ():
        item = items.get(piece)
        if item is None:
            item = item_of(piece)
            if len(items) < _MEMO_LIMIT:
                items[piece] = item
        found.append(item)
    if opening == "{":
        if None in {key for key, _ in found} or len({key for key, _ in found}) != len(found):
            raise _Fallback  # an entry without a key, or a duplicate key
        return _MAP, tuple(found), 2 + 2 * len(found)
    if any(key is not None for key, _ in found):  # [a: 1] is a list of one mapping
        raise _Fallback
    return _SEQ, tuple(value for _, value in found), 2 + len(found)


def _value(rest: str) -> tuple[int, Any, int]:
    """What follows ``key: `` or ``- ``: (kind, value or flow entries, events)."""
    if not rest or rest[0] == "#":
        return _OPEN, None, 0
    first = rest[0]
    if first == '"' or first == "'":
        match = (_DOUBLE if first == '"' else _SINGLE).fullmatch(rest)
        if match is None:
            raise _Fallback
        text = match.group(1)
        return _SCALAR, _checked(shared_text(text if first == '"' else text.replace("''", "'"))), 1
    if first == "{" or first == "[":
        match = _FLOW.fullmatch(rest)
        if match is None or (match.group(1) == "{") != (match.group(3) == "}"):
            raise _Fallback
        return _flow(match.group(1), match.group(2))
    cut = rest.find(" #")
    text = (rest if cut < 0 else rest[:cut]).rstrip(" ")
    if ":" in text or not _PLAIN_START.match(text):
        raise _Fallback
    return _SCALAR, _checked(plain_value(text)), 1


def _entry(line: str) -> Any:
    """A line's reading: _SKIP, _START, or (indent, column of a list item's content or -1, kind, key,
    value, events)."""
    if len(line) > _MAX_LINE or _NOT_SCANNED.search(line):
        raise _Fallback
    body = line.lstrip(" ")
    indent = len(line) - len(body)
    if not body or body[0] == "#":
        return _SKIP
    if body.rstrip(" ") == "---" and not indent:
        return _START
    column = -1
    if body[0] == "-" and (len(body) == 1 or body[1] == " "):
        rest = body[1:].lstrip(" ")
        column = len(line) - len(rest)
        if rest[:1] == "-" and (len(rest) == 1 or rest[1] == " "):  # - - a: a list in a list
            raise _Fallback
        body = rest
    match = _KEY.match(body)
    if match is None:
        if column < 0:
            raise _Fallback
        kind, value, events = _value(body)
        return indent, column, kind, None, value, events
    kind, value, events = _value(body[match.end() :])
    return indent, column, kind, _checked(shared_text(match.group(1))), value, events + 1


def scan_values(text: str) -> Any:
    """The values of a file in the scanned subset as the full builder builds them, else :data:`FALLBACK`."""
    forget_if_full()
    if ("|" in text or ">" in text) and _block_scalar(text):  # the bundled data's style: leave at once
        return FALLBACK
    try:
        return _scan(text[1:] if text[:1] == "\ufeff" else text)  # a BOM, as Windows editors write it
    except _Fallback:
        return FALLBACK


def _block_scalar(text: str) -> bool:
    """Whether the text holds a block scalar (``key: |`` …), as written in the usual spacing."""
    return ": |" in text or ": >" in text or "- |" in text or "- >" in text


def _built(kind: int, value: Any) -> Any:
    if kind == _MAP:
        return dict(value)
    if kind == _SEQ:
        return list(value)
    return value


def _scan(text: str) -> Any:
    """Long because it is the one loop over every line of a file, kept flat for speed.

    A frame is an open block collection: (indent, container, is it a mapping, is it a
    list written at its key's indent). ``pending`` is a ``key:`` or ``-`` whose value
    is on the following lines: (container, key or None, indent of its collection,
    is it a mapping).
    """
    lines, entry_of = _lines, _entry
    root: dict[str, Any] = {}
    frame: tuple[int, Any, bool, bool] = (0, root, True, False)
    stack = [frame]
    pending: tuple[Any, Any, int, bool] | None = None
    started = content = False
    events, depth = 4, MAX_DEPTH - 4
    for line in text.split("\n"):
        entry = lines.get(line)
        if entry is None:
            entry = entry_of(line)
            if len(lines) >= _LINE_LIMIT:  # afresh: the lines that repeat come back soon
                lines.clear()
            lines[line] = entry
        if entry is _SKIP:
            continue
        if entry is _START:
            if started or content:
                raise _Fallback
            started = True
            continue
        indent, column, kind, key, value, count = entry
        events += count
        if pending is None and column < 0 and indent == frame[0] and frame[2]:  # the next key: most lines
            container = frame[1]
            if key in container:
                raise _Fallback
            if kind == _SCALAR:
                container[key] = value
            elif kind == _OPEN:
                pending = (container, key, indent, True)
            else:
                container[key] = dict(value) if kind == _MAP else list(value)
            content = True
            continue
        if not content and (indent or column >= 0):  # the root is a mapping at the left margin
            raise _Fallback
        content = True
        if pending is not None:
            slot, slot_key, slot_indent, slot_is_map = pending
            pending = None
            if indent > slot_indent or (indent == slot_indent and column >= 0 and slot_is_map):
                if column < 0 and key is None:  # more text under a key: a scalar over lines
                    raise _Fallback
                new: Any = [] if column >= 0 else {}
                frame = (indent, new, column < 0, indent == slot_indent)
                stack.append(frame)
                events += 2
                if len(stack) > depth:
                    raise _Fallback
            else:
                new = None
            if slot_is_map:
                slot[slot_key] = new
            else:
                slot.append(new)
        while frame[0] > indent:
            stack.pop()
            frame = stack[-1]
        if frame[0] != indent:
            raise _Fallback
        container = frame[1]
        if column >= 0:
            if frame[2]:  # a list item where a mapping's key belongs
                raise _Fallback
            if key is None:
                if kind == _OPEN:
                    pending = (container, None, indent, False)
                else:
                    container.append(_built(kind, value))
                continue
            mapping: dict[str, Any] = {}
            container.append(mapping)
            frame = (column, mapping, True, False)
            stack.append(frame)
            events += 2
            if len(stack) > depth:
                raise _Fallback
            container, indent = mapping, column
        elif not frame[2]:
            if not frame[3]:  # a key where a list item belongs
                raise _Fallback
            stack.pop()  # the key after a list written at its key's indent
            frame = stack[-1]
            container = frame[1]
        if key is None or key in container:
            raise _Fallback
        if kind == _OPEN:
            pending = (container, key, indent, True)
        else:
            container[key] = _built(kind, value)
    if pending is not None:
        if pending[3]:
            pending[0][pending[1]] = None
        else:
            pending[0].append(None)
    if not content or events > MAX_NODES - 8:
        raise _Fallback
    return root
