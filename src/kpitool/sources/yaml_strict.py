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

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kpitool.problems import DataError, Problem, Severity, format_path
from kpitool.sources.yaml_builder import Loc, ValueBuilder

__all__ = ["Document", "SourceMap", "parse_yaml", "parse_yaml_bytes"]

_SafeLoader: type[yaml.SafeLoader]
try:  # the C composer is ~3× faster; it ships with PyYAML wheels
    _SafeLoader = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _SafeLoader = yaml.SafeLoader


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
    builder = ValueBuilder(name, loader)
    found = False
    try:
        found, data = builder.read()
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
    return Document(Path(name), data, SourceMap(builder.marks), problems=pending)


def parse_yaml_bytes(raw: bytes, name: str, *, keep_duplicates: bool = False) -> Document:
    """Decode a file's bytes (UTF-8, a BOM allowed) and :func:`parse_yaml` them."""
    return parse_yaml(_decode(raw, name), name, keep_duplicates=keep_duplicates)
