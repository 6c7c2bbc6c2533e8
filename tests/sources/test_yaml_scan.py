"""The line scanner: for every file it accepts, the full builder's values, types included; else a fallback."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from kpitool.sources.yaml_builder import MAX_DEPTH
from kpitool.sources.yaml_fast import fast_values
from kpitool.sources.yaml_scan import FALLBACK, scan_values
from tests.conftest import MINIMAL_ACTUALS, MINIMAL_PLAN
from tests.properties import examples
from tests.sources.test_yaml_fast import _full, _shape, _yaml_files


def _same_as_full(text: str) -> bool:
    """The scanner fell back, or it built what the full builder builds (and the builder reports nothing)."""
    scanned = scan_values(text)
    if scanned is FALLBACK:
        return True
    full = _full(text.encode("utf-8"))
    assert full is not FALLBACK, text  # a file with a problem is never accepted
    assert _shape(scanned) == _shape(full), text
    return False


def test_every_file_in_the_repository_reads_as_the_full_builder_reads_it() -> None:
    accepted = 0
    for path in _yaml_files():
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        accepted += not _same_as_full(text)
    assert accepted >= 40  # the clean plans of the hostile corpus; the bundled data uses block scalars


def test_the_bundled_shape_of_a_plan_and_its_actuals_is_scanned() -> None:
    for text in (MINIMAL_PLAN, MINIMAL_ACTUALS):
        assert not _same_as_full(text)
    data = scan_values("a: 13.60\nb: {value: 13.60, period: R6年度}\n")
    assert str(data["a"]) == "13.60"
    assert data["a"] is data["b"]["value"]  # equal scalars share one object


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: 0123\nc: no\nd: 2025-04-01\ne: 1e3\nf: .inf\ng: ~\nh: 0x1F\ni: 1:30\n",
        "a:\n- 1\n- x\nb:\n  - - 1\n",
        "a: [1, x, '0123', \"no\", -5]\nb: {c: 1, d: ' x '}\nc: []\nd: {}\n",
        "a: { b: 1 , c: x y }\nb: {c: 1,d: 2}\nc: {x: 1, y: '2'}\n",
        "- a\n- b\n",  # a list at the root
        "\ufeffa: 1\n",  # a BOM
        "---\na: 1\n",
        "a:\n  -\n  - b: 1\n    c:\n  -   d: 2\n      e: [x]\n",
        "a: x # a comment\nb: 'y' # a comment\n# a comment\n\n  # indented comment\nc: z#not a comment\n",
    ],
)
def test_typed_as_the_full_builder_types_them(text: str) -> None:
    _same_as_full(text)
    _same_as_full(text.replace(": ", ":  "))


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # anchors and aliases
        "a: 1\na: 2\n",  # a duplicate key
        "a: {b: 1, b: 2}\n",
        "<<: {c: 2}\n",  # a merge key
        "a: <<\n",
        "? a\n: 1\n",  # a complex key
        '"a": 1\n',  # a quoted key
        "a: !!str 1\n",  # a tag
        "a: |\n  text\n",  # block scalars
        "a: >-\n  text\n",
        "a: two\n  lines\n",  # a plain scalar over lines
        "a: 'two\n  lines'\n",
        "a: {b: 1,\n  c: 2}\n",  # a flow collection over lines
        "a: {b: [1]}\n",  # nested flow
        "a: [1, 2,]\n",  # a trailing comma
        "a: {b: 1,}\n",
        "a: {b: 1, c}\n",  # an entry without a value
        "a: {value: 1,234}\n",  # a number split at its comma
        "a: {234: x}\n",
        "a: [b: 1]\n",
        'a: "x\\ty"\n',  # an escape
        "a:\tx\n",  # a tab
        "a: x\r\nb: y\r\n",  # CRLF
        "a: x\u2028b: y\n",  # a YAML line break
        "a: x\u200by\n",  # hidden characters
        "a\u202e: x\n",
        "a: \x07\n",
        "%YAML 1.1\n---\na: 1\n",  # a directive
        "a: 1\n---\nb: 2\n",  # a second document
        "a: 1\n...\n",
        "",  # no document
        "# only a comment\n",
        "  a: 1\n",  # an indented root
        "a:\n  b: 1\n c: 2\n",  # odd indentation
        "a:\n  - x\n  b: 1\n",
        "a: 1\n- x\n",
        "a: x: y\n",  # ': ' inside a plain scalar
        "a: http://x\n",
        "a: - x\n",
        "a: @x\n",
        "a: " + "x" * 5000 + "\n",  # a long line
        "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, MAX_DEPTH + 2)),  # nested deep
    ],
)
def test_outside_the_subset_falls_back(text: str) -> None:
    assert scan_values(text) is FALLBACK


def test_a_file_the_scanner_leaves_is_read_by_the_next_reader() -> None:
    raw = b"a: |\n  text\nb: 13.60\n"
    assert scan_values(raw.decode()) is FALLBACK
    assert _shape(fast_values(raw)) == _shape(_full(raw))


_SAFE_KEYS = ["id", "a", "kpi-01", "H28", "R6年度", "○", "1", "x.y", "値", "note", "b", "c", "d", "e"]
_KEYS = st.sampled_from(
    _SAFE_KEYS * 4 + ["234", "<<", "a b", "?", "-a", "a:", "&a", "~"]
)  # mostly in the subset, sometimes near it or outside it
_SAFE_TEXTS = (
    [
        "1", "13.60", "-5", ".5", "0123", "0x1F", "1_000", "no", "Yes", "true", "~", "null", "R6年度",
        "△", "a b", "it's", "a#b", "x,y", "[x]", "2025-04-01", "1e3", ".inf", "", "全角\u3000", 'say "hi"',
    ]
)  # fmt: skip
_TEXT_CHOICES = (
    _SAFE_TEXTS * 6
    + [
            " x", "x ", "a  b", "a #b", "a: b", "12:30", "1,234", "back\\slash", "{", "- x", "&x", "*x", "!x",
            "|", ">", "%x", "@x", "`x", "? x", "=", "<<", "\u3000全角", "a\tb", "-", "#", "'", '"',
    ]
)  # fmt: skip
_SPACES = st.sampled_from([" ", "  ", " # note", "  #", ""])
# The strategies are built once, not at every draw: hypothesis validates each new strategy
# object when first drawn from, which cost more than the drawing (issue 14).
_SEPARATORS = st.sampled_from([", ", ",", " , "])
_FLOW_KEYS = st.lists(_KEYS, max_size=4, unique=True)
_BLOCK_KEYS = st.lists(_KEYS, min_size=1, max_size=4, unique=True)
_STEPS = st.sampled_from([2, 2, 4, 1])
_KINDS = st.sampled_from(["scalar", "scalar", "flow", "block", "empty"])
_SCALAR_ONLY = st.just("scalar")
_EMPTY_TAILS = st.sampled_from(["", " # c"])
_ONE_IN_TEN = st.integers(0, 9)
_ONE_IN_FOUR = st.integers(0, 3)
_PIECES = st.sampled_from([" ", "  ", "- ", ": ", "#", "\t", "{", "]", "'", '"', "\\", ",", "\u200b"])
_ENDINGS = st.sampled_from(["\n", "", "\n\n"])


def _styled(text: str) -> list[str]:
    """``text`` plain (twice: half the scalars), single-quoted and double-quoted."""
    return [text, text, "'" + text.replace("'", "''") + "'", '"' + text + '"']


# A text in a style in one draw (rather than a text, then a style, in a composite): the same
# choices, half the draws for each scalar; a draw costs more than the scanner's reading of it.
_SCALAR = st.sampled_from([styled for text in _TEXT_CHOICES for styled in _styled(text)])
_SCALARS = st.lists(_SCALAR, max_size=4)


@st.composite
def _flow_strategy(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return "[" + draw(_SEPARATORS).join(draw(_SCALARS)) + "]"
    return "{" + ", ".join(f"{key}: {draw(_SCALAR)}" for key in draw(_FLOW_KEYS)) + "}"


_FLOW = _flow_strategy()


@st.composite
def _block_strategy(draw: st.DrawFn, indent: int, depth: int) -> list[str]:
    """The lines of a block mapping or list at ``indent``, with values in every style of the subset."""
    step = draw(_STEPS)
    lines: list[str] = []
    in_list = depth > 0 and draw(st.booleans())
    for key in draw(_BLOCK_KEYS):
        head = " " * indent + ("- " if in_list else f"{key}:")
        kind = draw(_KINDS if depth < 3 else _SCALAR_ONLY)
        if kind == "block":
            inner = indent + (0 if not in_list and draw(st.booleans()) else step)
            lines += [head.rstrip(), *draw(_block(inner, depth + 1))]
        elif kind == "empty":
            lines.append(head.rstrip() + draw(_EMPTY_TAILS))
        else:
            value = draw(_SCALAR) if kind == "scalar" else draw(_FLOW)
            lines.append(f"{head}{'' if in_list else ' '}{value}{draw(_SPACES)}")
        if draw(_ONE_IN_TEN) == 0:
            lines.append(draw(st.sampled_from(["", "# comment", " " * indent + "# c", "   "])))
    return lines


@functools.cache
def _block(indent: int, depth: int) -> st.SearchStrategy[list[str]]:
    """One strategy per (indent, depth), made when first needed."""
    return _block_strategy(indent, depth)


@st.composite
def _document_strategy(draw: st.DrawFn) -> str:
    lines = draw(_block(0, 0))
    if draw(_ONE_IN_FOUR) == 0:  # a mutation: near the subset, often just outside it
        at = draw(st.integers(0, len(lines) - 1))
        line = lines[at]
        where = draw(st.integers(0, len(line)))
        piece = draw(_PIECES)
        mutated = [line[:where] + piece + line[where:], line[:where] + line[where + 1 :], line + "\n" + line]
        lines[at] = draw(st.sampled_from(mutated))
    return "\n".join(lines) + draw(_ENDINGS)


_DOCUMENT = _document_strategy()


@settings(max_examples=examples(1500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DOCUMENT)
def test_generated_yaml_reads_as_the_full_builder_reads_it(text: str) -> None:
    _same_as_full(text)


def test_the_generated_documents_reach_both_sides() -> None:
    """Documents the scanner reads, with nesting and flow, and documents it leaves (the property tests both)."""
    # Shrinking the found document would only make it shorter, and costs seconds.
    settled = settings(max_examples=5000, database=None, phases=[Phase.generate])
    read = find(
        _DOCUMENT, lambda text: text.count("\n") > 4 and "{" in text and _scanned(text), settings=settled
    )
    assert isinstance(scan_values(read), dict)
    left = find(
        _DOCUMENT,
        lambda text: _full(text.encode()) is not FALLBACK and not _scanned(text),
        settings=settled,
    )
    assert scan_values(left) is FALLBACK


def _scanned(text: str) -> bool:
    return scan_values(text) is not FALLBACK


def test_the_scanner_reads_the_files_of_a_path(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(MINIMAL_PLAN, encoding="utf-8")
    values: Any = fast_values(path.read_bytes())
    assert values == scan_values(MINIMAL_PLAN)
