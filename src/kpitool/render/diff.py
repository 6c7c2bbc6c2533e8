"""Render a :class:`~kpitool.diff.changes.DataDiff`: a Rich table, JSON, or Markdown for a pull request.

Labels are Japanese, as the plans print them; red flags (要確認: a moved
target or baseline, a rewritten past actual …) are marked in every format.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from kpitool.diff.changes import ATTENTION_KINDS, Change, ChangeKind, DataDiff, Value
from kpitool.model.plan import Direction
from kpitool.render.machine import json_number
from kpitool.render.style import DIRECTION_LABELS
from kpitool.values.numbers import format_number

__all__ = [
    "FIELD_LABELS",
    "KIND_LABELS",
    "MARKDOWN_LIMIT",
    "MARKDOWN_MARKER",
    "diff_json",
    "diff_markdown",
    "diff_table",
]

KIND_LABELS: dict[ChangeKind, str] = {
    ChangeKind.PLAN_ADDED: "計画の追加",
    ChangeKind.PLAN_REMOVED: "計画の削除",
    ChangeKind.PLAN_CHANGE: "計画の変更",
    ChangeKind.PERIOD_CHANGE: "計画期間の変更",
    ChangeKind.EVALUATION_CHANGE: "評価方法の変更",
    ChangeKind.SECTION_ADDED: "階層の追加",
    ChangeKind.SECTION_REMOVED: "階層の削除",
    ChangeKind.SECTION_RENAMED: "階層名の変更",
    ChangeKind.PROJECT_ADDED: "事業の追加",
    ChangeKind.PROJECT_REMOVED: "事業の削除",
    ChangeKind.PROJECT_RENAMED: "事業名の変更",
    ChangeKind.KPI_ADDED: "指標の追加",
    ChangeKind.KPI_REMOVED: "指標の削除",
    ChangeKind.KPI_RENAMED: "指標名の変更",
    ChangeKind.BASELINE_CHANGE: "基準値の変更",
    ChangeKind.TARGET_CHANGE: "目標値の変更",
    ChangeKind.UNIT_CHANGE: "単位の変更",
    ChangeKind.DIRECTION_CHANGE: "方向の変更",
    ChangeKind.KPI_CHANGE: "指標の設定の変更",
    ChangeKind.ACTUAL_ADDED: "実績値の追加",
    ChangeKind.ACTUAL_CHANGE: "実績値の変更",
    ChangeKind.ACTUAL_REMOVED: "実績値の削除",
    ChangeKind.PAST_ACTUAL_CHANGE: "過去の実績値の変更",
    ChangeKind.GRADE_ADDED: "公表評価の追加",
    ChangeKind.GRADE_CHANGE: "評価の変更",
}
"""Japanese label of each kind of change (in the counts; a row says which grade, see :func:`_kind_label`)."""

_OFFICIAL_GRADE_CHANGE = "公表評価の変更"
"""The row label of a grade-change of the 公表評価 (the grade-change of a computed grade: 評価の変更)."""

FIELD_LABELS: dict[str, str] = {
    "title": "名称",
    "kind": "種類",
    "municipality": "自治体",
    "revision": "改訂",
    "members": "構成市町",
    "period": "計画期間",
    "evaluation.scheme": "評価方式",
    "evaluation.options": "評価の設定",
    "evaluation.grades": "判断基準",
    "level": "階層",
    "kpis": "指標数",
    "name": "指標名",
    "unit": "単位",
    "direction": "方向",
    "baseline.value": "基準値",
    "baseline.period": "基準時点",
    "baseline.text": "基準値の表記",
    "target": "目標値",
    "target.value": "目標値",
    "target.period": "目標時点",
    "target.basis": "目標の基準",
    "target.factor": "倍率",
    "target.strict": "超・未満",
    "target.text": "目標値の表記",
    "target.every_year": "毎年度目標",
    "target.over": "複数年度目標",
    "cumulative": "累計",
    "category": "区分",
    "interim_targets": "中間目標",
}
"""Japanese label of each changed field (plan, section, project and KPI fields)."""

_ACTUAL_FIELD_LABELS = {
    "value": "実績値",
    "period": "実績時点",
    "unit": "単位",
    "official_grade": "公表評価",
    "grade": "評価",
}

MARKDOWN_MARKER = "<!-- kpitool-diff -->"
"""First line of the Markdown report, so a workflow can find and update its own comment."""

MARKDOWN_LIMIT = 60_000
"""Longest Markdown report in characters: GitHub refuses comments over 65,536."""


def _kind_label(change: Change) -> str:
    if change.kind is ChangeKind.GRADE_CHANGE and change.field == "official_grade":
        return _OFFICIAL_GRADE_CHANGE
    return KIND_LABELS[change.kind]


def _field_label(change: Change) -> str:
    """``目標値``, ``R6 実績値``; a computed grade names its causes: ``R4 評価 ← 目標値``."""
    if change.year is None:
        return FIELD_LABELS.get(change.field, change.field)
    label = f"{change.year} {_ACTUAL_FIELD_LABELS.get(change.field, change.field)}"
    if change.cause:
        label += " ← " + "・".join(dict.fromkeys(_field_label(cause) for cause in change.cause))
    return label


def _value_text(change: Change, value: Value) -> str:
    if value is None:
        # — is also a grade (判断困難), so an absent grade reads (なし).
        return "(なし)" if change.field == "official_grade" else "—"
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, Decimal):
        return format_number(value)
    if change.field == "direction" and isinstance(value, str):
        return f"{DIRECTION_LABELS[Direction(value)]} ({value})"
    return str(value)


def _subject_text(change: Change) -> str:
    if not change.subject:
        return "(計画)"
    label = " ".join(part for part in (change.number, change.name) if part)
    return f"{label} ({change.subject})" if label else change.subject


def _headline(diff: DataDiff) -> str:
    total = len(diff.changes)
    if not total:
        return f"変更なし: {diff.old_label} → {diff.new_label}"
    flagged = len(diff.attention())
    return f"計画データの変更: {diff.old_label} → {diff.new_label} ({total} 件, 要確認 {flagged} 件)"


def _counts_text(diff: DataDiff, mark: str) -> str:
    """``! 目標値の変更 2 · 実績値の追加 12``: red flags first, each kind in its order."""
    ordered = sorted(diff.counts().items(), key=lambda item: item[0] not in ATTENTION_KINDS)
    return " · ".join(
        f"{mark + ' ' if kind in ATTENTION_KINDS else ''}{KIND_LABELS[kind]} {n}" for kind, n in ordered
    )


# --------------------------------------------------------------------------- #
# Table


def diff_table(diff: DataDiff) -> RenderableType:
    """A headline, the counts by kind, and one table per plan."""
    parts: list[RenderableType] = [Text(_headline(diff), style="bold")]
    if not diff.changes:
        return Group(*parts)
    parts.append(Text(_counts_text(diff, "!")))
    for plan_id in diff.plans():
        table = Table(
            title=f"{diff.plan_titles.get(plan_id, plan_id)} ({plan_id})",
            title_justify="left",
            expand=False,
        )
        table.add_column("", no_wrap=True)
        table.add_column("変更", no_wrap=True)
        table.add_column("対象", min_width=16, overflow="fold")
        table.add_column("項目", no_wrap=True)
        table.add_column("変更前", justify="right", overflow="fold")
        table.add_column("変更後", justify="right", overflow="fold")
        for change in diff.of_plan(plan_id):
            style = "bold red" if change.attention else ""
            table.add_row(
                Text("!", style="bold red") if change.attention else "",
                Text(_kind_label(change), style=style),
                _subject_text(change),
                _field_label(change),
                _value_text(change, change.old),
                Text(_value_text(change, change.new), style=style),
            )
        parts.append(table)
    return Group(*parts)


# --------------------------------------------------------------------------- #
# JSON


def _json_value(value: Value) -> Any:
    if isinstance(value, Decimal):
        return json_number(value)
    return value


def _json_change(change: Change) -> dict[str, Any]:
    """One change; a computed grade change adds ``cause``: the kind, field and year of each cause."""
    found = {
        "kind": change.kind.value,
        "attention": change.attention,
        "plan": change.plan,
        "subject": change.subject or None,
        "number": change.number,
        "name": change.name,
        "field": change.field or None,
        "year": change.year,
        "old": _json_value(change.old),
        "new": _json_value(change.new),
    }
    if change.cause:
        found["cause"] = [
            {"kind": cause.kind.value, "field": cause.field or None, "year": cause.year}
            for cause in change.cause
        ]
    return found


def diff_json(diff: DataDiff) -> str:
    """Every change as a flat list (easy for ``jq``), with counts and plan titles."""
    document = {
        "old": diff.old_label,
        "new": diff.new_label,
        "total": len(diff.changes),
        "attention": len(diff.attention()),
        "counts": {kind.value: n for kind, n in diff.counts().items()},
        "plans": {plan_id: diff.plan_titles.get(plan_id, plan_id) for plan_id in diff.plans()},
        "changes": [_json_change(change) for change in diff.changes],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- #
# Markdown

_MARKDOWN_SPECIAL = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "*": "\\*",
        "_": "\\_",
        "`": "\\`",
        "[": "\\[",
        "]": "\\]",
        "<": "&lt;",
        ">": "&gt;",
        "\n": " ",
        "\r": " ",
    }
)


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell (no formatting, links, HTML or broken rows)."""
    return text.translate(_MARKDOWN_SPECIAL)


