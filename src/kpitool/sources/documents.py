"""YAML → model, with every problem located at file:line:column.

PyYAML's loaders are too forgiving for data that many hands edit: the safe
loader keeps the last of two duplicate keys, expands aliases (billion laughs)
and turns ``0123``, ``no`` and ``2025-04-01`` into numbers, booleans and dates.
So we let the C composer build the node tree (fast, with marks) and construct
the Python values ourselves:

- duplicate keys, anchors/aliases and unknown tags are errors at their line;
- YAML numbers become :class:`~decimal.Decimal` from the text as written;
- scalars YAML 1.1 would silently retype (octal, sexagesimal, yes/no, dates,
  ``.inf``, exponents) become :class:`~kpitool.model.fields.AmbiguousScalar`, which
  every field refuses with a hint to quote it;
- a :class:`SourceMap` remembers where each value was written, so pydantic's
  error locations map back to lines.
"""

from __future__ import annotations

import pickle
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from kpitool.model.actuals import ActualsFile
from kpitool.model.fields import AmbiguousScalar
from kpitool.model.plan import Plan
from kpitool.problems import DataError, Problem, Severity, format_path
from kpitool.support.memory import paused_gc

if TYPE_CHECKING:
    from kpitool.support.cache import Cache

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "MAX_PROBLEMS",
    "ActualsDocument",
    "CachedModel",
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

MAX_NODES = 200_000
"""Most YAML nodes (keys, values, lists, mappings) read from one file; the largest bundled plan has 2,700."""

MAX_PROBLEMS = 100
"""Problems reported per file before reading stops: a hostile file cannot flood memory or the screen."""

_SafeLoader: type[yaml.SafeLoader]
try:  # the C composer is ~3× faster; it ships with PyYAML wheels
    _SafeLoader = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _SafeLoader = yaml.SafeLoader

_TAG = "tag:yaml.org,2002:"
_DECIMAL_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_DECIMAL_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)")
# A plain number split by a comma inside {…}: `{value: 1,234}` is value 1 and a key '234'.
_NUMBER_HEAD = re.compile(r"[-+]?[1-9][0-9]{0,2}")
_NUMBER_TAIL = re.compile(r"[0-9]{3}(?:\.[0-9]+)?")
# Control characters and bidirectional overrides: a double-quoted YAML escape ("\e[2J")
# can put them in a value, and echoed in a message they rewrite the terminal or CI log.
_HIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
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
    content_key: str | None = field(default=None, kw_only=True)
    """The cache key of the file's bytes, when it was loaded with a cache."""
    problems: list[Problem] = field(default_factory=list, kw_only=True)
    """Problems that did not stop the parse (a duplicate key: the first value is kept), so the
    file is still validated and every error is reported at once."""

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


@dataclass(frozen=True)
class CachedModel:
    """A validated file as the cache keeps it: what a run needs to know first, and the pickled model.

    The model is unpickled only when it is used: a warm ``evaluate`` whose
    evaluations are cached too never needs the 870,000 actuals of the nation.
    """

    is_actuals: bool
    plan_id: str
    """The plan's ``id`` (plan file) or ``plan`` (actuals file)."""
    count: int
    """KPIs of a plan, recorded actuals of an actuals file."""
    payload: bytes

    @classmethod
    def of(cls, model: Plan | ActualsFile) -> CachedModel:
        """The entry of a validated model."""
        payload = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
        if isinstance(model, ActualsFile):
            return cls(True, model.plan, model.count(), payload)
        return cls(False, model.id, model.kpi_count(), payload)

    def model(self) -> Plan | ActualsFile:
        """The model, unpickled (with the garbage collector paused, as for any bulk load)."""
        with paused_gc():
            model = pickle.loads(self.payload)  # noqa: S301 - our own cache entry, checksummed
        if not isinstance(model, ActualsFile if self.is_actuals else Plan):  # pragma: no cover
            raise TypeError(f"cache entry of {self.plan_id!r} holds a {type(model).__name__}")
        return model


