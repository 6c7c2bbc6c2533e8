"""Fuzz the YAML loader: only DataError may escape, whatever the file holds.

Mutates the bundled plans and actuals and the corpus files line by line and
character by character (hostile tokens: anchors, tags, tabs, NaN, 1e309, H32,
full-width digits, control characters …), then runs what ``kpitool validate``
runs: :func:`parse_yaml`, :func:`validate_document`, the cross-reference
checks, and the rating of every KPI. Any other exception is a finding.

    python fuzz/fuzz_loader.py --seconds 60
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import Stats, arguments, fuzz, render

from kpitool.checks import check_actuals, check_plan
from kpitool.model.actuals import ActualsFile
from kpitool.model.plan import Plan
from kpitool.problems import DataError
from kpitool.rating.engine import evaluate_plan
from kpitool.sources.documents import (
    ActualsDocument,
    PlanDocument,
    is_actuals,
    read_document,
    validate_document,
)
from kpitool.sources.tree import LoadedData
from kpitool.sources.yaml_strict import parse_yaml

ROOT = Path(__file__).resolve().parents[1]


def _seeds() -> list[str]:
    paths = sorted((ROOT / "data").rglob("*.yaml")) + sorted((ROOT / "tests/corpus").rglob("*.yaml"))
    texts = []
    for path in paths:
        if path.name == "case.yaml":
            continue
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, OSError):
            continue  # the corpus's non-UTF-8 files: the decoder has its own cases
    return texts


SEEDS = _seeds()

# A valid plan tree, so that mutated actuals files are checked against real KPIs.
PLANS: dict[str, PlanDocument] = {}
for _path in [
    *sorted((ROOT / "data/plans").glob("*.yaml")),
    ROOT / "tests/corpus/_base/data/plans/demo.yaml",
]:
    _document = read_document(_path)
    _plan = validate_document(_document, Plan)
    PLANS[_plan.id] = PlanDocument(_document, _plan)

# fmt: off
STRUCTURE = [
    "&a ", "*a", "&a [1, 2]", "!!python/object/apply:os.system ['x'] ", "!!binary aGk= ", "!foo ", "!!str ",
    "!!int ", "!!float ", "!!set ", "!!omap ", "<<: ", "? ", "- ", ": ", "{", "}", "[", "]", ",", "\t", "\n",
    "  ", "    ", "#", "'", '"', "|", "|-", ">", "---\n", "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n",
    "\ufeff", "\x00", "\x07", "\x85", "\u2028", "\u202e",
]
VALUES = [
    '"\\e[2J"', '"\\u202e"', '"\\x00"', '"\\ud800"', '"\\U0001F600"', "*a", "&a 1", "!!str 1", "!!int 1",
    # scalars YAML 1.1 would retype
    "~", "null", "yes", "no", "on", "off", "True", "0x1F", "0o17", "012", "1_000", "10:30", "2025-04-01",
    "2025-04-01T10:00:00", ".nan", ".NaN", ".inf", "-.inf", "1e309", "1e-400", "1.0e+5", "-0", "+0.0",
    # numbers as plans write them
    '"1,234"', '"1,23,4"', '"▲2.6"', '"△0.5"', '"１２３"', '"１，２３４"', '"—"', '"-"', '"1万7187"',
    '"39.3万人"', "0", "0.0", "-0.0", "0.000000000000000000000000001", "999999999999999999",
    "-999999999999999999", "0.1" + "0" * 27 + "1", "9" * 25, "0." + "1" * 40, "-" + "9" * 19,
    '"NaN"', '"Infinity"', '"1e5"',
    # periods
    "R0", "R0年度", "H32", "H32年度", "H31年度末", "令和元年度", "R6年13月", "R6年0月", "令和8年2月30日",
    "H30.10月～R1.9月", "H29～R2", "2200年度", "1899", "FY2024", "S64年", "R7年1月",
    # field names and values the model knows
    "value: ", "period: ", "basis: baseline", "factor: ", "factor: -1", "direction: ", "increase", "decrease",
    "at_least", "at_most", "cumulative: true", "unit: 万人", "unit: 件", "unit: ", "official_grade: ◎",
    "official_grade: 〇", "official_grade: ○", "interim_targets: [{value: 1, period: R9}]", "strict: true",
    "evaluation: {scheme: progress_bands}", "evaluation: {scheme: nope}", "options: {threshold: 80}",
    "kpis: []", "sections: []", "listed_in: []", "sdgs: [0, 18]", "plan: nope", "id: ", "R6: ", "令和6年度: ",
    "😀", "久留米市",
]
# fmt: on
# Replacing a value keeps the file valid YAML most often, so the model and the rating see it.
OPERATIONS = ["replace-value"] * 6 + ["insert", "delete", "duplicate-line", "drop-line", "indent", "dedent"]
OPERATIONS += ["swap"]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A seed file with one to eight edits."""
    text = draw(st.sampled_from(SEEDS))
    value = st.sampled_from(VALUES) | st.text(max_size=6)
    token = st.sampled_from(STRUCTURE) | value
    for _ in range(draw(st.integers(1, 4))):
        lines = text.split("\n")
        line = draw(st.integers(0, max(len(lines) - 1, 0)))
        operation = draw(st.sampled_from(OPERATIONS))
        if operation == "insert":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(token) + text[at:]
            continue
        if operation == "delete":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + text[at + draw(st.integers(1, 30)) :]
            continue
        if operation == "replace-value" and ": " in lines[line]:
            key = lines[line].split(": ", 1)[0]
            lines[line] = f"{key}: {draw(value)}"
        elif operation == "duplicate-line":
            lines.insert(line, lines[line])
        elif operation == "drop-line":
            del lines[line]
        elif operation == "indent":
            lines[line] = "  " + lines[line]
        elif operation == "dedent":
            lines[line] = lines[line][2:]
        elif operation == "swap" and line + 1 < len(lines):
            lines[line], lines[line + 1] = lines[line + 1], lines[line]
        text = "\n".join(lines)
    return text


def target(text: str, stats: Stats) -> None:
    """What ``kpitool validate`` and ``evaluate`` do with one file; only DataError may escape."""
    try:
        document = parse_yaml(text, "fuzz.yaml")
        if is_actuals(document.data):
            actuals = validate_document(document, ActualsFile)
            loaded = LoadedData(plans=dict(PLANS), actuals={actuals.plan: ActualsDocument(document, actuals)})
            list(check_actuals(document, loaded, actuals.plan))
            plan_doc = PLANS.get(actuals.plan)
            if plan_doc is not None:
                _rate(plan_doc.plan, actuals)
        else:
            plan = validate_document(document, Plan)
            list(check_plan(document, plan))
            _rate(plan, None)
    except DataError as exc:
        stats.count(exc.problems[0].code if exc.problems else "data")
        return
    stats.count("ok")


def _rate(plan: Plan, actuals: ActualsFile | None) -> None:
    years = {2022, 2024}
    if actuals is not None:
        years |= {_year for kpi in actuals.actuals.values() for _year in _years(kpi)}
    render([evaluate_plan(plan, actuals, year, f"FY{year}") for year in sorted(years)[:4]])


def _years(years: dict[str, Any]) -> list[int]:
    from kpitool.values.fiscal_year import parse_fiscal_year

    return [parse_fiscal_year(label) for label in years]


def main() -> int:
    """Fuzz for ``--seconds``; exit 1 if anything but DataError escaped."""
    options = arguments(__doc__.splitlines()[0])
    return fuzz("loader", mutated(), target, str, options)


if __name__ == "__main__":
    sys.exit(main())
