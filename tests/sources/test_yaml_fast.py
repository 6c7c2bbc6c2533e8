"""The fast path of reading YAML: the full builder's values for a clean file, else a fallback."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kpitool.model.fields import AmbiguousScalar
from kpitool.problems import DataError
from kpitool.sources.yaml_builder import MAX_DEPTH, MAX_NODES
from kpitool.sources.yaml_fast import FALLBACK, fast_values
from kpitool.sources.yaml_strict import parse_yaml_bytes
from tests.conftest import MINIMAL_PLAN

REPO = Path(__file__).resolve().parents[2]


def _shape(value: Any) -> Any:
    """A value with its types spelled out (13.60 is not 13.6, an AmbiguousScalar is its text and reason)."""
    if isinstance(value, dict):
        return ("mapping", [(_shape(k), _shape(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_shape(v) for v in value])
    if isinstance(value, AmbiguousScalar):
        return ("ambiguous", value.text, value.reason)
    if isinstance(value, Decimal):
        return ("number", str(value))
    return (type(value).__name__, value)


def _full(raw: bytes) -> Any:
    """What the full builder makes of a file: its values, or FALLBACK when it reports a problem."""
    try:
        document = parse_yaml_bytes(raw, "f.yaml", keep_duplicates=True)
    except DataError:
        return FALLBACK
    return FALLBACK if document.problems else document.data


def _yaml_files() -> list[Path]:
    found = [*REPO.glob("data/**/*.yaml"), *REPO.glob("tests/corpus/**/*.yaml"), *REPO.glob("fuzz/**/*.yaml")]
    return sorted(found)


def test_every_file_in_the_repository_reads_as_the_full_builder_reads_it() -> None:
    files = _yaml_files()
    taken = 0
    for path in files:
        raw = path.read_bytes()
        fast = fast_values(raw)
        if fast is FALLBACK:
            continue
        taken += 1
        assert _full(raw) is not FALLBACK, path  # a file with a problem never takes the fast path
        assert _shape(fast) == _shape(_full(raw)), path
    assert taken >= len(files) // 2  # the bundled data and most cases are clean


def test_values_are_typed_as_written() -> None:
    raw = b"a: 13.60\nb: '0123'\nc: 0123\nd: no\ne: true\nf: ~\ng: [1, x]\nh: |\n  text\n"
    assert _shape(fast_values(raw)) == _shape(_full(raw))
    assert str(fast_values(raw)["a"]) == "13.60"


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # an alias
        "a: 1\na: 2\n",  # a duplicate key
        "a: {b: 1}\n<<: {c: 2}\n",  # a merge key
        "? [a]\n: 1\n",  # a key that is not text
        "a: x\u200by\n",  # a hidden character
        "a\u202e: x\n",  # a hidden character in a key
        "a: !!binary aGk=\n",  # a tag outside the data format
        "a: !custom x\n",
        "a: !!map [1]\n",
        "a: {value: 1,234}\n",  # a number split at its comma
        "a: 1\n---\nb: 2\n",  # a second document
        "",  # no document
        "# only a comment\n",
        "a: [1, 2\n",  # a syntax error
        "a: \x07\n",  # a character YAML forbids
        "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n",  # nested too deep
    ],
)
def test_what_the_full_builder_reports_falls_back(text: str) -> None:
    assert fast_values(text.encode()) is FALLBACK


@pytest.mark.parametrize(
    "raw",
    [b"a: \xff\n", "a: 1\n".encode("utf-16"), b"a: \xed\xa0\x80\n"],
    ids=["not-utf8", "utf16", "encoded-surrogate"],
)
def test_a_file_that_is_not_utf8_falls_back(raw: bytes) -> None:
    assert fast_values(raw) is FALLBACK


def test_a_bom_and_an_anchor_without_alias_read_as_the_full_builder_reads_them() -> None:
    for raw in (b"\xef\xbb\xbfa: 1\n", b"a: &x 1\nb: 2\n", MINIMAL_PLAN.encode()):
        assert fast_values(raw) is not FALLBACK
        assert _shape(fast_values(raw)) == _shape(_full(raw))


def test_equal_scalars_share_one_object() -> None:
    data = fast_values("a: [13.60, 13.60, R6年度, 'R6年度']\n".encode())
    assert data["a"][0] is data["a"][1]
    assert data["a"][2] is data["a"][3]


@pytest.mark.slow
def test_a_file_near_the_node_limit_falls_back() -> None:
    many = "a: [" + "1, " * MAX_NODES + "1]\n"
    assert fast_values(many.encode()) is FALLBACK
    assert _full(many.encode()) is FALLBACK  # the full builder reports it
