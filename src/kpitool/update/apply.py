"""Apply imported actuals (実績値) to an actuals YAML file, keeping everything a person wrote.

Under the lock of :mod:`kpitool.update.lock` the file is read, the submissions
are merged (:mod:`kpitool.update.changes` decides, :mod:`kpitool.update.yaml_text`
edits the text), and the edited text is parsed (:mod:`kpitool.sources.yaml_strict`), validated
(:mod:`kpitool.sources.documents`) and compared with the intended result (old
entries unchanged, new values in place, old order kept); any difference aborts
the write. Writes are atomic.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kpitool.model.actuals import Actual, ActualsFile, Submission
from kpitool.model.plan import Plan
from kpitool.problems import DataError, Problem
from kpitool.sources.documents import validate_document
from kpitool.sources.yaml_strict import parse_yaml
from kpitool.support.safe_write import write_bytes_atomic
from kpitool.update.changes import (
    BOM,
    ActualsUpdate,
    ConflictError,
    EditKind,
    EntryChange,
    EntryEdit,
    UpdateError,
    decide_change,
    entry_unit,
    written_value,
    year_key,
)
from kpitool.update.lock import actuals_lock
from kpitool.update.yaml_text import edit_text, yaml_scalar
from kpitool.values.fiscal_year import FiscalYear
from kpitool.values.periods import parse_period

__all__ = ["apply_update", "prepare_update"]


def _read(path: Path) -> tuple[str | None, bool]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, False
    except OSError as exc:
        problem = Problem(str(path), None, None, "", f"cannot read: {exc.strerror or exc}", code="io")
        raise DataError([problem]) from None
    bom = raw.startswith(BOM.encode("utf-8"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(
            [Problem(str(path), None, None, "", "file is not UTF-8; save it as UTF-8", code="encoding")]
        ) from None
    return text, bom


def _validated(text: str, name: str, plan_id: str) -> ActualsFile:
    actuals = validate_document(parse_yaml(text, name), ActualsFile)
    if actuals.plan != plan_id:
        raise UpdateError(f"{name}: holds the actuals of plan {actuals.plan!r}, not {plan_id!r}")
    return actuals


def _expected(old: ActualsFile, edits: Sequence[EntryEdit]) -> dict[str, Any]:
    actuals = {kpi: dict(years) for kpi, years in old.actuals.items()}
    for edit in edits:
        sub = edit.change.submission
        years = actuals.setdefault(edit.change.kpi.id, {})
        current = years.get(edit.key)
        if current is None:
            years[edit.key] = Actual(
                value=edit.value,
                period=parse_period(sub.period) if sub.period else None,
                unit=edit.unit if edit.unit and edit.unit != edit.change.kpi.unit else None,
                note=sub.note or None,
            )
            continue
        update: dict[str, Any] = {}
        for change in edit.change.fields:
            if change.name == "value":
                update["value"] = edit.value
            elif change.name == "period":
                update["period"] = parse_period(str(change.new))
            else:
                update["note"] = change.new
        years[edit.key] = current.model_copy(update=update)
    return old.model_copy(update={"actuals": actuals}).model_dump()


def _keeps_order(old: Sequence[str], new: Sequence[str]) -> bool:
    remaining = iter(new)
    return all(any(item == other for other in remaining) for item in old)


def _verify(new_text: str, name: str, old: ActualsFile, edits: Sequence[EntryEdit]) -> None:
    """Read the edited text back; refuse it unless it holds exactly the intended data, in the old order."""
    try:
        new = _validated(new_text, name, old.plan)
    except DataError as exc:
        raise UpdateError(
            f"{name}: the edited file would not validate ({exc.problems[0]}); nothing was written"
        ) from None
    if new.model_dump() != _expected(old, edits):
        raise UpdateError(f"{name}: the edited file does not read back as intended; nothing was written")
    in_order = _keeps_order(list(old.actuals), list(new.actuals)) and all(
        _keeps_order(list(years), list(new.actuals[kpi])) for kpi, years in old.actuals.items()
    )
    if not in_order:  # pragma: no cover - the editor only inserts
        raise UpdateError(f"{name}: the edit would reorder entries; nothing was written")


def _new_file(plan: Plan) -> str:
    return (
        "# yaml-language-server: $schema=../../schemas/actuals.schema.json\n"
        f"# 実績値: {' '.join(plan.title.split())}\n"
        "# Created by kpitool import; comments and order you add are kept.\n"
        f"plan: {yaml_scalar(plan.id)}\n"
        "actuals: {}\n"
    )


def prepare_update(
    path: Path, plan: Plan, year: FiscalYear, submissions: Sequence[Submission]
) -> ActualsUpdate:
    """Work out the edit an import makes to ``path`` (the plan's actuals file) for evaluation ``year``.

    Reads the file (a missing one is started from scratch), decides each
    submission's change and builds the edited text, verified by reading it
    back. Writes nothing. Raises :class:`DataError` when the current file does
    not validate, :class:`UpdateError` for a submission that names no KPI of
    the plan, a KPI given twice, or a layout the editor does not handle.
    """
    name = str(path)
    kpis = {kpi.id: kpi for kpi, _ in plan.iter_kpis()}
    order = {kpi_id: index for index, kpi_id in enumerate(kpis)}
    seen: set[str] = set()
    for sub in submissions:
        if sub.kpi_id not in kpis:
            raise UpdateError(f"{sub.origin or name}: no KPI with id {sub.kpi_id!r} in plan {plan.id!r}")
        if sub.kpi_id in seen:
            raise UpdateError(f"{sub.origin or name}: KPI {sub.kpi_id!r} is given twice")
        seen.add(sub.kpi_id)
    old_text, bom = _read(path)
    base_text = old_text if old_text is not None else _new_file(plan)
    old = _validated(base_text, name, plan.id)
    changes: list[EntryChange] = []
    edits: list[EntryEdit] = []
    for sub in sorted(submissions, key=lambda s: order[s.kpi_id]):
        years = old.actuals.get(sub.kpi_id, {})
        key = year_key(years, year)
        kpi = kpis[sub.kpi_id]
        change = decide_change(sub, kpi, years[key] if key is not None else None)
        changes.append(change)
        if change.kind is not EditKind.UNCHANGED:
            unit = entry_unit(years, key, kpi) if sub.value is not None else None
            edits.append(EntryEdit(change, written_value(sub.value, unit, kpi), unit, key or year.label))
    new_text = old_text or ""
    if edits:
        new_text = edit_text(base_text, name, plan, edits)
        _verify(new_text, name, old, edits)
    return ActualsUpdate(
        path=path,
        plan_id=plan.id,
        year=year,
        changes=tuple(changes),
        old_text=old_text,
        new_text=new_text,
        changed=bool(edits),
        bom=bom,
    )


def apply_update(
    path: Path,
    plan: Plan,
    year: FiscalYear,
    submissions: Sequence[Submission],
    *,
    overwrite: bool = False,
    dry_run: bool = False,
    lock_timeout: float | None = None,
) -> ActualsUpdate:
    """Apply submissions to the actuals file at ``path`` for evaluation ``year``; return what changed.

    Under the lock: re-read the file, decide, refuse conflicts unless
    ``overwrite`` (:class:`ConflictError`, nothing written), write atomically.
    With ``dry_run`` nothing is locked or written; conflicts still raise.
    ``lock_timeout`` is the longest wait for another import's lock (None: the lock's default).
    """
    if dry_run:
        result = prepare_update(path, plan, year, submissions)
        if result.conflicts and not overwrite:
            raise ConflictError(result)
        return result
    with actuals_lock(path, lock_timeout):
        result = prepare_update(path, plan, year, submissions)
        if result.conflicts and not overwrite:
            raise ConflictError(result)
        if result.changed:
            write_bytes_atomic(path, result.encoded())
    return result
