"""Golden checks on the bundled seed plans: counts as the source documents print them."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from kpitool.checks import check_data
from kpitool.model.plan import Plan
from kpitool.problems import Severity
from kpitool.sources.tree import LoadedData, load_data
from tests.conftest import DATA


@pytest.fixture(scope="module")
def loaded() -> LoadedData:
    """The bundled data, loaded once."""
    return load_data([DATA])


def plan(loaded: LoadedData, plan_id: str) -> Plan:
    """A bundled plan by id."""
    return loaded.plans[plan_id].plan


def test_six_plans_each_in_a_file_named_after_its_id(loaded: LoadedData) -> None:
    assert loaded.problems == []
    assert len(loaded.plans) == 6
    for plan_id, doc in loaded.plans.items():
        assert doc.document.path.stem == plan_id


def test_bundled_data_validates_with_only_the_known_warning(loaded: LoadedData) -> None:
    problems = check_data(loaded)
    assert [p for p in problems if p.severity is Severity.ERROR] == []
    # 年少人口割合 13.60% → 13.50% is printed with its target below the baseline.
    assert [p.message for p in problems] == ["target below baseline: graded as a floor (at_least)"]


def test_strategy_counts(loaded: LoadedData) -> None:
    strategy = plan(loaded, "kurume-sogo-senryaku-2")
    categories = Counter(kpi.category for kpi, _ in strategy.iter_kpis())
    assert categories == {"成果目標": 1, "数値目標": 8, "KPI": 40}
    levels = Counter(section.level for section, _ in strategy.walk_sections())
    assert levels == {"基本目標": 5, "施策の基本的方向": 13, "政策パッケージ": 6}
    # The overview lists 47 project entries; 6 are 【再掲】 listings of the same project.
    assert len(strategy.projects) == 41
    relisted = [p for p in strategy.projects if len(p.listed_in) > 1]
    assert len(relisted) == 5
    assert sum(len(p.listed_in) for p in strategy.projects) == 46


def test_strategy_outcome_target_and_population_actuals(loaded: LoadedData) -> None:
    strategy = plan(loaded, "kurume-sogo-senryaku-2")
    (outcome,) = strategy.kpis
    assert (outcome.category, outcome.unit, outcome.target.value) == ("成果目標", "万人", Decimal(30))
    actuals = loaded.actuals_for("kurume-sogo-senryaku-2")
    assert actuals is not None
    population = actuals.actuals[outcome.id]
    assert [population[y].value for y in ("R2", "R3", "R4", "R5", "R6")] == [
        304079,
        302122,
        301612,
        300516,
        299539,
    ]


def test_vision2_kpis_and_actuals(loaded: LoadedData) -> None:
    vision = plan(loaded, "kurume-renkei-vision-2")
    kpis = [kpi for kpi, _ in vision.iter_kpis()]
    assert [kpi.number for kpi in kpis] == list("①②③④⑤⑥⑦⑧⑨⑩⑪⑫")
    actuals = loaded.actuals_for("kurume-renkei-vision-2")
    assert actuals is not None
    assert actuals.count() == 36
    grp = actuals.actuals[kpis[0].id]
    assert (grp["R6"].value, grp["R6"].period.label if grp["R6"].period else None) == (15048, "R4年度")
    published = "".join(actuals.actuals[k.id]["R6"].official_grade or "" for k in kpis)
    assert published == "○××○×○××××××"


def test_vision3_counts(loaded: LoadedData) -> None:
    vision = plan(loaded, "kurume-renkei-vision-3")
    assert vision.kpi_count() == 6
    assert len(vision.projects) == 39
    assert [p.number for p in vision.projects] == [str(n) for n in range(1, 40)]
    assert all(p.members for p in vision.projects)


@pytest.mark.parametrize(
    ("plan_id", "levels"),
    [
        ("kurume-shin-sogo-keikaku", {"施策の方向性": 10, "施策分野": 34}),
        ("kurume-kihon-keikaku-4", {"節": 2, "施策": 4}),
    ],
)
def test_plans_without_kpis(loaded: LoadedData, plan_id: str, levels: dict[str, int]) -> None:
    encoded = plan(loaded, plan_id)
    assert encoded.kpi_count() == 0
    assert Counter(section.level for section, _ in encoded.walk_sections()) == levels


def test_kumamoto_plan_structure(loaded: LoadedData) -> None:
    kumamoto = plan(loaded, "kumamoto-sogo-keikaku-7")
    assert kumamoto.kpi_count() == 0
    titles = [section.title for section in kumamoto.sections]
    assert len(titles) == 3
    assert any("熊本地震" in t for t in titles)
    assert any("新型コロナウイルス" in t for t in titles)
    corona = next(s for s in kumamoto.sections if "新型コロナウイルス" in s.title)
    assert len(corona.sections) == 4


def test_data_cites_seeds_by_file_name_never_by_path() -> None:
    """A local path in a comment means nothing to a reader of the repository."""
    for path in sorted(DATA.rglob("*.yaml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert "seeds/" not in line, f"{path.name}:{number}: {line}"
            assert "/work/" not in line, f"{path.name}:{number}: {line}"


def test_no_grade_of_the_strategy_rests_on_the_visions_museum_series(loaded: LoadedData) -> None:
    """003 prints the museum's visitors as 85,885人 (H30年度); 001's baseline is 9.5万人: other series."""
    strategy = loaded.actuals["kurume-sogo-senryaku-2"].actuals
    assert "art-museum-visitors" not in strategy.actuals
    vision = loaded.actuals["kurume-renkei-vision-2"].actuals
    assert "art-museum-visitors" in vision.actuals
