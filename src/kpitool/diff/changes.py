"""The change value types of a data diff (差分): what changed, in which plan, from what to what.

:func:`kpitool.diff.compare.diff_data` produces a :class:`DataDiff` of :class:`Change` values;
the renderers in :mod:`kpitool.render.diff` show them, and ``--fail-on`` names their
:class:`ChangeKind`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

__all__ = ["ATTENTION_KINDS", "Change", "ChangeKind", "DataDiff", "Value"]

Value = str | int | Decimal | bool | None
"""An old or new value as written: text, a number, a flag, or None (absent / —)."""


class ChangeKind(StrEnum):
    """The kinds of change, as named in ``--fail-on`` and in JSON."""

    PLAN_ADDED = "plan-added"
    """計画の追加."""
    PLAN_REMOVED = "plan-removed"
    """計画の削除."""
    PLAN_CHANGE = "plan-change"
    """計画名・種類・自治体・改訂・構成市町 changed."""
    PERIOD_CHANGE = "period-change"
    """計画期間 (plan period) changed."""
    EVALUATION_CHANGE = "evaluation-change"
    """評価方法 (rating scheme, thresholds, grade wording) changed: grades may change with it."""
    SECTION_ADDED = "section-added"
    """A section (基本目標・施策 …) added."""
    SECTION_REMOVED = "section-removed"
    """A section removed."""
    SECTION_RENAMED = "section-renamed"
    """A section's title changed (same id)."""
    PROJECT_ADDED = "project-added"
    """事業の追加."""
    PROJECT_REMOVED = "project-removed"
    """事業の削除."""
    PROJECT_RENAMED = "project-renamed"
    """事業名の変更 (same id)."""
    KPI_ADDED = "kpi-added"
    """指標の追加."""
    KPI_REMOVED = "kpi-removed"
    """指標の削除."""
    KPI_RENAMED = "kpi-renamed"
    """指標名の変更 (same id)."""
    BASELINE_CHANGE = "baseline-change"
    """基準値 or 基準時点 changed."""
    TARGET_CHANGE = "target-change"
    """目標値 or 目標時点 changed (value, period, basis, factor, strict or wording)."""
    UNIT_CHANGE = "unit-change"
    """単位 changed."""
    DIRECTION_CHANGE = "direction-change"
    """方向 (increase / decrease / at_least / at_most) changed."""
    KPI_CHANGE = "kpi-change"
    """Another graded property of a KPI changed: 累計, 区分, 中間目標."""
    ACTUAL_ADDED = "actual-added"
    """実績値の追加 (also a value filled in where — was recorded)."""
    ACTUAL_CHANGE = "actual-change"
    """実績値の変更 in the latest evaluation year of the plan."""
    ACTUAL_REMOVED = "actual-removed"
    """実績値の削除 in the latest evaluation year of the plan."""
    PAST_ACTUAL_CHANGE = "past-actual-change"
    """An actual of an earlier evaluation year changed or removed: published history rewritten."""
    GRADE_ADDED = "grade-added"
    """公表評価 (official grade) recorded where there was none."""
    GRADE_CHANGE = "grade-change"
    """A grade changed: the 公表評価 recorded (field ``official_grade``) changed or was removed, or
    the grade kpitool computes (field ``grade``) flipped with a change of baseline, target,
    direction, 評価方法 or actual (see :mod:`kpitool.diff.grades`)."""


ATTENTION_KINDS: frozenset[ChangeKind] = frozenset(
    {
        ChangeKind.KPI_REMOVED,
        ChangeKind.BASELINE_CHANGE,
        ChangeKind.TARGET_CHANGE,
        ChangeKind.UNIT_CHANGE,
        ChangeKind.DIRECTION_CHANGE,
        ChangeKind.EVALUATION_CHANGE,
        ChangeKind.PAST_ACTUAL_CHANGE,
        ChangeKind.GRADE_CHANGE,
    }
)
"""Red flags in governance (要確認): changes that move the yardstick or rewrite the record."""


@dataclass(frozen=True)
class Change:
    """One change in one plan, with the old and new value as written."""

    kind: ChangeKind
    plan: str
    """Plan id."""
    subject: str = ""
    """Id of the KPI, section or project; empty for the plan itself."""
    name: str = ""
    """What a person calls the subject: 指標名, section or project title, plan title."""
    number: str | None = None
    """The subject's printed number (①, (1)), if any."""
    field: str = ""
    """Which part changed: ``target.value``, ``baseline.period``, ``name``, ``value`` …"""
    old: Value = None
    new: Value = None
    year: str | None = None
    """The evaluation year (評価年度) of an actual or grade change, as written in the new data."""
    cause: tuple[Change, ...] = ()
    """For a computed grade change (field ``grade``): the changes of the plan that flipped it."""

    @property
    def attention(self) -> bool:
        """True for a red flag (:data:`ATTENTION_KINDS`)."""
        return self.kind in ATTENTION_KINDS


@dataclass(frozen=True)
class DataDiff:
    """Every change between two versions of the data, grouped by plan in a stable order."""

    old_label: str
    new_label: str
    changes: tuple[Change, ...]
    plan_titles: dict[str, str] = field(default_factory=dict)
    """Plan id → title (the new one, or the old one for a removed plan)."""

    def plans(self) -> list[str]:
        """Ids of the plans with changes, in the order of :attr:`changes`."""
        return list(dict.fromkeys(change.plan for change in self.changes))

    def of_plan(self, plan_id: str) -> list[Change]:
        """The changes of one plan."""
        return [change for change in self.changes if change.plan == plan_id]

    def counts(self) -> dict[ChangeKind, int]:
        """Number of changes of each kind present, in :class:`ChangeKind` order."""
        found = {kind: 0 for kind in ChangeKind}
        for change in self.changes:
            found[change.kind] += 1
        return {kind: n for kind, n in found.items() if n}

    def attention(self) -> list[Change]:
        """The red flags."""
        return [change for change in self.changes if change.attention]