class _ModelDocument:
    """A validated model and where it came from; a model from the cache is unpickled on first use."""

    __slots__ = ("_model", "document")

    def __init__(self, document: Document, model: Plan | ActualsFile | CachedModel) -> None:
        self.document = document
        self._model = model

    def _loaded(self) -> Plan | ActualsFile:
        if isinstance(self._model, CachedModel):
            self._model = self._model.model()
        return self._model

    def _count(self) -> int:
        model = self._model
        if isinstance(model, CachedModel):
            return model.count
        return model.count() if isinstance(model, ActualsFile) else model.kpi_count()


class PlanDocument(_ModelDocument):
    """A validated plan and where it came from."""

    __slots__ = ("id",)

    def __init__(self, document: Document, plan: Plan | CachedModel) -> None:
        super().__init__(document, plan)
        self.id = plan.plan_id if isinstance(plan, CachedModel) else plan.id
        """The plan's id (計画ID)."""

    @property
    def plan(self) -> Plan:
        """The plan."""
        model = self._loaded()
        assert isinstance(model, Plan)
        return model

    def kpi_count(self) -> int:
        """Number of KPIs (without unpickling a cached plan)."""
        return self._count()


class ActualsDocument(_ModelDocument):
    """A validated actuals file and where it came from."""

    __slots__ = ("plan_id",)

    def __init__(self, document: Document, actuals: ActualsFile | CachedModel) -> None:
        super().__init__(document, actuals)
        self.plan_id = actuals.plan_id if isinstance(actuals, CachedModel) else actuals.plan
        """The id of the plan these actuals belong to."""

    @property
    def actuals(self) -> ActualsFile:
        """The actuals file."""
        model = self._loaded()
        assert isinstance(model, ActualsFile)
        return model

    def count(self) -> int:
        """Number of recorded actuals (without unpickling a cached file)."""
        return self._count()


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


class _Builder:
    """Turns the parser's event stream into Python values, recording marks and problems.

    Built from events, not from PyYAML's node tree: the composer recurses (a
    file nested 100,000 deep crashes the interpreter) and keeps every node.
    This builder keeps an explicit stack and stops at :data:`MAX_DEPTH`,
    refuses each alias at its line without expanding it, and stops after
    :data:`MAX_PROBLEMS`; a hostile file costs one linear pass.
    """

    def __init__(self, name: str, loader: Any) -> None:
        self.name = name
        self.source_map = SourceMap()
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
                self.source_map.marks[loc] = _place(event.start_mark)
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
            self.source_map.marks[(*loc, key)] = _place(event.start_mark)
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
        found = _HIDDEN.search(event.value)
        if found is None:
            return False
        self.fail(
            event.start_mark,
            loc,
            f"the text holds the invisible character U+{ord(found.group()):04X}; remove it",
            "yaml",
        )
        return True

    def _scalar(self, event: yaml.ScalarEvent, loc: Loc) -> Any:
        if self._hidden(event, loc):
            return None
        tag, text = self._tag(event, yaml.ScalarNode), event.value
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
        self.fail(event.start_mark, loc, f"unsupported tag {tag}", "yaml")
        return None


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """(line, column), 1-based, of a byte offset; the column counts characters."""
    start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):  # a UTF-8 BOM, as Windows editors write it
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(raw, exc.start)
        hint = ""
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            hint = " (it is UTF-16)"
        else:
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


