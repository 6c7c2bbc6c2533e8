"""Plan and actuals documents: YAML validated into the model, every problem at its file:line:column."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpitool.model.actuals import ActualsFile
from kpitool.model.plan import Plan
from kpitool.problems import DataError
from kpitool.sources.documents import read_document, validate_document
from kpitool.sources.yaml_strict import parse_yaml
from tests.conftest import MINIMAL_ACTUALS, MINIMAL_PLAN, dedent


def problems_of(text: str, name: str = "f.yaml", model: type = Plan) -> list[str]:
    """Every problem parsing and validating ``text`` gives, as strings."""
    try:
        validate_document(parse_yaml(dedent(text), name), model)
    except DataError as exc:
        return [str(p) for p in exc.problems]
    return []


def test_ambiguous_scalar_in_a_text_field_is_refused_with_a_hint() -> None:
    text = MINIMAL_PLAN.replace("id: demo", "id: 0123")
    (problem,) = problems_of(text)
    assert problem.startswith("f.yaml:1:1: id: '0123' is ambiguous")
    assert "quote it" in problem


def test_number_in_a_text_field_is_refused() -> None:
    text = MINIMAL_PLAN.replace("title: テスト計画", "title: 2024")
    (problem,) = problems_of(text)
    assert problem == "f.yaml:2:1: title: expected text, got the number 2024; quote it"


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
    assert not any("kpis[0].unit:" in problem for problem in problems)  # 単位 may be omitted


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
