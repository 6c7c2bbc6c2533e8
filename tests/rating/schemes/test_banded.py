"""Tests for kpitool.rating.schemes.banded: the named schemes the band engine grades are their
``bands`` settings (the ones docs/rating.md prints), keep their own option checks (equal
thresholds) and read the KPIs they always read otherwise as they always did.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpitool.rating.schemes.banded import NamedBandsScheme
from kpitool.rating.schemes.base import RatingError
from kpitool.rating.schemes.registry import SCHEMES
from kpitool.sources.yaml_strict import parse_yaml
from tests.properties import examples
from tests.rating.conftest import D, directions, make_kpi, rate, values
from tests.rating.schemes.conftest import DOCS, resolve

NAMED = sorted(name for name, scheme in SCHEMES.items() if issubclass(scheme, NamedBandsScheme))


def test_the_named_band_schemes() -> None:
    """The four named schemes that are one measure cut into bands; the others keep their rule."""
    assert NAMED == ["achievement_bands", "baseline_tolerance", "expected_value", "progress_bands"]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def _flow(mapping: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{key}: {_scalar(value)}" for key, value in mapping.items()) + "}"


def as_yaml(setting: dict[str, Any]) -> str:
    """A ``bands`` setting as docs/rating.md prints it."""
    grades = "".join(f"    - {_flow(grade)}\n" for grade in setting["grades"])
    return f"evaluation:\n  scheme: bands\n  options: {_flow(setting['options'])}\n  grades:\n{grades}"


@pytest.mark.parametrize("name", NAMED)
def test_docs_print_the_bands_setting_of_each_named_band_scheme(name: str) -> None:
    setting = resolve({"scheme": name}).bands_setting()
    text = as_yaml(setting)
    assert f"```yaml\n{text}```" in DOCS.read_text(encoding="utf-8"), f"docs/rating.md lacks\n{text}"
    assert parse_yaml(text, f"{name}.yaml").data["evaluation"] == setting


@pytest.mark.parametrize("name", NAMED)
def test_a_bands_setting_shows_the_grades_of_its_scheme(name: str) -> None:
    named = resolve({"scheme": name})
    written = resolve(named.bands_setting())
    assert written.grade_specs == named.grade_specs


OPTIONS = {
    "progress_bands": st.fixed_dictionaries({"threshold": st.sampled_from(["0", "0.5", "0.8", "1"])}),
    "expected_value": st.sampled_from([("0.8", "0.5"), ("0.9", "0.2"), ("1", "0")]).map(
        lambda pair: {"b_plus": pair[0], "b": pair[1]}
    ),
    "achievement_bands": st.sampled_from([("1.1", "0.8", "0.5"), ("1", "0.9", "0.1"), ("2", "1", "0")]).map(
        lambda edges: dict(zip("abc", edges, strict=True))
    ),
    "baseline_tolerance": st.sampled_from([{"tolerance": "0.1"}, {"tolerance": "0"}, {"tolerance": "1"}])
    | st.sampled_from([{"tolerance": "3", "points": True}, {"tolerance": "0", "points": True}]),
}


def _decimals(options: dict[str, Any]) -> dict[str, Any]:
    return {key: D(value) if isinstance(value, str) else value for key, value in options.items()}


@pytest.mark.slow
@settings(max_examples=examples(400), deadline=None)
@given(st.data(), st.sampled_from(NAMED), directions, st.none() | values, values, values, st.booleans())
def test_a_named_band_scheme_grades_as_its_bands_setting(
    data: st.DataObject,
    name: str,
    direction: str,
    baseline: int | None,
    target: int,
    actual: int,
    strict: bool,
) -> None:
    """Every KPI gets the same grade (key, symbol) from the named scheme, with any options, as from
    the ``bands`` setting it prints — but for baseline_tolerance's two own readings (below)."""
    block = {"scheme": name, "options": _decimals(data.draw(OPTIONS[name]))}
    kpi = make_kpi(direction, None if baseline is None else D(baseline), D(target), strict=strict)
    named = rate(kpi, D(actual), evaluation=block)
    relative = not block["options"].get("points", False)
    if name == "baseline_tolerance" and (baseline is None or (baseline == 0 and relative)):
        return
    written = rate(kpi, D(actual), evaluation=resolve(block).bands_setting())
    assert written.computed == named.computed


@pytest.mark.parametrize(
    ("block", "actual", "grade"),
    [
        ({"scheme": "expected_value", "options": {"b_plus": D("0.9"), "b": D("0.9")}}, "171", "B+"),
        ({"scheme": "expected_value", "options": {"b_plus": D("0.9"), "b": D("0.9")}}, "161.9", "C"),
        ({"scheme": "achievement_bands", "options": {"a": D(1), "b": D(1)}}, "200", "A"),
        ({"scheme": "achievement_bands", "options": {"a": D(1), "b": D(1)}}, "199", "C"),
    ],
)
def test_equal_thresholds_leave_a_band_empty(block: dict[str, Any], actual: str, grade: str) -> None:
    """As always, the named schemes take equal thresholds (the band between them is empty: 171 is
    95% of R6's 期待値 180, 161.9 under 90%), which a ``bands`` setting refuses as unordered."""
    assert rate(make_kpi("increase", D(100), D(200)), D(actual), evaluation=block).grade == grade
    with pytest.raises(RatingError, match="unordered bands"):
        resolve(resolve(block).bands_setting())


@pytest.mark.parametrize(
    ("baseline", "actual", "grade", "rule"),
    [
        (None, "12", "S", "target reached"),  # reached: S without a baseline too
        (None, "9", "—", "no baseline to compare with"),
        (D(0), "0", "B", "within ±10.0% of the baseline: same level"),
        (D(0), "0.5", "A", "better than the baseline by more than ±10.0%"),
        (D(0), "-0.5", "C", "worse than the baseline by more than ±10.0%"),
    ],
)
def test_baseline_tolerance_reads_a_missing_or_zero_baseline_as_it_always_has(
    baseline: Decimal | None, actual: str, grade: str, rule: str
) -> None:
    """Against a baseline of 0 any change is beyond a relative tolerance; the ``bands`` setting
    (measure ``change``) gives — to these KPIs, with no baseline or none to divide by."""
    kpi = make_kpi("increase", baseline, D(10))
    row = rate(kpi, D(actual), evaluation={"scheme": "baseline_tolerance"})
    assert (row.grade, row.rule, dict(row.details)) == (grade, rule, {})
    written = resolve({"scheme": "baseline_tolerance"}).bands_setting()
    assert rate(kpi, D(actual), evaluation=written).grade == "—"
