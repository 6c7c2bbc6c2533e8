"""The field types build their core schema once (issue 18) and still behave as built per field."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import pytest
from pydantic import ValidationError, create_model

from kpitool.model import fields
from kpitool.model.fields import StrictModel

ALIASES = [
    "PeriodField",
    "Number",
    "Text",
    "Label",
    "Identifier",
    "FiscalYearLabel",
    "OptionalText",
    "OptionalNumber",
    "OptionalPeriod",
    "Flag",
    "GoalNumber",
    "Count",
    "GradeSymbol",
]
INPUTS: list[Any] = [
    "R6年度",
    "R6",
    "a-1",
    "",
    " ",
    "x" * 81,
    "no way",
    Decimal("13.60"),
    Decimal(-1),
    True,
    None,
    3,
]


def _per_field(alias: Any) -> Any:
    """The same type as pydantic built it before: its metadata straight in the ``Annotated``."""
    source, built_once = alias.__origin__, alias.__metadata__[0]
    return Annotated[(source, *built_once.metadata)]


def _outcome(model: type[StrictModel], value: Any) -> Any:
    try:
        return ("ok", model.model_validate({"a": value, "b": [value]}).model_dump(mode="json"))
    except ValidationError as error:
        return ("error", error.errors(include_url=False, include_context=False), str(error))


@pytest.mark.parametrize("name", ALIASES)
def test_a_field_type_built_once_validates_serializes_and_describes_as_built_per_field(name: str) -> None:
    alias = getattr(fields, name)
    once = create_model("M", __base__=StrictModel, a=(alias, ...), b=(list[alias], ...))  # type: ignore[valid-type]
    each = create_model(
        "M", __base__=StrictModel, a=(_per_field(alias), ...), b=(list[_per_field(alias)], ...)
    )
    assert once.model_json_schema() == each.model_json_schema()
    for value in INPUTS:
        assert _outcome(once, value) == _outcome(each, value)


def test_fields_of_one_type_get_their_own_copy_of_its_schema() -> None:
    model = create_model("M", __base__=StrictModel, a=(fields.Number, ...), b=(fields.Number, ...))
    inner = model.__pydantic_core_schema__["schema"]["fields"]
    assert inner["a"]["schema"] == inner["b"]["schema"]
    assert inner["a"]["schema"] is not inner["b"]["schema"]
