"""What changed in the plan data between two versions (差分): targets moved, actuals rewritten.

A reviewer of a change to plan data must see at once whether someone moved a
target (目標値), rebased a baseline (基準値) or rewrote an actual that was
already published. :func:`diff_data` compares two :class:`~kpitool.sources.tree.LoadedData`
and returns :class:`~kpitool.diff.changes.Change` values, per plan; the renderers in
:mod:`kpitool.render.diff` show them as a table, JSON or Markdown.

The two versions are directories, or git revisions read straight from the
object database (:func:`kpitool.sources.git.load_revision`: no checkout, the
working tree is never touched).

Comparison is by meaning, not spelling: ``13.60`` equals ``13.6``, ``H31年度``
equals ``R1年度``, ``R6`` equals ``令和6年度``, and an actual rewritten from
557,584 人 to 55.7584 万人 is the same value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from kpitool.diff.changes import Change, ChangeKind, DataDiff, Value
from kpitool.diff.grades import grade_changes, kpi_map
from kpitool.diff.targets import target_span_changes
from kpitool.model.actuals import Actual, ActualsFile
from kpitool.model.plan import KPI, Plan, Project, Section
from kpitool.sources.tree import LoadedData
from kpitool.values.fiscal_year import parse_fiscal_year
from kpitool.values.numbers import UnitError
from kpitool.values.periods import Period

__all__ = ["diff_data"]


def _same(old: Value | Period, new: Value | Period) -> bool:
    # Decimal and Period equality are by meaning (13.60 == 13.6, H31年度 == R1年度).
    return old == new


def _period_text(period: Period | None) -> str | None:
    return period.label if period is not None else None


class _PlanDiff:
    """Collects the changes of one plan present in both versions."""

    def __init__(self, old: Plan, new: Plan) -> None:
        self.old = old
        self.new = new
        self.changes: list[Change] = []

    def add(self, kind: ChangeKind, **values: Any) -> None:
        self.changes.append(Change(kind, self.new.id, **values))

    def run(self, old_actuals: ActualsFile | None, new_actuals: ActualsFile | None) -> list[Change]:
        self._plan_fields()
        self._evaluation()
        self._sections()
        self._projects()
        self._kpis()
        self._actuals(old_actuals, new_actuals)
        self.changes += grade_changes(self.old, self.new, old_actuals, new_actuals, self.changes)
        return self.changes

    def _plan_fields(self) -> None:
        old, new = self.old, self.new
        pairs: list[tuple[str, Value, Value]] = [
            ("title", old.title, new.title),
            ("kind", old.kind.value, new.kind.value),
            ("municipality", old.municipality, new.municipality),
            ("revision", old.revision, new.revision),
            ("members", "、".join(old.members) or None, "、".join(new.members) or None),
        ]
        for name, before, after in pairs:
            if not _same(before, after):
                self.add(ChangeKind.PLAN_CHANGE, name=new.title, field=name, old=before, new=after)
        spans = [(p.start_year, p.end_year) if p else None for p in (old.period, new.period)]
        if spans[0] != spans[1]:
            texts = [f"{p.start}–{p.end}" if p else None for p in (old.period, new.period)]
            self.add(ChangeKind.PERIOD_CHANGE, name=new.title, field="period", old=texts[0], new=texts[1])

    def _evaluation(self) -> None:
        def part(plan: Plan, name: str) -> str | None:
            if plan.evaluation is None:
                return "default" if name == "scheme" else None
            value = getattr(plan.evaluation, name)
            if name == "scheme":
                return str(value)
            if not value:
                return None
            dumped = (
                value if isinstance(value, dict) else [g.model_dump(exclude_defaults=True) for g in value]
            )
            return json.dumps(dumped, ensure_ascii=False, sort_keys=True, default=str)

        for name in ("scheme", "options", "grades"):
            before, after = part(self.old, name), part(self.new, name)
            if before != after:
                self.add(
                    ChangeKind.EVALUATION_CHANGE,
                    name=self.new.title,
                    field=f"evaluation.{name}",
                    old=before,
                    new=after,
                )

    def _members(
        self,
        old: Mapping[str, _ItemT],
        new: Mapping[str, _ItemT],
        kinds: tuple[ChangeKind, ChangeKind],
        shown: tuple[str, Callable[[_ItemT], Value]],
        compare: Callable[[_ItemT, _ItemT], None],
    ) -> None:
        """Items added (new order), compared, then removed (old order), matched by id."""
        (added, removed), (field_name, value) = kinds, shown
        for key, item in new.items():
            if key in old:
                compare(old[key], item)
            else:
                self.add(added, field=field_name, new=value(item), **_describe(item))
        for key, item in old.items():
            if key not in new:
                self.add(removed, field=field_name, old=value(item), **_describe(item))

    def _renamed(self, kind: ChangeKind) -> Callable[[_Item, _Item], None]:
        def compare(old: _Item, new: _Item) -> None:
            if _title(old) != _title(new):
                self.add(kind, field="title", old=_title(old), new=_title(new), **_describe(new))

        return compare

    def _sections(self) -> None:
        self._members(
            {s.id: s for s, _ in self.old.walk_sections()},
            {s.id: s for s, _ in self.new.walk_sections()},
            (ChangeKind.SECTION_ADDED, ChangeKind.SECTION_REMOVED),
            ("level", lambda section: section.level),
            self._renamed(ChangeKind.SECTION_RENAMED),
        )

    def _projects(self) -> None:
        self._members(
            {p.id: p for p in self.old.projects},
            {p.id: p for p in self.new.projects},
            (ChangeKind.PROJECT_ADDED, ChangeKind.PROJECT_REMOVED),
            ("", lambda _project: None),
            self._renamed(ChangeKind.PROJECT_RENAMED),
        )

    def _kpis(self) -> None:
        self._members(
            kpi_map(self.old),
            kpi_map(self.new),
            (ChangeKind.KPI_ADDED, ChangeKind.KPI_REMOVED),
            ("target", _target_summary),
            self._kpi,
        )

    def _kpi(self, old: KPI, new: KPI) -> None:
        def add(kind: ChangeKind, name: str, before: Value, after: Value) -> None:
            self.add(
                kind, subject=new.id, name=new.name, number=new.number, field=name, old=before, new=after
            )

        if old.name != new.name:
            add(ChangeKind.KPI_RENAMED, "name", old.name, new.name)
        if old.unit != new.unit:
            add(ChangeKind.UNIT_CHANGE, "unit", old.unit, new.unit)
        if old.direction is not new.direction:
            add(ChangeKind.DIRECTION_CHANGE, "direction", old.direction.value, new.direction.value)
        old_base, new_base = old.baseline, new.baseline
        if not _same(old_base.value if old_base else None, new_base.value if new_base else None):
            add(
                ChangeKind.BASELINE_CHANGE,
                "baseline.value",
                old_base.value if old_base else None,
                new_base.value if new_base else None,
            )
        old_period = old_base.period if old_base else None
        new_period = new_base.period if new_base else None
        if not _same(old_period, new_period):
            add(
                ChangeKind.BASELINE_CHANGE,
                "baseline.period",
                _period_text(old_period),
                _period_text(new_period),
            )
        if (old_base.text if old_base else None) != (new_base.text if new_base else None):
            add(
                ChangeKind.BASELINE_CHANGE,
                "baseline.text",
                old_base.text if old_base else None,
                new_base.text if new_base else None,
            )
        old_t, new_t = old.target, new.target
        if not _same(old_t.value, new_t.value):
            add(ChangeKind.TARGET_CHANGE, "target.value", old_t.value, new_t.value)
        if not _same(old_t.period, new_t.period):
            add(ChangeKind.TARGET_CHANGE, "target.period", old_t.period.label, new_t.period.label)
        if old_t.basis != new_t.basis:
            add(
                ChangeKind.TARGET_CHANGE,
                "target.basis",
                old_t.basis.value if old_t.basis else None,
                new_t.basis.value if new_t.basis else None,
            )
        if not _same(old_t.factor, new_t.factor):
            add(ChangeKind.TARGET_CHANGE, "target.factor", old_t.factor, new_t.factor)
        for field_name, before, after in target_span_changes(old.target, new.target):
            add(ChangeKind.TARGET_CHANGE, field_name, before, after)
        if old.cumulative != new.cumulative:
            add(ChangeKind.KPI_CHANGE, "cumulative", old.cumulative, new.cumulative)
        if old.category != new.category:
            add(ChangeKind.KPI_CHANGE, "category", old.category, new.category)
        if _interim(old) != _interim(new):
            add(ChangeKind.KPI_CHANGE, "interim_targets", _interim_text(old), _interim_text(new))
        if old.evaluation != new.evaluation:  # the KPI's own 評価方法
            add(ChangeKind.KPI_CHANGE, "evaluation", _own_evaluation(old), _own_evaluation(new))

    def _actuals(self, old_file: ActualsFile | None, new_file: ActualsFile | None) -> None:
        old = _actual_map(old_file)
        new = _actual_map(new_file)
        years = {year for _, year in old} | {year for _, year in new}
        if not years:
            return
        latest = max(years)
        old_kpis, new_kpis = kpi_map(self.old), kpi_map(self.new)
        recorded = {kid for kid, _ in old} | {kid for kid, _ in new}
        # KPIs in the new document order, then actuals of KPIs no longer in the plan.
        order = [kid for kid in new_kpis if kid in recorded] + sorted(recorded - set(new_kpis))
        for kid in order:
            kpi = new_kpis.get(kid) or old_kpis.get(kid)
            for year in sorted(year for k, year in old.keys() | new.keys() if k == kid):
                before, after = old.get((kid, year)), new.get((kid, year))
                written = after or before
                assert written is not None  # the year came from one of them
                for kind, field_name, old_value, new_value in _actual_changes(
                    before[1] if before else None,
                    after[1] if after else None,
                    _unit(old_kpis.get(kid)),
                    _unit(new_kpis.get(kid)),
                    past=year < latest,
                ):
                    self.add(
                        kind,
                        subject=kid,
                        name=kpi.name if kpi else "",
                        number=kpi.number if kpi else None,
                        field=field_name,
                        old=old_value,
                        new=new_value,
                        year=written[0],
                    )


_Item = Section | Project | KPI
"""Something in a plan matched by id across versions."""
_ItemT = TypeVar("_ItemT", Section, Project, KPI)


def _title(item: _Item) -> str:
    return item.name if isinstance(item, KPI) else item.title


def _describe(item: _Item) -> dict[str, Any]:
    return {"subject": item.id, "name": _title(item), "number": item.number}


def _unit(kpi: KPI | None) -> str | None:
    return kpi.unit if kpi else None


def _interim(kpi: KPI) -> list[tuple[Decimal, Period]]:
    return [(t.value, t.period) for t in kpi.interim_targets]


def _interim_text(kpi: KPI) -> str | None:
    return "、".join(f"{t.value} ({t.period.label})" for t in kpi.interim_targets) or None


def _target_summary(kpi: KPI) -> str:
    """The target as one line: ``14300 (R7年度)``, ``維持 (R7年度)``."""
    target = kpi.target
    if target.text:
        what = target.text
    elif target.value is not None:
        what = str(target.value)
    else:
        what = f"baseline × {target.factor if target.factor is not None else 1}"
    return f"{what} ({target.period.label})"


def _actual_map(file: ActualsFile | None) -> dict[tuple[str, int], tuple[str, Actual]]:
    """(KPI id, fiscal year) → (year label as written, actual)."""
    found: dict[tuple[str, int], tuple[str, Actual]] = {}
    if file is None:
        return found
    for kid, years in file.actuals.items():
        for label, actual in years.items():
            found.setdefault((kid, parse_fiscal_year(label)), (label, actual))
    return found


def _in_kpi_unit(actual: Actual, kpi_unit: str | None) -> tuple[Decimal | None, str | None]:
    """The value in the KPI's unit when it converts exactly, else the value and its own unit."""
    if kpi_unit is None:
        return actual.value, None
    try:
        return actual.value_in(kpi_unit), None
    except UnitError:
        return actual.value, actual.unit


