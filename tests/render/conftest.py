"""Shared fixtures of the renderer tests: a plan with wide names and units, graded for R5."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console, RenderableType

from kpitool.rating.engine import evaluate_plan
from kpitool.rating.results import PlanEvaluation
from kpitool.sources.tree import load_data
from kpitool.values.fiscal_year import FiscalYear
from tests.conftest import dedent


def render(renderable: RenderableType, width: int) -> list[str]:
    """The lines printing ``renderable`` at ``width`` columns shows, without colour or trailing spaces."""
    console = Console(file=io.StringIO(), width=width, color_system=None, soft_wrap=False)
    console.print(renderable)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    return [line.rstrip() for line in text.splitlines()]


PLAN = """\
id: wide
title: 幅のテスト計画
kind: revitalization_strategy
municipality: テスト市
period: {start: R2, end: R7}
evaluation: {scheme: expected_value}
sections:
  - id: goal-1
    level: 基本目標
    number: "1"
    title: とても長い基本目標の名前が折り返されても読めること
    kpis:
      - id: transfers
        number: ①
        name: 圏域への転入者数（大都市圏からの転入を含む）
        unit: ポイント（全国平均との差）
        direction: increase
        baseline: {value: 19494, period: H30.10月～R1.9月}
        target: {value: 21400, period: R6.10月～R7.9月}
      - id: visitors
        number: ②
        name: 観光客数
        unit: 千人/年
        direction: increase
        baseline: {value: 10558.25, period: R1年}
        target: {value: 10700, period: R7年}
"""

ACTUALS = """\
plan: wide
actuals:
  transfers:
    R5: {value: 18480, period: R5.10月～R6.9月}
  visitors:
    R5: {value: 9028, period: R5年}
"""


@pytest.fixture
def evaluation(data_dir: Callable[..., Path]) -> PlanEvaluation:
    """The wide plan graded for R5 (expected-value scheme)."""
    root = data_dir(plans={"wide.yaml": dedent(PLAN)}, actuals={"wide.yaml": dedent(ACTUALS)})
    loaded = load_data([root])
    plan = loaded.plans["wide"].plan
    return evaluate_plan(plan, loaded.actuals["wide"].actuals, FiscalYear(2023))
