"""JSON Schema: committed files up to date, valid draft 2020-12, agreeing with the loader on data."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.model.schema import SCHEMA_DIALECT, SchemaKind, schema_document, schema_filename, schema_text
from kpitool.sources.documents import read_document
from kpitool.sources.tree import load_data
from tests.conftest import DATA, MINIMAL_ACTUALS, MINIMAL_PLAN, REPO

SCHEMAS = REPO / "schemas"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")
BUNDLED = sorted([*DATA.glob("plans/*.yaml"), *DATA.glob("actuals/*.yaml")])


def _json_like(value: Any) -> Any:
    """Loader values as a JSON parser would give them (Decimal → int/float), as editors see them."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _json_like(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_like(item) for item in value]
    return value


def _validator(kind: SchemaKind) -> Draft202012Validator:
    return Draft202012Validator(json.loads((SCHEMAS / schema_filename(kind)).read_text(encoding="utf-8")))


@pytest.mark.parametrize("kind", list(SchemaKind))
def test_committed_schema_is_up_to_date(kind: SchemaKind) -> None:
    committed = (SCHEMAS / schema_filename(kind)).read_text(encoding="utf-8")
    assert committed == schema_text(kind), (
        f"schemas/{schema_filename(kind)} is stale: run kpitool schema {kind} -o schemas/{schema_filename(kind)}"
    )


@pytest.mark.parametrize("kind", list(SchemaKind))
def test_schema_is_valid_draft_2020_12_with_editor_metadata(kind: SchemaKind) -> None:
    document = schema_document(kind)
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == SCHEMA_DIALECT
    assert document["$id"].startswith("urn:kpitool:")
    assert document["title"]
    assert document["description"]
    assert list(document)[:4] == ["$schema", "$id", "title", "description"]
    # Every object with named fields refuses unknown ones, as the loader does.
    objects = [document, *document["$defs"].values()]
    for schema in objects:
        if "properties" in schema:
            assert schema.get("additionalProperties") is False, schema.get("title")


def test_schema_is_deterministic() -> None:
    assert schema_text(SchemaKind.PLAN) == schema_text(SchemaKind.PLAN)
    text = schema_text(SchemaKind.PLAN)
    assert text.endswith("}\n")
    assert "\\u" not in text  # Japanese kept readable


def test_plan_schema_has_enums_required_fields_and_japanese_titles() -> None:
    document = schema_document(SchemaKind.PLAN)
    defs = document["$defs"]
    assert defs["Direction"]["enum"] == ["increase", "decrease", "at_least", "at_most"]
    assert defs["PlanKind"]["enum"] == [
        "comprehensive_plan",
        "revitalization_strategy",
        "regional_alliance_vision",
    ]
    assert set(document["required"]) == {"id", "title", "kind", "municipality"}
    assert {"id", "name", "direction", "target"} <= set(defs["KPI"]["required"])
    assert defs["KPI"]["properties"]["target"]["title"] == "目標値"
    assert defs["KPI"]["properties"]["baseline"]["title"] == "基準値"
    # Field order is the model's reading order, not alphabetical.
    assert list(document["properties"])[:3] == ["id", "title", "kind"]
    # Docstring markup is turned into Markdown for editor hovers.
    assert "``" not in json.dumps(document, ensure_ascii=False)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bundled_file_names_a_schema_that_accepts_it(path: Path) -> None:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    match = MODELINE.match(first_line)
    assert match, f"{path} should start with the yaml-language-server modeline"
    schema_path = (path.parent / match.group(1)).resolve()
    expected = SchemaKind.PLAN if path.parent.name == "plans" else SchemaKind.ACTUALS
    assert schema_path == (SCHEMAS / schema_filename(expected)).resolve()
    validator = Draft202012Validator(json.loads(schema_path.read_text(encoding="utf-8")))
    errors = [e.message for e in validator.iter_errors(_json_like(read_document(path).data))]
    assert errors == []