def _code(text: str) -> str:
    return "`" + text.replace("`", "'").replace("\n", " ") + "`"


def _md_subject(change: Change) -> str:
    if not change.subject:
        return "(計画)"
    label = " ".join(part for part in (change.number, change.name) if part)
    return f"{_md(label)} {_code(change.subject)}" if label else _code(change.subject)


def _md_row(change: Change) -> str:
    kind = _kind_label(change)
    new = _md(_value_text(change, change.new))
    if change.attention:
        kind = f"**{kind}**"
        new = new if new == "—" else f"**{new}**"
    return (
        f"| {'⚠️' if change.attention else ''} | {kind} | {_md_subject(change)} "
        f"| {_md(_field_label(change))} | {_md(_value_text(change, change.old))} | {new} |"
    )


def _md_plan_head(diff: DataDiff, plan_id: str) -> list[str]:
    return [
        f"#### {_md(diff.plan_titles.get(plan_id, plan_id))} {_code(plan_id)}",
        "",
        "| | 変更 | 対象 | 項目 | 変更前 | 変更後 |",
        "|:-:|---|---|---|--:|--:|",
    ]


def _length(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def diff_markdown(diff: DataDiff, *, limit: int = MARKDOWN_LIMIT) -> str:
    """A report to post as a pull-request comment: summary, then one table per plan.

    Past ``limit`` characters rows are left out and counted, so the comment is
    never refused for its size; red flags are kept first, the other rows fill
    the room left.
    """
    lines = [MARKDOWN_MARKER, "### 計画データの変更 (kpitool diff)", ""]
    versions = f"{_code(diff.old_label)} → {_code(diff.new_label)}"
    if not diff.changes:
        lines.append(f"{versions}: 変更なし")
        return "\n".join(lines) + "\n"
    flagged = diff.attention()
    summary = f"{versions}: **{len(diff.changes)} 件の変更**"
    if flagged:
        summary += f"、うち ⚠️ **要確認 {len(flagged)} 件**"
    lines += [summary, "", _counts_text(diff, "⚠️"), ""]
    rows = {id(change): _md_row(change) for change in diff.changes}
    # Choose the rows that fit, red flags first; the room for the note on what was left out is kept.
    room = limit - _length(lines) - 200
    kept: set[int] = set()
    headed: set[str] = set()
    for change in [*flagged, *(c for c in diff.changes if not c.attention)]:
        cost = len(rows[id(change)]) + 1
        if change.plan not in headed:
            cost += _length(_md_plan_head(diff, change.plan)) + 1
        if cost > room:
            continue
        room -= cost
        kept.add(id(change))
        headed.add(change.plan)
    for plan_id in diff.plans():
        chosen = [rows[id(c)] for c in diff.of_plan(plan_id) if id(c) in kept]
        if chosen:
            lines += [*_md_plan_head(diff, plan_id), *chosen, ""]
    omitted = len(diff.changes) - len(kept)
    if omitted:
        lost_flags = sum(1 for c in flagged if id(c) not in kept)
        which = f"(要確認 {lost_flags} 件を含む)" if lost_flags else "(要確認の変更はすべて表示)"
        lines.append(
            f"… {omitted} 件の変更は長さの制限のため省略しました{which}。"
            "All changes: `kpitool diff --format table` or `--format json`."
        )
    return "\n".join(lines).rstrip("\n") + "\n"
