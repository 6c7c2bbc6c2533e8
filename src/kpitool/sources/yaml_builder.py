"""YAML parser events → plain Python values, strictly, with the place of each value.

The strict rules of :mod:`kpitool.sources.yaml_strict` live here: duplicate keys,
anchors and aliases, merge keys and unknown tags are problems at their line;
numbers become :class:`~decimal.Decimal` as written; scalars YAML 1.1 would
retype become :class:`~kpitool.model.fields.AmbiguousScalar`; and the sizes
a hostile file could blow up (depth, nodes, problems) are capped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import yaml

from kpitool.model.fields import AmbiguousScalar
from kpitool.problems import Problem, format_path
from kpitool.values.text import describe_hidden, hidden_character

__all__ = ["MAX_DEPTH", "MAX_NODES", "MAX_PROBLEMS", "UNSUPPORTED", "Loc", "ValueBuilder", "typed_scalar"]

MAX_DEPTH = 64
"""Deepest nesting accepted; the model needs about 12 levels."""

MAX_NODES = 200_000
"""Most YAML nodes (keys, values, lists, mappings) read from one file; the largest bundled plan has 2,700."""

MAX_PROBLEMS = 100
"""Problems reported per file before reading stops: a hostile file cannot flood memory or the screen."""

_TAG = "tag:yaml.org,2002:"
_DECIMAL_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_DECIMAL_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)")
# A plain number split by a comma inside {…}: `{value: 1,234}` is value 1 and a key '234'.
_NUMBER_HEAD = re.compile(r"[-+]?[1-9][0-9]{0,2}")
_NUMBER_TAIL = re.compile(r"[0-9]{3}(?:\.[0-9]+)?")
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


Loc = tuple[str | int, ...]
"""A field path: mapping keys and list indices."""


def _place(mark: Any) -> tuple[int, int]:
    """(line, column), 1-based, of a parser mark."""
    return mark.line + 1, mark.column + 1


class _Stop(Exception):
    """Reading a file stops early: nested too deep, or too many problems to be worth listing."""


@dataclass
class _Frame:
    """A mapping or sequence being built, or the document root (whose ``value`` is the result)."""

    loc: Loc
    value: Any
    flow: bool = False
    key: str | None = None
    """In a mapping: the key whose value comes next; None while a key is expected."""
    first_line: dict[str, int] = field(default_factory=dict)
    last_number: str | None = None
    """In a flow mapping: the last value if it was a short plain number (to explain ``{value: 1,234}``)."""


class ValueBuilder:
    """Turns the parser's event stream into Python values, recording marks and problems.

    Built from events, not from PyYAML's node tree: the composer recurses (a
    file nested 100,000 deep crashes the interpreter) and keeps every node.
    This builder keeps an explicit stack and stops at :data:`MAX_DEPTH`,
    refuses each alias at its line without expanding it, and stops after
    :data:`MAX_PROBLEMS`; a hostile file costs one linear pass.
    """

    def __init__(self, name: str, loader: Any) -> None:
        self.name = name
        self.marks: dict[Loc, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self._loader = loader
        self._events = 0

    def _next(self) -> Any:
        """The next parser event; stop past :data:`MAX_NODES` (a huge file is refused, not built)."""
        event = self._loader.get_event()
        self._events += 1
        if self._events > MAX_NODES:
            message = f"more than {MAX_NODES:,} YAML nodes (keys and values): too large for a data file"
            self.fail(event.start_mark, (), message, "size")
            raise _Stop
        return event

    def fail(self, mark: Any, loc: Loc, message: str, code: str) -> None:
        """Record a problem at a parser mark; stop reading once there are :data:`MAX_PROBLEMS`."""
        where = (self.name, *_place(mark))
        path = format_path(loc)
        if len(path) > 200:  # 64 levels of long keys: keep the end, where the problem is
            path = "…" + path[-200:]
        self.problems.append(Problem(*where, path, message, code=code))
        if len(self.problems) >= MAX_PROBLEMS:
            self.problems.append(
                Problem(*where, "", f"stopped after {MAX_PROBLEMS} problems; fix these first", code=code)
            )
            raise _Stop

    def read(self) -> tuple[bool, Any]:
        """Build the stream's one document: ``(False, None)`` when there is none.

        Reading stops early at a limit (the problem is recorded); a second document is a problem.
        """
        found, data = False, None
        try:
            found, data = self.document()
            if found and self._loader.check_event(yaml.DocumentStartEvent):
                mark = self._loader.get_event().start_mark
                self.fail(mark, (), "a second YAML document (---): a data file holds one", "yaml")
        except _Stop:
            pass
        return found, data

    def document(self) -> tuple[bool, Any]:
        """Build the first document of the stream: ``(False, None)`` when there is none."""
        if self._loader.check_event(yaml.StreamStartEvent):
            self._next()
        if self._loader.check_event(yaml.StreamEndEvent):
            return False, None
        self._next()  # DocumentStartEvent
        root = _Frame((), None)
        stack = [root]
        done = False
        while not done:
            event = self._next()
            frame = stack[-1]
            if isinstance(frame.value, dict) and frame.key is None:
                if isinstance(event, yaml.MappingEndEvent):
                    stack.pop()
                    done = self._deliver(stack[-1], frame.value)
                else:
                    self._key(frame, event, len(stack))
                continue
            if isinstance(event, yaml.SequenceEndEvent):
                stack.pop()
                done = self._deliver(stack[-1], frame.value)
                continue
            loc = self._child_loc(frame)
            if isinstance(frame.value, list) or frame is root:
                self.marks[loc] = _place(event.start_mark)
            if isinstance(event, yaml.AliasEvent):
                self.fail(event.start_mark, loc, "anchors and aliases (&, *) are not allowed", "yaml")
                done = self._deliver(frame, None)
            elif isinstance(event, yaml.ScalarEvent):
                if frame.flow:
                    plain = not event.style and _NUMBER_HEAD.fullmatch(event.value)
                    frame.last_number = event.value if plain else None
                done = self._deliver(frame, self._scalar(event, loc))
            else:
                assert isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent)
                if len(stack) > MAX_DEPTH:
                    self.fail(event.start_mark, loc, f"nested deeper than {MAX_DEPTH} levels", "yaml")
                    raise _Stop
                is_map = isinstance(event, yaml.MappingStartEvent)
                tag = self._tag(event, yaml.MappingNode if is_map else yaml.SequenceNode)
                if tag != _TAG + ("map" if is_map else "seq"):
                    self.fail(event.start_mark, loc, f"unsupported tag {tag}", "yaml")
                stack.append(_Frame(loc, {} if is_map else [], flow=bool(event.flow_style)))
        self._next()  # DocumentEndEvent
        return True, root.value

    @staticmethod
    def _child_loc(frame: _Frame) -> Loc:
        if isinstance(frame.value, list):
            return (*frame.loc, len(frame.value))
        if frame.key is not None:
            return (*frame.loc, frame.key)
        return frame.loc

    @staticmethod
    def _deliver(frame: _Frame, value: Any) -> bool:
        """Store a finished value in its parent; True when it was the document's root."""
        if isinstance(frame.value, list):
            frame.value.append(value)
            return False
        if isinstance(frame.value, dict):
            assert frame.key is not None
            frame.value[frame.key] = value
            frame.key = None
            return False
        frame.value = value
        return True

    def _tag(self, event: yaml.NodeEvent, kind: type[yaml.Node]) -> str:
        tag: str | None = getattr(event, "tag", None)
        if tag is None or tag == "!":
            value = event.value if isinstance(event, yaml.ScalarEvent) else None
            tag = self._loader.resolve(kind, value, event.implicit)  # type: ignore[attr-defined]
        return str(tag)

    def _skip(self, event: yaml.Event, depth: int) -> None:
        """Consume the rest of a node that is not kept (the value of a duplicate key …)."""
        level = 0
        while True:
            if isinstance(event, yaml.CollectionStartEvent):
                level += 1
                if depth + level > MAX_DEPTH:
                    self.fail(event.start_mark, (), f"nested deeper than {MAX_DEPTH} levels", "yaml")
                    raise _Stop
            elif isinstance(event, yaml.CollectionEndEvent):
                level -= 1
            if level == 0:
                return
            event = self._next()

    def _key(self, frame: _Frame, event: yaml.Event, depth: int) -> None:
        """Read a mapping key; after a bad or duplicate key, skip its value."""
        loc = frame.loc
        if isinstance(event, yaml.AliasEvent):
            self.fail(event.start_mark, loc, "anchors and aliases (&, *) are not allowed", "yaml")
        elif not isinstance(event, yaml.ScalarEvent):
            self.fail(event.start_mark, loc, "a key must be plain text", "yaml")
            self._skip(event, depth)
        elif self._hidden(event, loc):
            pass
        elif event.value == "<<" and self._tag(event, yaml.ScalarNode) == _TAG + "merge":
            self.fail(event.start_mark, loc, "merge keys (<<) are not allowed", "yaml")
        elif frame.last_number is not None and self._split_number(event):
            written = f"{frame.last_number},{event.value}"
            message = (
                f"{written} inside {{…}} is split at its commas (they separate the entries there); "
                f'quote the number: "{written}"'
            )
            if "," in frame.last_number:  # a further group of the same number: say it once
                self.problems[-1] = replace(self.problems[-1], message=message)
            else:
                self.fail(event.start_mark, loc, message, "yaml")
            frame.last_number = written
        elif event.value in frame.first_line:
            key = event.value
            self.fail(
                event.start_mark,
                (*loc, key),
                f"duplicate key {key!r} (first at line {frame.first_line[key]})",
                "duplicate-key",
            )
        else:
            key = event.value  # keys are names: always their text as written
            frame.first_line[key] = _place(event.start_mark)[0]
            self.marks[(*loc, key)] = _place(event.start_mark)
            frame.key = key
            return
        self._skip(self._next(), depth)

    def _split_number(self, event: yaml.ScalarEvent) -> bool:
        # {value: 1,234} parses as value: 1 and a key '234' with no value.
        if event.style or not _NUMBER_TAIL.fullmatch(event.value):  # style is '' or None when plain
            return False
        following = self._loader.peek_event()
        return isinstance(following, yaml.ScalarEvent) and not following.style and not following.value

    def _hidden(self, event: yaml.ScalarEvent, loc: Loc) -> bool:
        """Refuse text holding a control or direction-changing character; True if it does."""
        found = hidden_character(event.value)  # echoed in a message, a control rewrites the terminal
        if found is None:
            return False
        self.fail(event.start_mark, loc, f"the text holds {describe_hidden(found)}; remove it", "yaml")
        return True

    def _scalar(self, event: yaml.ScalarEvent, loc: Loc) -> Any:
        if self._hidden(event, loc):
            return None
        tag = self._tag(event, yaml.ScalarNode)
        value = typed_scalar(tag, event.value)
        if value is UNSUPPORTED:
            self.fail(event.start_mark, loc, f"unsupported tag {tag}", "yaml")
            return None
        return value


UNSUPPORTED = object()
"""What :func:`typed_scalar` returns for a tag the data format does not use."""


def typed_scalar(tag: str, text: str) -> Any:
    """The value of a scalar of a resolved ``tag``: text, None, a boolean, a Decimal as written, or
    :class:`~kpitool.model.fields.AmbiguousScalar`; :data:`UNSUPPORTED` for another tag."""
    if tag == _TAG + "str":
        return text
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return AmbiguousScalar(text, "YAML 1.1 reads it as a boolean; write true/false")
    if tag == _TAG + "int":
        if _DECIMAL_INT.fullmatch(text):
            return Decimal(text)
        return AmbiguousScalar(text, "YAML 1.1 reads it as a number in another base")
    if tag == _TAG + "float":
        if _DECIMAL_FLOAT.fullmatch(text):
            return Decimal(text)
        return AmbiguousScalar(text, "exponents, .inf and .nan are not accepted; write the number in full")
    if tag == _TAG + "timestamp":
        return AmbiguousScalar(text, "YAML reads it as a date or time")
    return UNSUPPORTED