def verdicts(kind: SchemaKind, text: str, tmp_path: Path) -> tuple[list[str], list[str]]:
    """What the schema and the loader each say about one file: (schema errors, loader problems)."""
    path = tmp_path / f"{kind}.yaml"
    path.write_text(text, encoding="utf-8")
    schema_errors = [e.message for e in _validator(kind).iter_errors(_json_like(read_document(path).data))]
    return schema_errors, [p.message for p in load_data([path]).problems]


PLAN, ACTUALS = SchemaKind.PLAN, SchemaKind.ACTUALS


def with_published(entry: str) -> str:
    """The minimal actuals with ``entry`` as the published 総括 of R5."""
    return MINIMAL_ACTUALS.replace("actuals:", f"published_summary:\n  R5: {entry}\nactuals:")


BAD = {
    "unknown field": (
        PLAN,
        MINIMAL_PLAN.replace("municipality: テスト市", "municipality: テスト市\nmayor: 某"),
    ),
    "direction outside the enum": (PLAN, MINIMAL_PLAN.replace("direction: increase", "direction: up")),
    "missing direction": (PLAN, MINIMAL_PLAN.replace("        direction: increase\n", "")),
    "kind outside the enum": (PLAN, MINIMAL_PLAN.replace("kind: revitalization_strategy", "kind: vision")),
    "id with a space": (PLAN, MINIMAL_PLAN.replace("id: workers", "id: the workers")),
    "boolean where text is expected": (PLAN, MINIMAL_PLAN.replace("title: 雇用を創出する", "title: true")),
    "KPI id key with a space": (ACTUALS, MINIMAL_ACTUALS.replace("  workers:", "  the workers:")),
    "unknown field in an actual": (
        ACTUALS,
        MINIMAL_ACTUALS.replace("period: R5年度}", "period: R5年度, grade: ○}"),
    ),
    "negative published count": (ACTUALS, with_published("{counts: {○: -1}}")),
    "published count as text": (ACTUALS, with_published("{counts: {○: '1'}}")),
    "no published counts": (ACTUALS, with_published("{counts: {}}")),
    "unknown field in a published summary": (ACTUALS, with_published("{counts: {○: 1}, url: x}")),
    # Without `plan:` the loader reads the file as a plan; it is refused either way.
    "missing plan": (ACTUALS, MINIMAL_ACTUALS.replace("plan: demo\n", "")),
}


@pytest.mark.parametrize(("kind", "text"), BAD.values(), ids=BAD.keys())
def test_schema_and_loader_both_refuse(kind: SchemaKind, text: str, tmp_path: Path) -> None:
    schema_errors, loader_problems = verdicts(kind, text, tmp_path)
    assert schema_errors
    assert loader_problems


PUBLISHED_ACTUALS = with_published("{counts: {○: 0, △: 1}, source: 第2章}")


@pytest.mark.parametrize(
    ("kind", "text"), [(PLAN, MINIMAL_PLAN), (ACTUALS, MINIMAL_ACTUALS), (ACTUALS, PUBLISHED_ACTUALS)]
)
def test_schema_and_loader_both_accept(kind: SchemaKind, text: str, tmp_path: Path) -> None:
    assert verdicts(kind, text, tmp_path) == ([], [])


@pytest.mark.parametrize("kind", list(SchemaKind))
def test_schema_command_prints_the_committed_file(runner: CliRunner, kind: SchemaKind) -> None:
    result = runner.invoke(app, ["schema", kind.value])
    assert result.exit_code == 0, result.output
    assert result.stdout == (SCHEMAS / schema_filename(kind)).read_text(encoding="utf-8")


def test_schema_command_defaults_to_plan_and_writes_a_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "plan.schema.json"
    target.write_text("old", encoding="utf-8")
    result = runner.invoke(app, ["schema", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["$id"] == "urn:kpitool:schema:plan"


def test_schema_command_refuses_an_unknown_kind(runner: CliRunner) -> None:
    result = runner.invoke(app, ["schema", "budget"])
    assert result.exit_code == 2
    assert "budget" in result.stderr


def test_schema_command_fails_cleanly_on_an_unwritable_output(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "actuals", "-o", str(tmp_path / "missing" / "a.json")])
    assert result.exit_code == 1
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.output
