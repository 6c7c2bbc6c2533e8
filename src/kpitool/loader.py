"""YAML → model, with every problem located at file:line:column.

PyYAML's loaders are too forgiving for data that many hands edit: the safe
loader keeps the last of two duplicate keys, expands aliases (billion laughs)
and turns ``0123``, ``no`` and ``2025-04-01`` into numbers, booleans and dates.
So we let the C composer build the node tree (fast, with marks) and construct
the Python values ourselves:

- duplicate keys, anchors/aliases and unknown tags are errors at their line;
- YAML numbers become :class:`~decimal.Decimal` from the text as written;
- scalars YAML 1.1 would silently retype (octal, sexagesimal, yes/no, dates,
  ``.inf``, exponents) become :class:`~kpitool.model.AmbiguousScalar`, which
  every field refuses with a hint to quote it;
- a :class:`SourceMap` remembers where each value was written, so pydantic's
  error locations map back to lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from kpitool.model import ActualsFile, AmbiguousScalar, Plan
from kpitool.problems import DataError, Problem, Severity, format_path

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "ActualsDocument",
    "Document",
    "LoadedData",
    "PlanDocument",
    "SourceMap",
    "discover",
    "load_data",
    "parse_yaml",
    "read_document",
]

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest YAML file read (20 MiB): a plan is well under 1 MiB; more is a mistake or an attack."""

MAX_DEPTH = 64
"""Deepest nesting accepted; the model needs about 12 levels."""

_SafeLoader: type[yaml.SafeLoader]
try:  # the C composer is ~3× faster; it ships with PyYAML wheels
    _SafeLoader = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _SafeLoader = yaml.SafeLoader

_TAG = "tag:yaml.org,2002:"
_DECIMAL_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_DECIMAL_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)")
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}

Loc = tuple[str | int, ...]


@dataclass
class SourceMap:
    """Where each value of a document was written: field path → (line, column), 1-based.

    For a mapping entry the place is its key (where a person looks for the
    field); for a list item, the item itself.
    """

    marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def locate(self, loc: Sequence[str | int]) -> tuple[int, int]:
        """The place of the longest prefix of ``loc`` that was written in the file."""
        path = tuple(loc)
        while path:
            found = self.marks.get(path)
            if found is not None:
                return found
            path = path[:-1]
        return self.marks.get((), (1, 1))


@dataclass
class Document:
    """A YAML file read into plain Python values, with its source map."""

    path: Path
    data: Any
    source_map: SourceMap

    @property
    def name(self) -> str:
        """The path as given, for messages."""
        return str(self.path)

    def problem(
        self,
        loc: Sequence[str | int],
        message: str,
        *,
        severity: Severity = Severity.ERROR,
        code: str = "data",
    ) -> Problem:
        """A problem located at ``loc`` in this document."""
        line, column = self.source_map.locate(loc)
        return Problem(self.name, line, column, format_path(loc), message, severity, code)


@dataclass
class PlanDocument:
    """A validated plan and where it came from."""

    document: Document
    plan: Plan


@dataclass
class ActualsDocument:
    """A validated actuals file and where it came from."""

    document: Document
    actuals: ActualsFile


