"""The strict YAML loader: values as written, every problem at its file:line:column."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kpitool.model.actuals import ActualsFile
from kpitool.model.fields import AmbiguousScalar
from kpitool.model.plan import Plan
from kpitool.problems import DataError
from kpitool.sources.documents import SourceMap, load_data, parse_yaml, read_document, validate_document
from tests.conftest import MINIMAL_ACTUALS, MINIMAL_PLAN, dedent


def problems_of(text: str, name: str = "f.yaml", model: type = Plan) -> list[str]:
    """Every problem parsing and validating ``text`` gives, as strings."""
    try:
        validate_document(parse_yaml(dedent(text), name), model)
    except DataError as exc:
        return [str(p) for p in exc.problems]
    return []


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


def test_ambiguous_scalar_in_a_text_field_is_refused_with_a_hint() -> None:
    text = MINIMAL_PLAN.replace("id: demo", "id: 0123")
    (problem,) = problems_of(text)
    assert problem.startswith("f.yaml:1:1: id: '0123' is ambiguous")
    assert "quote it" in problem


def test_number_in_a_text_field_is_refused() -> None:
    text = MINIMAL_PLAN.replace("title: テスト計画", "title: 2024")
    (problem,) = problems_of(text)
    assert problem == "f.yaml:2:1: title: expected text, got the number 2024; quote it"


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


def test_empty_file_and_list_root() -> None:
    with pytest.raises(DataError, match="empty"):
        parse_yaml("", "f.yaml")
    (problem,) = problems_of("- a\n- b\n")
    assert "expected a mapping of fields, got a list" in problem


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL_PLAN.encode())
    assert validate_document(read_document(path), Plan).id == "demo"


def test_shift_jis_file_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes("id: demo\ntitle: 久留米\n".encode("cp932"))
    with pytest.raises(DataError) as info:
        read_document(path)
    (problem,) = info.value.problems
    assert problem.line == 2
    assert "not UTF-8" in problem.message
    assert "Shift_JIS" in problem.message


def test_unknown_field_and_missing_field_are_located() -> None:
    text = MINIMAL_PLAN.replace("        unit: 人\n", "        unti: 人\n")
    problems = problems_of(text)
    assert (
        "f.yaml:14:9: sections[0].kpis[0].unti: unknown field (not in the format; check the spelling)"
        in problems
    )
    assert "f.yaml:12:9: sections[0].kpis[0].unit: required field is missing" in problems


def test_direction_is_required() -> None:
    text = MINIMAL_PLAN.replace("        direction: increase\n", "")
    (problem,) = problems_of(text)
    assert "sections[0].kpis[0].direction: required field is missing" in problem


def test_bad_period_names_the_field_and_the_text() -> None:
    text = MINIMAL_PLAN.replace("period: R7年度}", "period: R6年13月}")
    (problem,) = problems_of(text)
    assert problem.startswith("f.yaml:17:30: sections[0].kpis[0].target.period:")
    assert "R6年13月" in problem


def test_errors_never_echo_the_input_in_full() -> None:
    huge = "x" * 10_000
    text = MINIMAL_PLAN.replace("direction: increase", f"direction: {huge}")
    (problem,) = problems_of(text)
    assert huge not in problem
    assert len(problem) < 500


def test_actuals_dict_key_errors_point_at_the_key() -> None:
    text = MINIMAL_ACTUALS.replace("    R5:", "    R5x:")
    (problem,) = problems_of(text, model=ActualsFile)
    assert problem.startswith("f.yaml:4:5: actuals.workers.R5x:")


def test_source_map_falls_back_to_the_nearest_parent() -> None:
    source_map = SourceMap({("a",): (3, 1), ("a", "b"): (4, 3)})
    assert source_map.locate(("a", "b", "c", 0)) == (4, 3)
    assert source_map.locate(("z",)) == (1, 1)


def test_load_data_collects_problems_of_every_file(tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "good.yaml").write_text(MINIMAL_PLAN, encoding="utf-8")
    (tmp_path / "plans" / "bad1.yaml").write_text("a: [\n", encoding="utf-8")
    (tmp_path / "plans" / "bad2.yaml").write_text("a: 1\na: 2\n", encoding="utf-8")
    loaded = load_data([tmp_path])
    assert list(loaded.plans) == ["demo"]
    assert sorted({Path(p.file).name for p in loaded.problems}) == ["bad1.yaml", "bad2.yaml"]


def test_duplicate_key_does_not_hide_schema_errors(tmp_path: Path) -> None:
    text = MINIMAL_PLAN.replace("kind: revitalization_strategy\n", "kind: revitalization_strategy\nkind: x\n")
    (tmp_path / "p.yaml").write_text(text.replace("direction: increase", "direction: up"), encoding="utf-8")
    loaded = load_data([tmp_path])
    assert loaded.plans == {}
    assert [(p.line, p.code) for p in loaded.problems] == [(4, "duplicate-key"), (16, "schema")]


def test_plan_id_used_twice(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(MINIMAL_PLAN, encoding="utf-8")
    loaded = load_data([tmp_path])
    (problem,) = loaded.problems
    assert problem.file.endswith("b.yaml")
    assert problem.line == 1
    assert "already used" in problem.message
