"""kpitool site: writes the pages into a new, empty or earlier site folder; refuses anything else."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.render.html.pages import MARKER
from tests.conftest import DATA

VISION = "kurume-renkei-vision-2"


def site(runner: CliRunner, out: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["site", "--out", str(out), "--data", str(DATA), *args])
    return result.exit_code, result.output


def test_writes_index_plan_pages_and_marker(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "new" / "site"
    code, output = site(runner, out, VISION, "--years", "R4,R5,R6")
    assert code == 0, output
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, "index.html", f"{VISION}.html"])
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="{VISION}.html"' in index
    assert "R6 総括" in index


def test_rewrites_its_own_site_with_the_same_bytes(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert site(runner, out, VISION, "--years", "R4,R5,R6")[0] == 0
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "notes.txt").write_text("the city's own file", encoding="utf-8")
    assert site(runner, out, VISION, "--years", "R4,R5,R6")[0] == 0
    again = {p.name: p.read_bytes() for p in out.iterdir()}
    assert again == {**first, "notes.txt": b"the city's own file"}  # never deleted


def test_refuses_a_folder_that_holds_other_files(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "report.pdf").write_bytes(b"%PDF")
    code, output = site(runner, out, VISION, "--years", "R6")
    assert code == 2
    assert f"--out {out} is a folder that holds other files and no {MARKER}" in output
    assert [p.name for p in out.iterdir()] == ["report.pdf"]


def test_refuses_a_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "index.html"
    out.write_text("mine", encoding="utf-8")
    code, output = site(runner, out, VISION, "--years", "R6")
    assert code == 2
    assert "is not a folder" in output
    assert out.read_text(encoding="utf-8") == "mine"


def test_every_plan_for_the_years_recorded_by_default(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "all"
    code, output = site(runner, out)
    assert code == 0, output
    pages = {p.name for p in out.iterdir()} - {MARKER, "index.html"}
    assert f"{VISION}.html" in pages
    assert len(pages) >= 2


def test_each_kpi_shows_its_outlook_as_kpitool_outlook_gives_it(runner: CliRunner, tmp_path: Path) -> None:
    import json

    out = tmp_path / "site"
    assert site(runner, out, VISION, "--years", "R4,R5,R6")[0] == 0
    page = (out / f"{VISION}.html").read_text(encoding="utf-8")
    result = runner.invoke(app, ["outlook", VISION, "--year", "R6", "--format", "json", "--data", str(DATA)])
    for kpi in json.loads(result.stdout)["kpis"]:
        block = page.split(f'id="kpi-{kpi["id"]}"', 1)[1].split('<div class="kpi"', 1)[0]
        outlook = kpi["outlook"]
        assert f"見通し（R6時点、{outlook['method']}）: <strong>{outlook['label']}</strong>" in block