def _parse_problem(exc: Exception, text: str, name: str) -> Problem:
    """A problem for an error the YAML parser raised, at its line when it has one."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        context = exc.context or ""
        begun = exc.context_mark
        unclosed = "flow" in context or "quoted" in context
        if unclosed and begun is not None and mark is not None and begun.line != mark.line:
            # An unclosed [ { or quote is noticed lines later: say where it began, the line to fix
            context += f" (begun at line {begun.line + 1}, column {begun.column + 1})"
        what = " ".join(x for x in (context, exc.problem) if x)
        return Problem(name, line, column, "", f"YAML syntax error: {what}", code="yaml")
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML forbids; position in UTF-8 bytes
        line, column = _position(text.encode("utf-8", errors="surrogatepass"), exc.position)
        return Problem(
            name,
            line,
            column,
            "",
            f"character U+{int(exc.character):04X} is not allowed in YAML",
            code="yaml",
        )
    if isinstance(exc, UnicodeEncodeError):  # lone surrogates: only from text, never from a file
        line = text.count("\n", 0, exc.start) + 1
        column = exc.start - (text.rfind("\n", 0, exc.start) + 1) + 1
        return Problem(name, line, column, "", "text contains an unpaired surrogate character", code="yaml")
    return Problem(name, None, None, "", f"YAML error: {exc}", code="yaml")


def parse_yaml(text: str, name: str, *, keep_duplicates: bool = False) -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`DataError` with every problem.

    With ``keep_duplicates``, a file whose only problems are duplicate keys is returned
    (first value kept) with them in ``problems``, for :func:`validate_document` to report
    together with the schema's findings.
    """
    loader: Any = _SafeLoader(text)
    builder = _Builder(name, loader)
    found = False
    try:
        found, data = builder.document()
        if found and loader.check_event(yaml.DocumentStartEvent):
            mark = loader.get_event().start_mark
            builder.fail(mark, (), "a second YAML document (---): a data file holds one", "yaml")
    except _Stop:
        pass
    except (yaml.YAMLError, UnicodeEncodeError) as exc:
        builder.problems.append(_parse_problem(exc, text, name))
    finally:
        loader.dispose()
    pending: list[Problem] = []
    if keep_duplicates and found and all(p.code == "duplicate-key" for p in builder.problems):
        pending, builder.problems = builder.problems, []
    if builder.problems:
        raise DataError(builder.problems)
    if not found:
        what = "has only comments" if text.strip() else "is empty"
        raise DataError([Problem(name, 1, 1, "", f"file {what}: expected a mapping of fields", code="yaml")])
    return Document(Path(name), data, builder.source_map, problems=pending)


def read_document(path: Path) -> Document:
    """Read and parse one YAML file; raise :class:`DataError` for any problem with it."""
    name = str(path)

    def refuse(message: str, code: str = "io") -> DataError:
        return DataError([Problem(name, None, None, "", message, code=code)])

    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise refuse("is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            raise refuse("is not a regular file")
        with open(path, "rb") as stream:
            # Read one byte past the cap: a file that grows while read is caught too.
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise refuse(f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        size = max(info.st_size, len(raw))
        raise refuse(
            f"file is {size / 1048576:.1f} MiB, over the {MAX_FILE_BYTES // 1048576} MiB limit "
            "for a plan data file (plans are well under 1 MiB)",
            "size",
        )
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
        problem = document.problem((), f"expected a mapping of fields, got {kind}", code="schema")
        raise DataError([*document.problems, problem])
    problems = list(document.problems)
    try:
        validated = model.model_validate(document.data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            loc = tuple(error["loc"])
            if loc and loc[-1] == "[key]":  # an invalid dict key: point at the key itself
                loc = loc[:-1]
            problems.append(document.problem(loc, _message(error), code="schema"))
    if problems:
        raise DataError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0))) from None
    return validated


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