def _actual_changes(
    old: Actual | None,
    new: Actual | None,
    old_unit: str | None,
    new_unit: str | None,
    *,
    past: bool,
) -> Iterator[tuple[ChangeKind, str, Value, Value]]:
    """The changes of one KPI's actual in one evaluation year."""
    rewrite = ChangeKind.PAST_ACTUAL_CHANGE if past else ChangeKind.ACTUAL_CHANGE
    removal = ChangeKind.PAST_ACTUAL_CHANGE if past else ChangeKind.ACTUAL_REMOVED
    old_value = old.value if old else None
    new_value = new.value if new else None
    if old_value is None and new_value is not None:
        yield ChangeKind.ACTUAL_ADDED, "value", None, new_value
    elif old_value is not None and new_value is None:
        yield removal, "value", old_value, None
    elif old is not None and new is not None and old_value is not None:
        # Both recorded a value: compare it in the KPI's unit, then the data period.
        if _in_kpi_unit(old, old_unit) != _in_kpi_unit(new, new_unit):
            yield rewrite, "value", old_value, new_value
            if (old.unit or None) != (new.unit or None):
                yield rewrite, "unit", old.unit, new.unit
        if not _same(old.period, new.period):
            yield rewrite, "period", _period_text(old.period), _period_text(new.period)
    old_grade = old.official_grade if old else None
    new_grade = new.official_grade if new else None
    if old_grade != new_grade:
        kind = ChangeKind.GRADE_ADDED if old_grade is None else ChangeKind.GRADE_CHANGE
        yield kind, "official_grade", old_grade, new_grade


