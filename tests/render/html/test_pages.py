"""The site's pages: escaped data, deterministic bytes, accessible markup, no remote resource."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kpitool.rating.engine import evaluate_plan
from kpitool.rating.results import PlanEvaluation
from kpitool.render.html.pages import MARKER, render_site
from kpitool.sources.tree import load_data
from kpitool.values.fiscal_year import FiscalYear
from tests.conftest import DATA, MINIMAL_PLAN, dedent

VISION = "kurume-renkei-vision-2"
HOSTILE = '<script>alert("x")</script>&"\''


def _vision() -> list[PlanEvaluation]:
    loaded = load_data([DATA])
    plan, actuals = loaded.plans[VISION].plan, loaded.actuals[VISION].actuals
    return [evaluate_plan(plan, actuals, FiscalYear(year)) for year in (2022, 2023, 2024)]


@pytest.fixture(scope="module")
def vision_site() -> dict[str, bytes]:
    return render_site([_vision()])


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside each tag name."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, list[str]] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        for tag in self._open:
            self.text.setdefault(tag, []).append(data)


def _parse(html: bytes) -> _Elements:
    parser = _Elements()
    parser.feed(html.decode("utf-8"))
    return parser


def test_the_site_has_an_index_a_page_per_plan_and_its_marker(vision_site: dict[str, bytes]) -> None:
    assert set(vision_site) == {"index.html", f"{VISION}.html", MARKER}


def test_same_inputs_same_bytes(vision_site: dict[str, bytes]) -> None:
    assert render_site([_vision()]) == vision_site


def test_pages_are_japanese_accessible_and_fetch_nothing(vision_site: dict[str, bytes]) -> None:
    for name in ("index.html", f"{VISION}.html"):
        html = vision_site[name].decode("utf-8")
        assert html.startswith('<!DOCTYPE html>\n<html lang="ja">')
        assert '<meta name="viewport"' in html
        assert "@media print" in html
        assert "<script" not in html
        assert re.findall(r"(?:src|href)=\"(?:https?:)?//", html) == []
        # the SVG namespace is a name, not a fetch; no other URL
        assert set(re.findall(r"https?://[^\"' <]+", html)) <= {"http://www.w3.org/2000/svg"}
        parsed = _parse(vision_site[name])
        tables = [t for t, _ in parsed.tags if t == "table"]
        assert tables
        assert len([t for t, _ in parsed.tags if t == "caption"]) == len(tables)
        assert any(t == "th" for t, _ in parsed.tags)


def test_each_kpi_has_a_titled_chart_and_its_numbers_in_a_table(vision_site: dict[str, bytes]) -> None:
    html = vision_site[f"{VISION}.html"].decode("utf-8")
    results = _vision()
    for row in results[-1].rows:
        block = html.split(f'id="kpi-{row.kpi.id}"', 1)[1].split('<div class="kpi"', 1)[0]
        assert f'<title id="kpi-{row.kpi.id}-title">{row.number} {row.kpi.name}の推移' in block
        assert f"<caption>{row.number} {row.kpi.name} の数値</caption>" in block
        for result in results:
            grade = result.rows[results[-1].rows.index(row)].grade
            assert f"{result.year.label} 実績値</th>" in block
            assert f">{grade}</span>" in block  # the symbol, whatever the colour


def test_the_published_texts_are_on_the_plan_page(vision_site: dict[str, bytes]) -> None:
    from kpitool.model.actuals import paragraphs

    html = vision_site[f"{VISION}.html"].decode("utf-8")
    narrative = _vision()[-1].narrative
    assert narrative is not None
    assert narrative.summary is not None
    texts = [t for _, t in narrative.summary.texts()]
    texts += [t for section in narrative.sections.values() for _, t in section.texts()]
    for text in texts:
        for paragraph in paragraphs(text):
            assert f"<p>{paragraph}</p>" in html


def test_every_text_from_the_data_is_escaped(tmp_path: Path) -> None:
    text = dedent(MINIMAL_PLAN).replace("title: テスト計画", f"title: {json.dumps(HOSTILE)}")
    text = text.replace("name: 労働者数", "name: '<img src=x onerror=alert(1)>'")
    text = text.replace("unit: 人", "unit: '</title><b>'")
    (tmp_path / "plans").mkdir()
    (tmp_path / "actuals").mkdir()
    (tmp_path / "plans" / "demo.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "actuals" / "demo.yaml").write_text(
        "plan: demo\nactuals:\n  workers:\n    R5: {value: 150, period: R5年度}\n"
        "narrative:\n  R5:\n    sections:\n      goal-1:\n        issues: '<a href=\"javascript:x\">課題</a>'\n",
        encoding="utf-8",
    )
    loaded = load_data([tmp_path])
    assert not loaded.problems, loaded.problems
    result = evaluate_plan(loaded.plans["demo"].plan, loaded.actuals["demo"].actuals, FiscalYear(2023))
    site = render_site([[result]])
    for name in ("index.html", "demo.html"):
        html = site[name].decode("utf-8")
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "</title><b>" not in html
        assert '<a href="javascript' not in html
    page = site["demo.html"].decode("utf-8")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&#34;&#39;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;a href=&#34;javascript:x&#34;&gt;課題&lt;/a&gt;" in page


def test_a_total_that_misses_100_percent_is_explained() -> None:
    loaded = load_data([DATA])
    plan_id = "kurume-sogo-senryaku-2"
    result = evaluate_plan(loaded.plans[plan_id].plan, loaded.actuals[plan_id].actuals, FiscalYear(2024))
    assert result.summary.rounding_note
    index = render_site([[result]])["index.html"].decode("utf-8")
    assert f"注: {result.summary.rounding_note}（合計 R6 {result.summary.percent_total}%）" in index