class _ParsedOnDemand(Document):
    """A loaded file kept as its bytes: its values and source map are parsed again on first use.

    Once a file is validated, the loader keeps the model, not the YAML values and
    marks it came from: at national scale those take more memory than the models,
    and a file taken from the cache was never parsed at all. A cross-file check that
    reports a problem in the file asks for a line; parsing the same bytes again
    gives the same marks.
    """

    def __init__(self, path: Path, raw: bytes, content_key: str | None = None) -> None:
        # no dataclass __init__: data and source_map are lazy
        self.path = path
        self.content_key = content_key
        self._raw = raw
        self._parsed: Document | None = None

    def _document(self) -> Document:
        if self._parsed is None:
            try:
                self._parsed = parse_yaml(_decode(self._raw, self.name), self.name)
            except DataError:  # pragma: no cover - these bytes parsed (or were cached) cleanly before
                self._parsed = Document(self.path, None, SourceMap())
            self._raw = b""
        return self._parsed

    @property
    def data(self) -> Any:
        """The YAML values of the file."""
        return self._document().data

    @data.setter
    def data(self, value: Any) -> None:
        self._document().data = value

    @property
    def source_map(self) -> SourceMap:
        """Where each value was written."""
        return self._document().source_map

    @source_map.setter
    def source_map(self, value: SourceMap) -> None:
        self._document().source_map = value


def _read_bytes(path: Path) -> bytes | None:
    """A regular file's bytes within :data:`MAX_FILE_BYTES`, or None (:func:`read_document` says why)."""
    try:
        if not path.is_file():
            return None
        with open(path, "rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    return raw if len(raw) <= MAX_FILE_BYTES else None


def _validated(document: Document) -> Plan | ActualsFile:
    if is_actuals(document.data):
        return validate_document(document, ActualsFile)
    return validate_document(document, Plan)


def _load_file(path: Path, cache: Cache | None) -> tuple[Document, Plan | ActualsFile | CachedModel]:
    """One file's document and validated model: from the cache (still pickled) when its bytes are known."""
    raw = _read_bytes(path)
    if raw is None:  # unreadable, not a file, too big: read_document raises the problem
        document = read_document(path)
        return document, _validated(document)
    key = cache.key(raw) if cache is not None else None
    entry = cache.get(key) if cache is not None and key is not None else None
    if isinstance(entry, CachedModel):
        return _ParsedOnDemand(path, raw, key), entry
    name = str(path)
    model = _validated(parse_yaml(_decode(raw, name), name, keep_duplicates=True))
    if cache is not None and key is not None:  # only a file that validated cleanly
        cache.put(key, CachedModel.of(model))
    return _ParsedOnDemand(path, raw, key), model


def _register(
    result: LoadedData, document: Document, model: Plan | ActualsFile | CachedModel
) -> list[Problem]:
    """Add a loaded file to ``result``; a second file for the same plan id is a problem."""
    if isinstance(model, ActualsFile) or (isinstance(model, CachedModel) and model.is_actuals):
        actuals_document = ActualsDocument(document, model)
        actuals = result.actuals.get(actuals_document.plan_id)
        if actuals is not None:
            message = f"plan {actuals_document.plan_id!r} already has actuals in {actuals.document.name}"
            return [document.problem(("plan",), message, code="reference")]
        result.actuals[actuals_document.plan_id] = actuals_document
        return []
    plan_document = PlanDocument(document, model)
    plan = result.plans.get(plan_document.id)
    if plan is not None:
        message = f"plan id {plan_document.id!r} is already used by {plan.document.name}"
        return [document.problem(("id",), message, code="duplicate-id")]
    result.plans[plan_document.id] = plan_document
    return []


def load_data(paths: Iterable[Path], cache: Cache | None = None) -> LoadedData:
    """Load every plan and actuals file under ``paths``; collect, never raise, data problems.

    With a :class:`~kpitool.support.cache.Cache`, a file whose bytes were validated before
    (by the same code) is taken from it instead of being parsed and validated, and
    a file that validates cleanly is stored in it.

    The garbage collector is paused while loading (a load allocates millions of
    objects and no garbage cycles; each collection would scan them all again),
    and what was loaded is then frozen out of later collections (``gc.freeze``):
    the data holds no reference cycles and is freed by reference counting.
    """
    result = LoadedData()
    with paused_gc():
        for path in discover(paths):
            try:
                document, model = _load_file(path, cache)
                result.problems.extend(_register(result, document, model))
            except DataError as exc:
                result.problems.extend(exc.problems)
    return result