def diff_data(
    old: LoadedData, new: LoadedData, *, old_label: str = "old", new_label: str = "new"
) -> DataDiff:
    """Every change from ``old`` to ``new``: plans in the new order, then removed plans.

    Within a plan: the plan's own fields, its 評価方法, sections, projects,
    KPIs (new document order, then removed ones) and actuals (by KPI, then
    year). A change to an actual of an evaluation year before the plan's
    latest recorded year is a :attr:`ChangeKind.PAST_ACTUAL_CHANGE`.
    """
    changes: list[Change] = []
    titles: dict[str, str] = {}
    for plan_id, doc in new.plans.items():
        plan = doc.plan
        titles[plan_id] = plan.title
        before = old.plans.get(plan_id)
        if before is None:
            changes.append(
                Change(
                    ChangeKind.PLAN_ADDED,
                    plan_id,
                    name=plan.title,
                    field="kpis",
                    new=plan.kpi_count(),
                )
            )
            continue
        changes.extend(_PlanDiff(before.plan, plan).run(old.actuals_for(plan_id), new.actuals_for(plan_id)))
    for plan_id, doc in old.plans.items():
        if plan_id not in new.plans:
            titles[plan_id] = doc.plan.title
            changes.append(
                Change(
                    ChangeKind.PLAN_REMOVED,
                    plan_id,
                    name=doc.plan.title,
                    field="kpis",
                    old=doc.plan.kpi_count(),
                )
            )
    return DataDiff(old_label, new_label, tuple(changes), titles)


def _own_evaluation(kpi: KPI) -> str | None:
    """A KPI's own ``evaluation:`` block as the diff shows it (JSON of what it sets), or None."""
    if kpi.evaluation is None:
        return None
    return json.dumps(
        kpi.evaluation.model_dump(exclude_unset=True), ensure_ascii=False, sort_keys=True, default=str
    )
