"""The data tree: find its YAML files and load every plan and actuals file in it.

:func:`discover` lists the files, :func:`load_data` loads each
(:func:`~kpitool.sources.documents.open_file`, then
:func:`~kpitool.sources.documents.finish_document`) into a :class:`LoadedData`,
collecting every file's problems instead of stopping at the first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpitool.model.actuals import ActualsFile
from kpitool.model.plan import Plan
from kpitool.problems import DataError, Problem
from kpitool.sources.documents import (
    ActualsDocument,
    CachedModel,
    OpenedFile,
    PlanDocument,
    finish_document,
    open_file,
)
from kpitool.sources.parallel import fast_values_of_all
from kpitool.sources.yaml_fast import FALLBACK
from kpitool.sources.yaml_strict import Document
from kpitool.support.memory import paused_gc

if TYPE_CHECKING:
    from kpitool.support.cache import Cache

__all__ = ["LoadedData", "discover", "load_data", "real_path"]


def real_path(path: Path) -> Path:
    """``path`` with every symlink followed, for comparing files; a symlink loop stays as named.

    ``Path.resolve`` raises RuntimeError on a loop (Python 3.11); :func:`discover` lists such
    a file, so that reading it reports the loop.
    """
    return Path(os.path.realpath(path))


def discover(
    paths: Iterable[Path], on_error: Callable[[Path, OSError], None] | None = None
) -> Iterator[Path]:
    """Every YAML file under the given paths, sorted, each once.

    Every entry named ``*.yaml`` / ``*.yml`` that is not a directory is listed, a symlink
    that dangles, loops or points at a device included: reading it then names what is
    wrong, where skipping it would say "OK" for data that was never read. A directory that
    cannot be listed (no permission) goes to ``on_error``; without one it is skipped.
    """
    seen: set[Path] = set()
    for path in paths:
        found = _yaml_files(path, on_error) if path.is_dir() else [path]
        for item in found:
            if item not in seen:
                seen.add(item)
                yield item


def _yaml_files(directory: Path, on_error: Callable[[Path, OSError], None] | None) -> list[Path]:
    def failed(error: OSError) -> None:
        if on_error is not None:
            on_error(Path(error.filename or directory), error)

    found: list[Path] = []
    # Symlinked directories are not followed (as rglob did); a symlink to anything else is a file here.
    for folder, _directories, files in os.walk(directory, onerror=failed):
        found.extend(Path(folder, name) for name in files if Path(name).suffix in (".yaml", ".yml"))
    return sorted(found)


@dataclass
class LoadedData:
    """Everything read from a data tree: plans and actuals by plan id, and the problems."""

    plans: dict[str, PlanDocument] = field(default_factory=dict)
    actuals: dict[str, ActualsDocument] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def actuals_for(self, plan_id: str) -> ActualsFile | None:
        """The actuals of a plan, if it has any."""
        doc = self.actuals.get(plan_id)
        return doc.actuals if doc else None


def _register(
    result: LoadedData, document: Document, model: Plan | ActualsFile | CachedModel
) -> list[Problem]:
    """Add a loaded file to ``result``; a second file for the same plan id is a problem."""
    if isinstance(model, ActualsFile) or (isinstance(model, CachedModel) and model.is_actuals):
        actuals_document = ActualsDocument(document, model)
        actuals = result.actuals.get(actuals_document.plan_id)
        if actuals is not None:
            message = f"plan {actuals_document.plan_id!r} already has actuals in {actuals.document.name}"
            return [document.problem(("plan",), message, code="reference")]
        result.actuals[actuals_document.plan_id] = actuals_document
        return []
    plan_document = PlanDocument(document, model)
    plan = result.plans.get(plan_document.id)
    if plan is not None:
        message = f"plan id {plan_document.id!r} is already used by {plan.document.name}"
        return [document.problem(("id",), message, code="duplicate-id")]
    result.plans[plan_document.id] = plan_document
    return []


def load_data(paths: Iterable[Path], cache: Cache | None = None) -> LoadedData:
    """Load every plan and actuals file under ``paths``; collect, never raise, data problems.

    With a :class:`~kpitool.support.cache.Cache`, a file whose bytes were validated before
    (by the same code) is taken from it instead of being parsed and validated, and
    a file that validates cleanly is stored in it. Every file is read first; the files
    to parse are then parsed together (:mod:`kpitool.sources.parallel`: in worker
    processes when there are enough of them) and validated here in the order found.

    The garbage collector is paused while loading (a load allocates millions of
    objects and no garbage cycles; each collection would scan them all again),
    and what was loaded is then frozen out of later collections (``gc.freeze``):
    the data holds no reference cycles and is freed by reference counting.
    """
    result = LoadedData()
    opened: list[OpenedFile | DataError] = []  # in the order found, problems included

    def unreadable(directory: Path, error: OSError) -> None:
        message = f"cannot read the directory: {error.strerror or error}"
        opened.append(DataError([Problem(str(directory), None, None, "", message, code="io")]))

    with paused_gc():
        for path in discover(paths, unreadable):
            try:
                opened.append(open_file(path, cache))
            except DataError as exc:
                opened.append(exc)
        to_parse = [item.raw for item in opened if isinstance(item, OpenedFile) and item.entry is None]
        parsed = fast_values_of_all(to_parse)
        with closing(parsed):  # on an interrupt, the worker processes are shut down at once
            _finish_all(result, opened, parsed, cache)
    return result


def _finish_all(
    result: LoadedData, opened: list[OpenedFile | DataError], parsed: Iterator[Any], cache: Cache | None
) -> None:
    """Validate and register each opened file, in order, taking the next parsed values for each to parse."""
    for item in opened:
        try:
            if isinstance(item, DataError):
                raise item
            values = next(parsed) if item.entry is None else FALLBACK
            document, model = finish_document(item, cache, values)
            result.problems.extend(_register(result, document, model))
        except DataError as exc:
            result.problems.extend(exc.problems)
