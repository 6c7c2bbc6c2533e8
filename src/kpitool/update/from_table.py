"""Onboarding a KPI table into data/ (``kpitool init --from-table``): a plan YAML and its actuals.

The table is read as ``evaluate --table`` reads it (:func:`~kpitool.sources.table_file.read_table`);
this module writes what was read as the two YAML files an office keeps in git, with the schema
modeline, a comment for every annotation and assumption (a direction taken from 以上, a range
taken from the year columns, a missing baseline) and the published grades as official grades.
Both files are new: an existing one is never replaced.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from kpitool.errors import UsageError
from kpitool.model.actuals import Actual, ActualsFile
from kpitool.model.plan import KPI, Direction, Plan
from kpitool.support.safe_write import write_text_atomic
from kpitool.update.yaml_text import yaml_scalar

__all__ = ["actuals_yaml", "onboard_table", "plan_yaml"]

_PLAN_MODELINE = "# yaml-language-server: $schema=../../schemas/plan.schema.json"
_ACTUALS_MODELINE = "# yaml-language-server: $schema=../../schemas/actuals.schema.json"


_Fields = list[tuple[str, Decimal | str | bool | None]]
"""Field name → value, in the order written."""


def _flow(fields: _Fields) -> str:
    """``{value: 80, period: R1}`` — a flow mapping of the fields given (None left out but value)."""
    parts = []
    for name, value in fields:
        if value is None and name != "value":
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else yaml_scalar(value)
        parts.append(f"{name}: {text}")
    return "{" + ", ".join(parts) + "}"


def _kpi_comments(kpi: KPI) -> Iterator[str]:
    """The assumptions made reading the KPI's row, one comment line each."""
    target = kpi.target
    if target.text and kpi.direction in (Direction.AT_LEAST, Direction.AT_MOST):
        yield f"方向 {kpi.direction.value}: from the qualifier of the 目標値 '{target.text}'"
    if kpi.baseline is None:
        yield "基準値 and 基準時点 are '-' in the table: no baseline (進捗率 counts from 0)"
    elif kpi.baseline.annotation:
        yield f"基準値 注記 '{kpi.baseline.annotation}': kept as the baseline's annotation"
    if target.every_year:
        yield f"目標時点 {target.annotation or ''}: the same target in every year of {target.period.label}"
    elif target.over is not None:
        over = f"{target.period.label} ({target.over.value}, docs/rating.md)"
        yield f"目標時点 '{target.annotation}': over {over}"
    elif target.annotation:
        yield f"目標値 注記 '{target.annotation}': kept as the target's annotation"


def _kpi_lines(kpi: KPI) -> Iterator[str]:
    for comment in _kpi_comments(kpi):
        yield f"  # {comment}"
    yield f"  - id: {yaml_scalar(kpi.id)}"
    yield f"    name: {yaml_scalar(kpi.name)}"
    if kpi.unit:
        yield f"    unit: {yaml_scalar(kpi.unit)}"
    yield f"    direction: {kpi.direction.value}"
    if kpi.cumulative:
        yield "    cumulative: true"
    if kpi.baseline is not None:
        base = kpi.baseline
        period = base.period.label if base.period else None
        fields: _Fields = [("value", base.value), ("period", period), ("annotation", base.annotation)]
        yield f"    baseline: {_flow(fields)}"
    target = kpi.target
    fields = [
        ("value", target.value),
        ("period", target.period.label),
        ("strict", True if target.strict else None),
        ("text", target.text),
        ("every_year", True if target.every_year else None),
        ("over", target.over.value if target.over else None),
        ("annotation", target.annotation),
    ]
    yield f"    target: {_flow(fields)}"
    if kpi.note:
        yield f"    note: {yaml_scalar(kpi.note)}"


def plan_yaml(plan: Plan, plan_id: str, title: str, table: str) -> str:
    """The plan file's text: modeline, where it came from, the assumptions, then the KPIs."""
    lines = [
        _PLAN_MODELINE,
        f"# Written by kpitool init --from-table from {Path(table).name}; check it against the table.",
        "# Assumed (the table does not say): kind comprehensive_plan, municipality —, no 計画期間",
        "# (add period: {start: R2, end: R7}) and no sections: every KPI is at plan level.",
        f"id: {yaml_scalar(plan_id)}",
        f"title: {yaml_scalar(title)}",
        "kind: comprehensive_plan",
        f"municipality: {yaml_scalar('—')}",
        "source:",
        f"  title: {yaml_scalar(Path(table).name)}",
        "kpis:",
    ]
    for kpi in plan.kpis:
        lines.extend(_kpi_lines(kpi))
    return "\n".join(lines) + "\n"


def _actual_line(label: str, actual: Actual) -> Iterator[str]:
    if actual.annotation:
        yield f"    # 注記 '{actual.annotation}' in the table's {label} cell"
    if actual.official_grade:
        yield f"    # official_grade: the table's 公表評価 for {label}"
    period = actual.period.label if actual.period else None
    fields: _Fields = [
        ("value", actual.value),
        ("period", period),
        ("annotation", actual.annotation),
        ("official_grade", actual.official_grade),
    ]
    yield f"    {yaml_scalar(label)}: {_flow(fields)}"


def actuals_yaml(actuals: ActualsFile, plan_id: str, table: str) -> str:
    """The actuals file's text: each KPI's year columns, with the published grades."""
    lines = [
        _ACTUALS_MODELINE,
        f"# Written by kpitool init --from-table from {Path(table).name}: the keys are the year columns.",
        f"plan: {yaml_scalar(plan_id)}",
        f"source: {yaml_scalar(Path(table).name)}",
    ]
    if not actuals.actuals:
        return "\n".join([*lines, "actuals: {}"]) + "\n"
    lines.append("actuals:")
    for kpi_id, years in actuals.actuals.items():
        lines.append(f"  {yaml_scalar(kpi_id)}:")
        for label, actual in years.items():
            lines.extend(_actual_line(label, actual))
    return "\n".join(lines) + "\n"


def onboard_table(
    plan: Plan, actuals: ActualsFile, table: str, data: Path, plan_id: str, title: str
) -> tuple[Path, Path]:
    """Write ``data/plans/<id>.yaml`` and ``data/actuals/<id>.yaml``; refuse if either exists.

    Both are written atomically; when the second cannot be written the first is removed, so a
    failure leaves nothing half-done. Returns the two paths.
    """
    plan_path = data / "plans" / f"{plan_id}.yaml"
    actuals_path = data / "actuals" / f"{plan_id}.yaml"
    for path in (plan_path, actuals_path):
        if path.exists() or path.is_symlink():
            raise UsageError(f"{path}: already exists; init never overwrites (choose another --plan-id)")
    texts = (plan_yaml(plan, plan_id, title, table), actuals_yaml(actuals, plan_id, table))
    plan_path.parent.mkdir(parents=True, exist_ok=True)
    actuals_path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(plan_path, texts[0])
    try:
        write_text_atomic(actuals_path, texts[1])
    except BaseException:
        plan_path.unlink(missing_ok=True)
        raise
    return plan_path, actuals_path
