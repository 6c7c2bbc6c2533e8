"""The actuals of a clean file built without pydantic's per-actual machinery (issue 18).

A national corpus holds 835,000 actuals, nearly all ``{value: 133, period: H27年度}``:
validating each through pydantic costs ~4 µs (the year key's and two fields' validators
called from Rust, a dict and a model per actual), most of a cold load's validation.
:func:`built_actuals_file` builds the same :class:`~kpitool.model.actuals.ActualsFile`
from the loader's values by calling the very validators of :mod:`kpitool.model.fields`
the schema calls (their memos inline, for the values a national load repeats), and
gives up — returns None — at anything it does not take on itself: a value of another
type, a field it does not know, a missing ``value``, a key that is not a plain id, any
validator's refusal. The caller then validates with ``ActualsFile.model_validate``,
which words every problem as before; so whatever this returns is what ``model_validate``
returns (tests/model/test_actuals_built.py compares the two, objects and their state).
The fields other than ``actuals`` are still validated by pydantic.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import PlainValidator

from kpitool.model import fields
from kpitool.model.actuals import Actual, ActualsFile
from kpitool.model.built_once import BuiltOnce

__all__ = ["built_actuals_file"]

_new = object.__new__
_set = object.__setattr__
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
"""An :data:`~kpitool.model.fields.Identifier` (its pattern and its length of at most 80)."""
_VALIDATORS: dict[str, Any] = {
    "value": fields._optional_number,
    "period": fields._optional_period,
    "unit": fields._optional_text,
    "official_grade": fields._optional_text,
    "official_reason": fields._optional_text,
    "annotation": fields._optional_text,
    "note": fields._optional_text,
    "source": fields._optional_text,
}
"""Each field of :class:`Actual` and the validator its type (``Optional…``) runs."""
_BLANK: dict[str, Any] = dict.fromkeys(_VALIDATORS)
"""An actual's fields in their order, each at its default (None)."""


def _validator(info: Any) -> Any:
    """The one function a field's type validates with (its :class:`PlainValidator`), else None."""
    found = [
        item.func
        for meta in info.metadata
        for item in (meta.metadata if isinstance(meta, BuiltOnce) else (meta,))
        if isinstance(item, PlainValidator)
    ]
    return found[0] if len(found) == 1 and len(info.metadata) == 1 else None


def _schema_is_as_expected() -> bool:
    """Whether the models still have the shape this module builds; if not, it stands aside."""
    actual_fields = Actual.model_fields
    if list(actual_fields) != list(_VALIDATORS) or not actual_fields["value"].is_required():
        return False
    optional = [info for name, info in actual_fields.items() if name != "value"]
    if any(info.default is not None or info.default_factory is not None for info in optional):
        return False
    if any(
        info.validate_default or _validator(info) is not _VALIDATORS[name]
        for name, info in actual_fields.items()
    ):
        return False
    decorators = (Actual.__pydantic_decorators__, ActualsFile.__pydantic_decorators__)
    return not any(
        d.validators or d.field_validators or d.model_validators or d.root_validators for d in decorators
    ) and set(ActualsFile.model_fields) >= {"plan", "actuals"}


_ENABLED = _schema_is_as_expected()


def built_actuals_file(values: dict[str, Any]) -> ActualsFile | None:
    """The :class:`ActualsFile` ``model_validate`` would make of ``values``; None to leave it to pydantic."""
    actuals = values.get("actuals")
    if not _ENABLED or type(actuals) is not dict:
        return None
    built = _built_actuals(actuals)
    if built is None:
        return None
    rest = {key: value for key, value in values.items() if key != "actuals"}
    try:
        shell = ActualsFile.model_validate(rest)
    except ValueError:  # pydantic's ValidationError: the caller's model_validate words it
        return None
    state = dict(shell.__dict__)
    state["actuals"] = built
    model = _new(ActualsFile)
    _set(model, "__dict__", state)
    _set(model, "__pydantic_fields_set__", shell.__pydantic_fields_set__ | {"actuals"})
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


def _built_actuals(actuals: dict[Any, Any]) -> dict[str, dict[str, Actual]] | None:
    """KPI id → year → :class:`Actual`, as the schema validates them; None at anything else.

    Long because it is the one loop over every actual of a file, kept flat for speed.
    """
    known_years, known_numbers = fields._known_years, fields._known_numbers
    known_periods = fields._known_periods
    validators, blank, id_match = _VALIDATORS, _BLANK, _ID.fullmatch
    built: dict[str, dict[str, Actual]] = {}
    try:
        for kpi_id, years in actuals.items():
            if type(kpi_id) is not str or id_match(kpi_id) is None or type(years) is not dict:
                return None
            series: dict[str, Actual] = {}
            for year, given in years.items():
                if type(year) is not str or year not in known_years:
                    year = fields._validate_year_key(year)
                if type(given) is not dict or "value" not in given:
                    return None
                state = blank.copy()
                for name, value in given.items():
                    if value is None:
                        if name not in validators:  # an unknown field
                            return None
                    elif name == "value":
                        number = known_numbers.get(id(value))
                        state[name] = number if number is value else fields._optional_number(value)
                    elif name == "period":
                        period = known_periods.get(value) if type(value) is str else None
                        state[name] = period if period is not None else fields._optional_period(value)
                    else:
                        validator = validators.get(name)
                        if validator is None:  # an unknown field
                            return None
                        state[name] = validator(value)
                actual = _new(Actual)
                _set(actual, "__dict__", state)
                _set(actual, "__pydantic_fields_set__", set(given))
                _set(actual, "__pydantic_extra__", None)
                _set(actual, "__pydantic_private__", None)
                series[year] = actual
            built[kpi_id] = series
    except (ValueError, AssertionError):  # a validator's refusal: pydantic words it
        return None
    return built
