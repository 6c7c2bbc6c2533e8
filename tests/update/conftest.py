"""Shared data for the tests of kpitool.update: a demo plan and a hand-written actuals file."""

from __future__ import annotations

from pathlib import Path

from kpitool.checks import check_data
from kpitool.model.actuals import ActualsFile
from kpitool.model.plan import Plan
from kpitool.sources.documents import validate_document
from kpitool.sources.tree import load_data
from kpitool.sources.yaml_strict import parse_yaml
from kpitool.update.lock import actuals_lock

PLAN = """\
id: demo
title: デモ計画
kind: comprehensive_plan
municipality: 久留米市
period: {start: R4, end: R7}
kpis:
  - id: population
    name: 人口
    unit: 万人
    direction: at_least
    target: {value: 30, period: R7年度}
sections:
  - id: s1
    level: 基本目標
    number: "1"
    title: 経済
    kpis:
      - id: output
        name: 総生産額
        unit: 億円
        direction: increase
        baseline: {value: 14063, period: H30年度}
        target: {value: 14300, period: R7年度}
      - id: ratio
        name: 年少人口割合
        unit: "%"
        direction: at_least
        baseline: {value: 13.60, period: R2年1月}
        target: {value: 13.50, period: R7年1月}
  - id: s2
    level: 基本目標
    number: "2"
    title: 交流
    kpis:
      - id: visitors
        name: 入館者数
        unit: 人
        direction: increase
        baseline: {value: 552646, period: H30年度}
        target: {value: 612800, period: R7年度}
"""

ACTUALS = """\
# hand-written header comment
plan: demo
actuals:
  # the output KPI
  output:  # ①
    R4: {value: 14276, period: R2年度}  # trailing comment
    R6:
      value: 15048
      period: R4年度
      # why the grade is what it is
      official_grade: ○
  population:
    R5: {value: 300516, period: R5年度末, unit: 人}
  visitors:
    R5: {value: 451121, period: R5年度}
# closing comment
"""


def demo_plan(tmp_path: Path, actuals: str | None = ACTUALS) -> tuple[Plan, Path]:
    """A data tree under ``tmp_path`` with the demo plan and ``actuals`` (None: no actuals file)."""
    (tmp_path / "plans").mkdir(exist_ok=True)
    (tmp_path / "actuals").mkdir(exist_ok=True)
    (tmp_path / "plans" / "demo.yaml").write_text(PLAN, encoding="utf-8")
    path = tmp_path / "actuals" / "demo.yaml"
    if actuals is not None:
        path.write_text(actuals, encoding="utf-8")
    loaded = load_data([tmp_path])
    assert not loaded.problems
    return loaded.plans["demo"].plan, path


def read_actuals(text: str) -> ActualsFile:
    """An actuals file's text, validated."""
    return validate_document(parse_yaml(text, "x.yaml"), ActualsFile)


def assert_valid(tmp_path: Path) -> None:
    """The whole data tree still passes validate's checks."""
    problems = [p for p in check_data(load_data([tmp_path])) if p.severity == "error"]
    assert problems == []


HOLDER = """
import sys, time
from pathlib import Path
from kpitool.update.lock import actuals_lock
with actuals_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(60)
"""
"""A program that holds the lock of the actuals file ``argv[1]`` until it is killed, as an import
killed in the middle of its write would."""


def assert_lock_free(path: Path) -> None:
    """Nobody holds the lock of the actuals file at ``path``: it can be had at once."""
    with actuals_lock(path, timeout=0):
        pass
