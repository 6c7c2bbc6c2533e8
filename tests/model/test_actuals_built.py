"""built_actuals_file: whenever it builds an actuals file, it is what ActualsFile.model_validate makes of it.

Compared object by object: every model's type, fields, fields set, extra and private state, and
each value's type and repr (so 13.60 is not 13.6 and R1年度 is not H31年度, which compare equal).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from kpitool.model.actuals import ActualsFile
from kpitool.model.actuals_built import built_actuals_file
from kpitool.model.fields import AmbiguousScalar
from kpitool.sources.yaml_fast import fast_values
from tests.properties import examples

REPOSITORY = Path(__file__).resolve().parents[2]


def _shape(value: Any) -> Any:
    """Everything a model holds, spelled out: types, reprs, order of keys, the fields set."""
    if isinstance(value, BaseModel):
        state = value.__getstate__()
        return (
            type(value).__name__,
            _shape(state["__dict__"]),
            sorted(state["__pydantic_fields_set__"]),
            state["__pydantic_extra__"],
            state["__pydantic_private__"],
        )
    if isinstance(value, dict):
        return ("dict", [(_shape(key), _shape(item)) for key, item in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [_shape(item) for item in value])
    return (type(value).__name__, repr(value))


def _agrees(values: dict[str, Any]) -> bool:
    """Built or not: if built, exactly pydantic's model; a file pydantic refuses is never built. True if built."""
    built = built_actuals_file(values)
    try:
        validated = ActualsFile.model_validate(values)
    except ValidationError:
        assert built is None, values
        return False
    if built is None:
        return False
    assert _shape(built) == _shape(validated), values
    assert built == validated
    return True


_NUMBERS = st.sampled_from(["133", "13.60", "0", "-5", "1e3", "1E-20", "1e18", "NaN", "Infinity", "1" * 31])
_TEXTS = st.sampled_from(["", " ", "人", "速報値", "○", "x" * 101, "1,234", "▲2.6", "R6年度"])
_PERIODS = st.sampled_from(
    ["R6年度", "H31年度", "令和元年度", "R7年1月", "H30.10月～R1.9月", "R0年度", "soon", ""]
)
_ODD = st.sampled_from([True, 1, 2.5, [], {}, AmbiguousScalar("0123", "octal in YAML 1.1")])
_VALUES = st.one_of(st.none(), _NUMBERS.map(Decimal), _TEXTS, _PERIODS, _ODD, st.integers(-(10**20), 10**20))
_FIELDS = st.sampled_from(
    ["value", "period", "unit", "official_grade", "official_reason", "annotation", "note", "source", "bogus"]
)


@st.composite
def _actual(draw: st.DrawFn) -> Any:
    """Mostly what a data file holds ({value: 133, period: R6年度}); sometimes anything."""
    if draw(st.integers(0, 9)) == 0:
        return draw(_VALUES)
    given: dict[str, Any] = {}
    if draw(st.integers(0, 9)):
        given["value"] = (
            draw(st.one_of(st.none(), _NUMBERS.map(Decimal))) if draw(st.booleans()) else draw(_VALUES)
        )
    if draw(st.booleans()):
        given["period"] = draw(_PERIODS) if draw(st.integers(0, 3)) else draw(_VALUES)
    for name in draw(st.lists(_FIELDS, max_size=3)):
        given[name] = draw(_TEXTS) if draw(st.integers(0, 3)) else draw(_VALUES)
    return given


_KPI_IDS = st.one_of(
    st.sampled_from(["kpi-01", "a", "A.b_c-9", "x" * 80]),
    st.sampled_from(["x" * 81, "-a", "a b", "kpi\n", "ｋｐｉ", "", "a\u00e9"]),
    st.integers(0, 3),
)
_YEARS = st.one_of(
    st.sampled_from(["R6", "H28", "令和6年度", "2024年度", "FY2024", "R6"]),
    st.sampled_from(["R0", "X1", "R6年1月", "", "y" * 101]),
    st.integers(2020, 2024),
)


@st.composite
def _actuals_values(draw: st.DrawFn) -> dict[str, Any]:
    values: dict[str, Any] = {"plan": draw(st.sampled_from(["demo", "m0001-x", "demo", "bad id"]))}
    for field, strategy in (("source", _TEXTS), ("note", _VALUES)):
        if draw(st.integers(0, 3)) == 0:
            values[field] = draw(strategy)
    if draw(st.integers(0, 9)) == 0:
        values["published_summary"] = {"R6": {"counts": {"○": Decimal(3)}}}
    if draw(st.integers(0, 19)) == 0:
        values["actuals"] = draw(_VALUES)
    elif draw(st.integers(0, 9)):
        series = st.dictionaries(_YEARS, _actual(), max_size=4)
        good = st.dictionaries(_KPI_IDS, series, max_size=3)
        values["actuals"] = (
            draw(good) if draw(st.integers(0, 5)) else draw(st.dictionaries(_KPI_IDS, _VALUES))
        )
    return values


@settings(max_examples=examples(600), suppress_health_check=[HealthCheck.too_slow])
@given(_actuals_values())
def test_what_is_built_is_what_pydantic_validates(values: dict[str, Any]) -> None:
    _agrees(values)


def test_the_generated_files_are_often_built_not_only_refused() -> None:
    # The property above proves nothing if nearly nothing is built: these are built.
    clean = {
        "plan": "demo",
        "source": "統計",
        "actuals": {
            "kpi-01": {
                "R5": {"value": Decimal("13.60"), "period": "H31年度"},
                "令和6年度": {"value": None, "note": "調査未実施", "period": "R6年度"},
                "R7": {"value": Decimal(-3), "unit": "人", "official_grade": "○", "annotation": "速報値"},
            },
            "kpi-02": {},
        },
    }
    assert _agrees(clean)
    assert str(built_actuals_file(clean).actuals["kpi-01"]["R5"].value) == "13.60"  # type: ignore[union-attr]
    assert built_actuals_file({"plan": "demo"}) is None  # no actuals: left to pydantic


def test_every_actuals_file_of_the_repository_and_the_hostile_corpus_agrees() -> None:
    built = 0
    for path in sorted(REPOSITORY.glob("data/actuals/*.yaml")) + sorted(
        REPOSITORY.glob("tests/corpus/**/*.yaml")
    ):
        values = fast_values(path.read_bytes())
        if isinstance(values, dict) and "plan" in values and "id" not in values:
            built += _agrees(values)
    assert built >= 8