class _Builder:
    """Turns a composed node tree into Python values, recording marks and problems."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.source_map = SourceMap()
        self.problems: list[Problem] = []
        self._seen: set[int] = set()

    def fail(self, mark: yaml.Mark, loc: Loc, message: str, code: str) -> None:
        self.problems.append(
            Problem(self.name, mark.line + 1, mark.column + 1, format_path(loc), message, code=code)
        )

    def build(self, node: yaml.Node, loc: Loc, depth: int = 0) -> Any:
        # An alias yields the very node object it refers to: a second visit is an alias.
        if id(node) in self._seen:
            # The node's own mark is the anchor's; the alias sits where its key was written.
            line, column = self.source_map.marks.get(
                loc, (node.start_mark.line + 1, node.start_mark.column + 1)
            )
            self.problems.append(
                Problem(
                    self.name,
                    line,
                    column,
                    format_path(loc),
                    "anchors and aliases (&, *) are not allowed",
                    code="yaml",
                )
            )
            return None
        self._seen.add(id(node))
        if depth > MAX_DEPTH:
            self.fail(node.start_mark, loc, f"nested deeper than {MAX_DEPTH} levels", "yaml")
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc, depth)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node, loc, depth)
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node, loc)

    def _mapping(self, node: yaml.MappingNode, loc: Loc, depth: int) -> dict[str, Any]:
        if node.tag != _TAG + "map":
            self.fail(node.start_mark, loc, f"unsupported tag {node.tag}", "yaml")
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node.start_mark, loc, "a key must be plain text", "yaml")
                continue
            key = key_node.value  # keys are names: always their text as written
            if key == "<<" and key_node.tag == _TAG + "merge":
                self.fail(key_node.start_mark, loc, "merge keys (<<) are not allowed", "yaml")
                continue
            key_loc = (*loc, key)
            if key in first_line:
                self.fail(
                    key_node.start_mark,
                    key_loc,
                    f"duplicate key {key!r} (first at line {first_line[key]})",
                    "duplicate-key",
                )
                continue
            first_line[key] = key_node.start_mark.line + 1
            self.source_map.marks[key_loc] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            result[key] = self.build(value_node, key_loc, depth + 1)
        return result

    def _sequence(self, node: yaml.SequenceNode, loc: Loc, depth: int) -> list[Any]:
        if node.tag != _TAG + "seq":
            self.fail(node.start_mark, loc, f"unsupported tag {node.tag}", "yaml")
        items = []
        for index, item in enumerate(node.value):
            item_loc = (*loc, index)
            self.source_map.marks[item_loc] = (item.start_mark.line + 1, item.start_mark.column + 1)
            items.append(self.build(item, item_loc, depth + 1))
        return items

    def _scalar(self, node: yaml.ScalarNode, loc: Loc) -> Any:
        tag, text = node.tag, node.value
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
            return AmbiguousScalar(
                text, "exponents, .inf and .nan are not accepted; write the number in full"
            )
        if tag == _TAG + "timestamp":
            return AmbiguousScalar(text, "YAML reads it as a date or time")
        self.fail(node.start_mark, loc, f"unsupported tag {tag}", "yaml")
        return None


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):  # a UTF-8 BOM, as Windows editors write it
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = ""
        try:
            raw.decode("cp932")
            hint = " (it looks like Shift_JIS/CP932)"
        except UnicodeDecodeError:
            pass
        raise DataError(
            [
                Problem(
                    name,
                    line,
                    column,
                    "",
                    f"file is not UTF-8{hint}: byte 0x{raw[exc.start]:02x} cannot be decoded; "
                    "save it as UTF-8",
                    code="encoding",
                )
            ]
        ) from None


def parse_yaml(text: str, name: str) -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`DataError` with every problem."""
    try:
        node = yaml.compose(text, Loader=_SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        what = " ".join(x for x in (exc.context, exc.problem) if x)
        raise DataError(
            [Problem(name, line, column, "", f"YAML syntax error: {what}", code="yaml")]
        ) from None
    except yaml.YAMLError as exc:  # e.g. a character libyaml refuses
        raise DataError([Problem(name, None, None, "", f"YAML error: {exc}", code="yaml")]) from None
    if node is None:
        raise DataError([Problem(name, 1, 1, "", "file is empty", code="yaml")])
    builder = _Builder(name)
    data = builder.build(node, ())
    builder.source_map.marks[()] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if builder.problems:
        raise DataError(builder.problems)
    return Document(Path(name), data, builder.source_map)


def read_document(path: Path) -> Document:
    """Read and parse one YAML file; raise :class:`DataError` for any problem with it."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DataError(
                [
                    Problem(
                        name,
                        None,
                        None,
                        "",
                        f"file is {size / 1048576:.1f} MiB, over the {MAX_FILE_BYTES // 1048576} MiB "
                        "limit for a plan data file",
                        code="size",
                    )
                ]
            )
        raw = path.read_bytes()
    except IsADirectoryError:
        raise DataError([Problem(name, None, None, "", "is a directory, not a file", code="io")]) from None
    except OSError as exc:
        raise DataError(
            [Problem(name, None, None, "", f"cannot read: {exc.strerror or exc}", code="io")]
        ) from None
    return parse_yaml(_decode(raw, name), name)


ModelT = TypeVar("ModelT", bound=BaseModel)


def _message(error: Any) -> str:
    msg = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if error["type"] == "extra_forbidden":
        return "unknown field (not in the format; check the spelling)"
    if error["type"] == "missing":
        return "required field is missing"
    return msg


def validate_document(document: Document, model: type[ModelT]) -> ModelT:
    """Validate a document against a model; raise :class:`DataError` with located problems."""
    if not isinstance(document.data, dict):
        kind = "a list" if isinstance(document.data, list) else "a single value"
        raise DataError([document.problem((), f"expected a mapping of fields, got {kind}", code="schema")])
    try:
        return model.model_validate(document.data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False, include_input=False):
            loc = tuple(error["loc"])
            if loc and loc[-1] == "[key]":  # an invalid dict key: point at the key itself
                loc = loc[:-1]
            problems.append(document.problem(loc, _message(error), code="schema"))
        raise DataError(problems) from None


def is_actuals(data: Any) -> bool:
    """An actuals file names its plan under ``plan:``; a plan file has an ``id:``."""
    return isinstance(data, dict) and "plan" in data and "id" not in data


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Every YAML file under the given paths, sorted, each once."""
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            found = [path]
        for item in found:
            if item not in seen:
                seen.add(item)
                yield item


@dataclass
class LoadedData:
    """Everything read from a data tree: plans and actuals by plan id, and the problems."""

    plans: dict[str, PlanDocument] = field(default_factory=dict)
    actuals: dict[str, ActualsDocument] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def actuals_for(self, plan_id: str) -> ActualsFile | None:
        """The actuals of a plan, if it has any."""
        doc = self.actuals.get(plan_id)
        return doc.actuals if doc else None


def load_data(paths: Iterable[Path]) -> LoadedData:
    """Load every plan and actuals file under ``paths``; collect, never raise, data problems."""
    result = LoadedData()
    for path in discover(paths):
        try:
            document = read_document(path)
            if is_actuals(document.data):
                actuals = validate_document(document, ActualsFile)
                if actuals.plan in result.actuals:
                    first = result.actuals[actuals.plan].document.name
                    raise DataError(
                        [
                            document.problem(
                                ("plan",),
                                f"plan {actuals.plan!r} already has actuals in {first}",
                                code="reference",
                            )
                        ]
                    )
                result.actuals[actuals.plan] = ActualsDocument(document, actuals)
            else:
                plan = validate_document(document, Plan)
                if plan.id in result.plans:
                    first = result.plans[plan.id].document.name
                    raise DataError(
                        [
                            document.problem(
                                ("id",),
                                f"plan id {plan.id!r} is already used by {first}",
                                code="duplicate-id",
                            )
                        ]
                    )
                result.plans[plan.id] = PlanDocument(document, plan)
        except DataError as exc:
            result.problems.extend(exc.problems)
    return result
