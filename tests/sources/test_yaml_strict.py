"""The strict YAML parser: values as written, every problem at its file:line:column."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpitool.model.fields import AmbiguousScalar
from kpitool.problems import DataError
from kpitool.sources.yaml_strict import SourceMap, parse_yaml
from tests.conftest import MINIMAL_PLAN


def test_numbers_are_decimals_as_written() -> None:
    doc = parse_yaml("a: 13.60\nb: 14063\nc: -2.6\nd: '0123'\n", "f.yaml")
    assert doc.data == {"a": Decimal("13.60"), "b": Decimal(14063), "c": Decimal("-2.6"), "d": "0123"}
    assert str(doc.data["a"]) == "13.60"


@pytest.mark.parametrize(
    ("scalar", "reason"),
    [
        ("0123", "another base"),
        ("0x1F", "another base"),
        ("10:30", "another base"),
        ("no", "boolean"),
        ("yes", "boolean"),
        ("2025-04-01", "date"),
        (".inf", "exponents"),
        (".nan", "exponents"),
        ("1.0e+5", "exponents"),
    ],
)
def test_yaml11_implicit_types_are_not_guessed(scalar: str, reason: str) -> None:
    value = parse_yaml(f"a: {scalar}\n", "f.yaml").data["a"]
    assert isinstance(value, AmbiguousScalar)
    assert reason in value.reason


def test_duplicate_key_names_the_second_line() -> None:
    text = MINIMAL_PLAN.replace("kind: revitalization_strategy\n", "kind: revitalization_strategy\nkind: x\n")
    with pytest.raises(DataError) as info:
        parse_yaml(text, "f.yaml")
    (problem,) = info.value.problems
    assert (problem.line, problem.column) == (4, 1)
    assert "duplicate key 'kind' (first at line 3)" in problem.message


def test_duplicate_key_deep_in_the_tree() -> None:
    text = MINIMAL_PLAN.replace("        unit: 人\n", "        unit: 人\n        unit: 件\n")
    with pytest.raises(DataError) as info:
        parse_yaml(text, "f.yaml")
    (problem,) = info.value.problems
    assert problem.line == 15
    assert problem.path == "sections[0].kpis[0].unit"


def test_every_duplicate_is_reported_not_just_the_first() -> None:
    with pytest.raises(DataError) as info:
        parse_yaml("a: 1\na: 2\nb: 1\nb: 2\n", "f.yaml")
    assert [p.line for p in info.value.problems] == [2, 4]


def test_syntax_error_has_its_line() -> None:
    with pytest.raises(DataError) as info:
        parse_yaml("a: [1, 2\nb: 3\n", "f.yaml")
    (problem,) = info.value.problems
    assert problem.line is not None
    assert problem.message.startswith("YAML syntax error")


def test_tab_indentation_is_a_syntax_error_with_line() -> None:
    with pytest.raises(DataError) as info:
        parse_yaml("a:\n\tb: 1\n", "f.yaml")
    assert info.value.problems[0].line == 2


def test_aliases_are_refused() -> None:
    with pytest.raises(DataError) as info:
        parse_yaml("a: &x [1, 2]\nb: *x\n", "f.yaml")
    (problem,) = info.value.problems
    assert problem.line == 2
    assert "aliases" in problem.message


def test_custom_tags_are_refused() -> None:
    with pytest.raises(DataError) as info:
        parse_yaml("a: !!python/object:os.system {}\n", "f.yaml")
    assert "unsupported tag" in info.value.problems[0].message


def test_source_map_falls_back_to_the_nearest_parent() -> None:
    source_map = SourceMap({("a",): (3, 1), ("a", "b"): (4, 3)})
    assert source_map.locate(("a", "b", "c", 0)) == (4, 3)
    assert source_map.locate(("z",)) == (1, 1)
