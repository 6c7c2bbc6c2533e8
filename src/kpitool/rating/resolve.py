"""The scheme a plan, or a KPI with its own ``evaluation:`` block, grades with.

Apart from :mod:`kpitool.rating.engine` (which re-exports both) so that ``validate``, which checks
each plan's scheme but grades nothing, imports no evaluation results (issue 18: a cold run's
imports, docs/performance.md "Cold runs, round four").
"""

from __future__ import annotations

from kpitool.model.plan import EvaluationSettings
from kpitool.rating.rollup import check_rollup
from kpitool.rating.schemes.base import RatingError, Scheme
from kpitool.rating.schemes.registry import scheme_named

__all__ = ["kpi_scheme", "resolve_scheme"]


def resolve_scheme(settings: EvaluationSettings | None) -> Scheme:
    """The scheme a plan asks for (default when absent).

    :class:`~kpitool.rating.schemes.base.RatingError` for an unknown name or unusable settings.
    """
    name = settings.scheme if settings else "default"
    scheme = scheme_named(name)(settings)
    check_rollup(settings.rollup if settings else None, scheme)
    return scheme


def kpi_scheme(plan: EvaluationSettings | None, own: EvaluationSettings, plan_scheme: Scheme) -> Scheme:
    """The scheme of a KPI with its own ``evaluation:`` block (独自の評価設定), over the plan's.

    What the block leaves out is the plan's: its scheme and, under the same scheme, its options
    (the block's over them) and grades. It must grade with the plan's symbols (so the 総括 counts
    one set of grades) and holds no ``rollup`` / ``outlook`` (the plan's alone).
    :class:`~kpitool.rating.schemes.base.RatingError` at the fault's path in the block if unfit.
    """
    for field in ("rollup", "outlook"):
        if field in own.model_fields_set:
            raise RatingError(
                f"a KPI's evaluation: sets scheme, options and grades; {field} is the plan's", (field,)
            )
    given = own.model_fields_set
    base = plan or EvaluationSettings()
    name = own.scheme if "scheme" in given else base.scheme
    same = name == base.scheme
    merged = EvaluationSettings(
        scheme=name,
        options={**base.options, **own.options} if same else own.options,
        grades=own.grades if "grades" in given or not same else base.grades,
    )
    scheme = scheme_named(name)(merged)
    if set(scheme.symbols()) != set(plan_scheme.symbols()):
        raise RatingError(
            f"this KPI's own evaluation grades {' '.join(scheme.symbols())}, its plan's "
            f"{' '.join(plan_scheme.symbols())}: a KPI's evaluation must use the plan's grade symbols",
            ("grades",) if "grades" in given else ("scheme",) if "scheme" in given else (),
        )
    return scheme
