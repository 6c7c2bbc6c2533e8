"""JSON Schema (スキーマ) of the plan and actuals files, generated from the pydantic models.

The schemas let any YAML language server (VS Code's YAML extension, JetBrains,
Neovim …) complete field names and underline mistakes while a maintainer types,
through the modeline at the top of each data file::

    # yaml-language-server: $schema=../../schemas/plan.schema.json

The committed files under ``schemas/`` are this module's output; a test keeps
them up to date. The schema is a convenience for editors: the loader
(:mod:`kpitool.sources.documents`) stays the authority, since it also checks what a schema
cannot say (periods that parse, ids that resolve, numbers written exactly).
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from typing import Any

__all__ = ["SCHEMA_DIALECT", "SchemaKind", "schema_document", "schema_filename", "schema_text"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
"""The JSON Schema dialect pydantic generates (``$defs``, type arrays)."""


class SchemaKind(StrEnum):
    """Which file the schema describes."""

    PLAN = "plan"
    """A plan file, ``data/plans/<plan-id>.yaml``."""
    ACTUALS = "actuals"
    """An actuals file, ``data/actuals/<plan-id>.yaml``."""


# A URN rather than a web address: the schemas are published with the code,
# not at a URL, and a URN names them stably without promising a download.
_IDS = {
    SchemaKind.PLAN: "urn:kpitool:schema:plan",
    SchemaKind.ACTUALS: "urn:kpitool:schema:actuals",
}
_TITLES = {
    SchemaKind.PLAN: "kpitool 計画ファイル (plan file)",
    SchemaKind.ACTUALS: "kpitool 実績値ファイル (actuals file)",
}
_DESCRIPTIONS = {
    SchemaKind.PLAN: (
        "計画 — one municipal plan (総合計画・地方創生総合戦略・連携中枢都市圏ビジョン): its "
        "sections, projects and KPIs with baseline (基準値) and target (目標値). "
        "Generated from kpitool.model.plan.Plan; `kpitool validate` checks more than this schema "
        "(periods, references, units)."
    ),
    SchemaKind.ACTUALS: (
        "実績値 — the actual values of one plan's KPIs: KPI id → evaluation year (評価年度) → "
        "value with its data period. Generated from kpitool.model.actuals.ActualsFile; `kpitool "
        "validate` checks that the plan and KPIs exist."
    ),
}

# Docstrings are reStructuredText; editors render descriptions as Markdown.
_RST_ROLE = re.compile(r":[a-z]+:`([^`]+)`")
_RST_LITERAL = re.compile(r"``([^`]+)``")

# The top-level keywords first, in reading order; every other mapping is sorted.
_HEAD = ("$schema", "$id", "title", "description", "type")


def schema_filename(kind: SchemaKind) -> str:
    """The committed file name: ``plan.schema.json`` or ``actuals.schema.json``."""
    return f"{kind.value}.schema.json"


def _markdown(text: str) -> str:
    return _RST_LITERAL.sub(r"`\1`", _RST_ROLE.sub(r"`\1`", text))


def _tidy(node: Any) -> Any:
    """Sort keywords for a stable file, keep property order, close keyed maps."""
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key in sorted(node):
        value = node[key]
        if key == "description" and isinstance(value, str):
            result[key] = _markdown(value)
        elif key in ("properties", "patternProperties", "$defs"):
            # Field order is the model's (and the docs') reading order: keep it.
            result[key] = {name: _tidy(sub) for name, sub in value.items()}
        else:
            result[key] = _tidy(value)
    # A mapping keyed by ids (actuals: KPI id → …): pydantic refuses keys that
    # do not match, so the schema must too, or an editor would accept them.
    if "patternProperties" in result and "additionalProperties" not in result:
        result["additionalProperties"] = False
        result = dict(sorted(result.items()))
    return result


def schema_document(kind: SchemaKind) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a plan or actuals file, as a mapping."""
    from kpitool.model.actuals import ActualsFile
    from kpitool.model.plan import Plan

    model = Plan if kind is SchemaKind.PLAN else ActualsFile
    generated = _tidy(model.model_json_schema(mode="validation"))
    generated.update(
        {
            "$schema": SCHEMA_DIALECT,
            "$id": _IDS[kind],
            "title": _TITLES[kind],
            "description": _DESCRIPTIONS[kind],
        }
    )
    head = {key: generated[key] for key in _HEAD if key in generated}
    rest = {key: generated[key] for key in sorted(generated) if key not in head and key != "$defs"}
    tail = {"$defs": generated["$defs"]} if "$defs" in generated else {}
    return head | rest | tail


def schema_text(kind: SchemaKind) -> str:
    """The schema as the committed file holds it: indented JSON, UTF-8 text, final newline."""
    return json.dumps(schema_document(kind), ensure_ascii=False, indent=2) + "\n"
