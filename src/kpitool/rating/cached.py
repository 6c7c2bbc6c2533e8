"""Grade loaded plans, taking the evaluation of unchanged files from the cache.

An evaluation is a pure function of the plan file, its actuals file, the
evaluation year and kpitool's code (:func:`kpitool.rating.engine.evaluate_plan`), so it
is cached under exactly those: the content keys of the two files (which carry
the code's fingerprint) and the year. It cannot go stale. A warm run then
unpickles one compact evaluation per plan instead of the plan and all of its
actuals, and grades nothing again (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kpitool.rating.engine import evaluate_plan
from kpitool.rating.results import PlanEvaluation
from kpitool.support.memory import paused_gc

if TYPE_CHECKING:
    from kpitool.sources.documents import PlanDocument
    from kpitool.sources.tree import LoadedData
    from kpitool.support.cache import Cache
    from kpitool.values.fiscal_year import FiscalYear

__all__ = ["evaluate_document", "evaluate_documents"]


def evaluate_documents(
    loaded: LoadedData, docs: Sequence[PlanDocument], year: FiscalYear, cache: Cache | None = None
) -> list[PlanEvaluation]:
    """Grade each plan for one evaluation year (in the order given)."""
    with paused_gc():  # a national run builds a million rows and no cycles
        return [evaluate_document(loaded, doc, year, cache) for doc in docs]


def evaluate_document(
    loaded: LoadedData, doc: PlanDocument, year: FiscalYear, cache: Cache | None = None
) -> PlanEvaluation:
    """Grade one loaded plan with its actuals; from the cache when neither file changed."""
    actuals_doc = loaded.actuals.get(doc.id)
    plan_key = doc.document.content_key
    actuals_key = actuals_doc.document.content_key if actuals_doc is not None else "no actuals"
    key = None
    if cache is not None and plan_key is not None and actuals_key is not None:
        key = cache.key(f"{plan_key}\0{actuals_key}\0{year.year}".encode(), "evaluation")
        found = cache.get(key)
        if isinstance(found, PlanEvaluation) and found.plan.id == doc.id and found.year == year:
            return found
    actuals = actuals_doc.actuals if actuals_doc is not None else None
    result = evaluate_plan(doc.plan, actuals, year)
    if cache is not None and key is not None:
        cache.put(key, result)
    return result
