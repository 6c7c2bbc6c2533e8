"""Cross-reference checks: what a single file cannot tell."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kpitool.checks import check_data
from kpitool.problems import Problem, Severity
from kpitool.sources.tree import load_data
from tests.conftest import MINIMAL_ACTUALS, MINIMAL_PLAN

MakeData = Callable[..., Path]


def problems(root: Path) -> list[Problem]:
    """Every problem of a data tree after the cross-reference checks."""
    return check_data(load_data([root]))


def messages(root: Path) -> list[str]:
    """The problems of a data tree as ``name:line: path: message`` strings."""
    return [f"{Path(p.file).name}:{p.line}: {p.path}: {p.message}" for p in problems(root)]


def test_minimal_data_is_clean(data_dir: MakeData) -> None:
    assert problems(data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": MINIMAL_ACTUALS})) == []


def test_unknown_kpi_in_actuals_names_file_and_line(data_dir: MakeData) -> None:
    actuals = MINIMAL_ACTUALS + "  nope:\n    R5: {value: 1}\n"
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": actuals})
    assert messages(root) == ["demo.yaml:5: actuals.nope: no KPI with id 'nope' in plan 'demo'"]


def test_actuals_for_an_unknown_plan(data_dir: MakeData) -> None:
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"x.yaml": "plan: other\nactuals: {}\n"})
    (message,) = messages(root)
    assert message.startswith("x.yaml:1: plan: no plan with id 'other'")


def test_duplicate_section_project_and_kpi_ids(data_dir: MakeData) -> None:
    plan = MINIMAL_PLAN.replace("  - id: proj-1", "  - id: goal-1") + (
        "kpis:\n  - id: workers\n    name: x\n    unit: 人\n    direction: increase\n"
        "    target: {value: 1, period: R7}\n"
    )
    found = messages(data_dir(plans={"demo.yaml": plan}))
    assert any("id 'goal-1' is already used by a section or project" in m for m in found)
    assert any("KPI id 'workers' is used twice" in m for m in found)


def test_project_refers_to_missing_sections(data_dir: MakeData) -> None:
    plan = MINIMAL_PLAN.replace("listed_in: [goal-1]", "listed_in: [goal-1]\n    serves: [dir-99]")
    assert messages(data_dir(plans={"demo.yaml": plan})) == [
        "demo.yaml:22: projects[0].serves[0]: no section with id 'dir-99' in this plan"
    ]


def test_target_period_before_baseline(data_dir: MakeData) -> None:
    plan = MINIMAL_PLAN.replace("period: R1年度}", "period: R8年度}")
    (problem,) = problems(data_dir(plans={"demo.yaml": plan}))
    assert problem.severity is Severity.ERROR
    assert problem.path == "sections[0].kpis[0].target.period"
    assert "is not after 基準時点" in problem.message


def test_target_below_baseline_for_increase_warns_as_floor(data_dir: MakeData) -> None:
    plan = MINIMAL_PLAN.replace("target: {value: 200", "target: {value: 90")
    (problem,) = problems(data_dir(plans={"demo.yaml": plan}))
    assert problem.severity is Severity.WARNING
    assert "floor (at_least)" in problem.message


def test_falling_cumulative_series_warns(data_dir: MakeData) -> None:
    plan = MINIMAL_PLAN.replace(
        "        direction: increase\n", "        direction: increase\n        cumulative: true\n"
    )
    actuals = MINIMAL_ACTUALS + "    R6: {value: 140, period: R6年度}\n"
    (problem,) = problems(data_dir(plans={"demo.yaml": plan}, actuals={"demo.yaml": actuals}))
    assert problem.severity is Severity.WARNING
    assert problem.path == "actuals.workers.R6.value"
    assert "cumulative (累計) series falls" in problem.message


def test_same_year_written_two_ways(data_dir: MakeData) -> None:
    actuals = MINIMAL_ACTUALS + "    令和5年度: {value: 151}\n"
    (message,) = messages(data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": actuals}))
    assert "令和5年度 is the same year as R5" in message


def test_actual_outside_plan_period_warns(data_dir: MakeData) -> None:
    actuals = MINIMAL_ACTUALS + "    R12: {value: 160}\n"
    (problem,) = problems(data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": actuals}))
    assert problem.severity is Severity.WARNING
    assert "outside the plan period" in problem.message


def test_official_grade_must_be_a_grade_of_the_scheme(data_dir: MakeData) -> None:
    actuals = MINIMAL_ACTUALS.replace("period: R5年度}", "period: R5年度, official_grade: A}")
    (message,) = messages(data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": actuals}))
    assert "official grade 'A' is not a grade of this plan's scheme" in message


def published(counts: str, year: str = "R5") -> str:
    """The minimal actuals with a published 総括 for ``year``."""
    return MINIMAL_ACTUALS.replace(
        "actuals:", f"published_summary:\n  {year}:\n    counts: {counts}\nactuals:"
    )


def test_published_counts_of_the_schemes_grades_are_clean(data_dir: MakeData) -> None:
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": published("{○: 0, △: 1}")})
    assert problems(root) == []


def test_a_published_grade_must_be_a_grade_of_the_scheme(data_dir: MakeData) -> None:
    actuals = published("{○: 0, 〇: 1, ◎: 0}")
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": actuals})
    assert [(p.location().split("/")[-1], p.message) for p in problems(root)] == [
        (
            "demo.yaml:4:20",
            "published grade '〇' is not a grade of this plan's scheme (○ △ × —); did you mean ○ (U+25CB)?",
        ),
        ("demo.yaml:4:26", "published grade '◎' is not a grade of this plan's scheme (○ △ × —)"),
    ]


def test_published_counts_that_do_not_add_up_to_the_kpis_warn(data_dir: MakeData) -> None:
    root = data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": published("{○: 3, △: 1}")})
    (problem,) = problems(root)
    assert problem.severity is Severity.WARNING
    assert (problem.line, problem.path) == (4, "published_summary.R5.counts")
    assert problem.message == "the published counts add up to 4, but the plan has 1 KPIs"


def test_a_published_year_twice_or_outside_the_period(data_dir: MakeData) -> None:
    actuals = published("{△: 1}").replace(
        "actuals:", "  令和5年度: {counts: {△: 1}}\n  R12: {counts: {△: 1}}\nactuals:"
    )
    found = messages(data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": actuals}))
    assert found == [
        "demo.yaml:5: published_summary.令和5年度: 令和5年度 is the same year as R5",
        "demo.yaml:6: published_summary.R12: evaluation year R12 lies outside the plan period R2–R7",
    ]


def test_unconvertible_actual_unit(data_dir: MakeData) -> None:
    actuals = MINIMAL_ACTUALS.replace("period: R5年度}", "period: R5年度, unit: 件}")
    (message,) = messages(data_dir(plans={"demo.yaml": MINIMAL_PLAN}, actuals={"demo.yaml": actuals}))
    assert "unit '件' cannot be converted to the KPI's unit '人'" in message


def test_unknown_evaluation_scheme(data_dir: MakeData) -> None:
    plan = MINIMAL_PLAN + "evaluation: {scheme: stars}\n"
    (message,) = messages(data_dir(plans={"demo.yaml": plan}))
    assert message.startswith("demo.yaml:22: evaluation: unknown evaluation scheme 'stars'")


def test_bundled_data_has_no_errors() -> None:
    from tests.conftest import DATA

    found = problems(DATA)
    assert [p for p in found if p.severity is Severity.ERROR] == []
