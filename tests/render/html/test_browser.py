"""The site in a real browser: headless Chromium (Debian's ``chromium``) renders the 2nd vision's
page; what it shows is what ``evaluate --format json`` and the data hold, with no console error
and no request leaving the machine. Skipped where chromium is not installed (.ci/run installs it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from typing import Any

import pytest
from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.model.actuals import paragraphs
from kpitool.sources.tree import load_data
from tests.conftest import DATA

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed"),
]

VISION = "kurume-renkei-vision-2"
YEARS = ("R4", "R5", "R6")
CHROMIUM_OWN_HOSTS = ("google.com/", "googleapis.com/", "gvt1.com/")
"""Hosts Chromium itself calls at start (time, updates, accounts): not the page's requests."""
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


class _Cells(HTMLParser):
    """The rendered DOM's tables: caption → rows of cell texts; and all visible paragraphs."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.paragraphs: list[str] = []
        self._caption: str | None = None
        self._rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in.append(tag)
        if tag == "table":
            self._caption, self._rows = "", []
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table" and self._caption is not None:
            self.tables[self._caption.strip()] = self._rows
            self._caption = None
        while self._in and self._in.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if "caption" in self._in and self._caption is not None:
            self._caption += data
        if self._cell is not None:
            self._cell.append(data)
        if self._in and self._in[-1] == "p":
            self.paragraphs.append(data.strip())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The site written by the CLI, the page as Chromium's DOM, its console and its requests."""
    folder = tmp_path_factory.mktemp("browser")
    runner = CliRunner()
    result = runner.invoke(
        app, ["site", VISION, "--out", str(folder / "site"), "--years", ",".join(YEARS), "--data", str(DATA)]
    )
    assert result.exit_code == 0, result.output
    page = folder / "site" / f"{VISION}.html"
    net = folder / "net.json"
    command = [
        "chromium",
        *FLAGS,
        f"--user-data-dir={folder / 'profile'}",
        f"--log-net-log={net}",
        "--dump-dom",
        page.as_uri(),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    events = json.loads(net.read_text(encoding="utf-8"))["events"]
    urls = {e["params"]["url"] for e in events if "url" in e.get("params", {})}
    evaluations = {}
    for year in YEARS:
        out = runner.invoke(
            app, ["evaluate", VISION, "--year", year, "--format", "json", "--data", str(DATA)]
        )
        evaluations[year] = json.loads(out.stdout)
    return {
        "dom": run.stdout,
        "log": run.stderr,
        "urls": urls,
        "html": page.read_text("utf-8"),
        "json": evaluations,
    }


def _parsed(dom: str) -> _Cells:
    parser = _Cells()
    parser.feed(dom)
    return parser


def test_each_kpi_shows_its_values_and_grades_as_evaluate_gives_them(rendered: dict[str, Any]) -> None:
    tables = _parsed(rendered["dom"]).tables
    for year, evaluation in rendered["json"].items():
        for kpi in evaluation["kpis"]:
            rows = {row[0]: row for row in tables[f"{kpi['number']} {kpi['name']} の数値"]}
            shown = rows[f"{year} 実績値"]
            assert shown[-1].startswith(kpi["grade"]), (year, kpi["id"], shown)


def test_the_summary_counts_are_evaluates(rendered: dict[str, Any]) -> None:
    table = _parsed(rendered["dom"]).tables[f"{rendered['json']['R6']['plan']['title']} — 進捗度別の件数"]
    header = table[0]
    assert header[1 : 1 + len(YEARS)] == list(YEARS)
    by_grade = {row[0]: row for row in table[2:]}
    for index, year in enumerate(YEARS):
        summary = rendered["json"][year]["summary"]
        for symbol, count in summary.items():
            label = "計" if symbol == "total" else symbol
            assert by_grade[label][1 + 2 * index] == str(count), (year, symbol)


def test_the_published_texts_show_verbatim(rendered: dict[str, Any]) -> None:
    shown = set(_parsed(rendered["dom"]).paragraphs)
    narrative = load_data([DATA]).actuals[VISION].actuals.narrative["R6"]
    assert narrative.summary is not None
    texts = [text for _, text in narrative.summary.texts()]
    texts += [text for section in narrative.sections.values() for _, text in section.texts()]
    expected = [p for text in texts for p in paragraphs(text)]
    assert len(expected) == 26
    assert [p for p in expected if p not in shown] == []


def test_no_console_message_and_nothing_fetched(rendered: dict[str, Any]) -> None:
    assert [line for line in rendered["log"].splitlines() if ":CONSOLE" in line] == []
    fetched = {u for u in rendered["urls"] if not u.startswith("file:") and not u.startswith("data:")}
    assert {u for u in fetched if not any(host in u for host in CHROMIUM_OWN_HOSTS)} == set()
    assert "<script" not in rendered["html"]
