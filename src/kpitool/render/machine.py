"""Machine-readable renderings: JSON and CSV (long format, one row per KPI and year).

CSV is written for Excel: UTF-8 with a BOM so Japanese reads correctly, and cells that Excel
would run as formulas (= + - @ …) are neutralised. JSON keeps numbers and grade symbols exact.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from kpitool.model.plan import Plan
from kpitool.rating.results import Evaluation, PlanEvaluation, Summary
from kpitool.render.left_out import with_left_out
from kpitool.render.narrative import narrative_json
from kpitool.render.sections import sections_member
from kpitool.render.style import FORMULA_STARTS
from kpitool.sources.selection import NOTHING_LEFT_OUT, LeftOut
from kpitool.support.memory import paused_gc
from kpitool.values.numbers import precise_context

__all__ = [
    "CSV_COLUMNS",
    "csv_text",
    "evaluation_json",
    "evaluations_csv",
    "evaluations_json",
    "json_number",
    "percents_json",
    "plan_json",
    "safe_cell",
    "to_json",
]

_RATE_PLACES = Decimal("0.000001")


def json_number(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON number: int when whole, else the nearest float."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _rate(value: Decimal | None) -> float | None:
    # Ratios are exact Decimals; six places are plenty for a machine reader. The precision grows with
    # the ratio: a target near zero makes it huge, and quantize fails past the context's digits.
    if value is None:
        return None
    digits = value.adjusted() + 10
    context = _RATE_CONTEXT if digits <= _RATE_DIGITS else precise_context(digits)
    return float(value.quantize(_RATE_PLACES, rounding=ROUND_HALF_EVEN, context=context))


# The context precise_context gives for most ratios, asked once (two rates per KPI rendered).
_RATE_DIGITS = 28
_RATE_CONTEXT = precise_context(_RATE_DIGITS)


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan as every JSON output names it: id, title, kind, municipality, period."""
    return {
        "id": plan.id,
        "title": plan.title,
        "kind": plan.kind.value,
        "municipality": plan.municipality,
        "period": plan.period.model_dump() if plan.period else None,
    }


def _row_json(row: Evaluation) -> dict[str, Any]:
    # Once per KPI of a national run (87,000): each attribute is looked up once.
    kpi = row.kpi
    section = row.section
    baseline = kpi.baseline
    target = kpi.target
    observation = row.observation
    actual = observation.actual if observation is not None else None
    actual_period = actual.period if actual is not None else None
    details = row.details
    baseline_period = baseline.period if baseline is not None else None
    noted = (
        (baseline is not None and baseline.annotation) or target.annotation or (actual and actual.annotation)
    )  # most rows have no 注記: value_notes not built
    return {
        "id": kpi.id,
        "no": row.number,
        "number": kpi.number,
        "name": kpi.name,
        "unit": kpi.unit or None,
        "category": kpi.category,
        "section": section.title if section is not None else None,
        "section_id": section.id if section is not None else None,
        "direction": kpi.direction._value_,  # not .value: enum's property runs in Python
        "rated_direction": row.direction._value_,
        "cumulative": kpi.cumulative,
        "baseline": json_number(row.baseline),
        "baseline_period": baseline_period.label if baseline_period is not None else None,
        "target": json_number(row.target),
        "target_period": target.period.label,
        "target_text": target.text,
        "actual": json_number(observation.value) if observation is not None else None,
        "actual_period": actual_period.label if actual_period is not None else None,
        "actual_note": actual.note if actual is not None else None,
        "achievement_rate": _rate(row.achievement),
        "progress_rate": _rate(row.progress),
        "computed_grade": row.computed.symbol,
        "official_grade": row.official,
        "official_reason": row.official_reason,
        "grade": row.grade,
        "rule": row.rule,
        "annotations": list(row.value_notes) if noted else [],
        "details": {k: json_number(v) if isinstance(v, Decimal) else v for k, v in details.items()}
        if details
        else {},
    }


def _summary_json(summary: Summary) -> dict[str, Any]:
    return {**dict(summary.counts), "total": summary.total}


def percents_json(summary: Summary) -> dict[str, Any]:
    """Each grade's percent (rounded half-up on its own), their sum, and the note when it is not 100."""
    return {
        "percent": {k: float(v) for k, v in summary.percents.items()},
        "percent_total": float(summary.percent_total),
        "percent_note": summary.rounding_note,
    }


def _disagreement_json(row: Evaluation) -> dict[str, Any]:
    return {
        "id": row.kpi.id,
        "name": row.kpi.name,
        "computed_grade": row.computed.symbol,
        "official_grade": row.official,
        "official_reason": row.official_reason,
        "rule": row.rule,
    }


def evaluation_json(result: PlanEvaluation) -> dict[str, Any]:
    """One plan's evaluation as the documented JSON object."""
    return {
        "plan": plan_json(result.plan),
        "year": {"label": result.year.label, "fiscal_year": result.year.year},
        "scheme": {
            "name": result.scheme.name,
            "grades": [
                {"key": g.key, "symbol": g.symbol, "label": g.label, "criterion": g.criterion}
                for g in result.scheme.grade_specs
            ],
        },
        "kpis": [_row_json(row) for row in result.rows],
        "summary": _summary_json(result.summary),
        **percents_json(result.summary),
        "disagreements": [_disagreement_json(row) for row in result.disagreements],
        "narrative": narrative_json(result),
        **sections_member(result),
    }


def to_json(data: Any, *, pretty: bool | None = None) -> str:
    """Serialise as UTF-8 JSON text (Japanese kept readable; quotes, newlines, emoji escaped safely).

    Indented for a person at a terminal, compact when piped or written to a file: the indented
    form needs json's pure-Python encoder, which costs seconds at national scale.
    """
    if pretty is None:
        pretty = sys.stdout.isatty()
    if pretty:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return _compact(data) + "\n"


def evaluations_json(results: Sequence[PlanEvaluation], left_out: LeftOut = NOTHING_LEFT_OUT) -> str:
    """An object for one plan, a list for several; each names the plans the run left out, if any.

    Compact JSON (piped, or to a file) is written one plan at a time and joined, the same text
    as one ``json.dumps`` of the list: a plan's row dicts and the encoder's pieces are freed
    before the next plan's are built, so a national run reuses that memory instead of
    touching ~700 MB of new pages (docs/performance.md, round four).
    """
    pretty = sys.stdout.isatty()
    if len(results) == 1 or pretty:
        with paused_gc():  # a national run builds a million containers and no cycles
            items = [with_left_out(evaluation_json(r), left_out) for r in results]
        return to_json(items[0] if len(items) == 1 else items, pretty=pretty)
    with paused_gc():
        parts = [_compact(with_left_out(evaluation_json(r), left_out)) for r in results]
    return "[" + ",".join(parts) + "]\n"


def _compact(data: Any) -> str:
    """``data`` as :func:`to_json` writes it when not pretty, without the final newline."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def safe_cell(value: Any) -> Any:
    """Neutralise text that a spreadsheet would run as a formula (CSV injection).

    A plain negative number (-2.6) is data, not a formula, and stays as it is.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


CSV_COLUMNS = (
    "plan_id",
    "year",
    "fiscal_year",
    "kpi_id",
    "no",
    "number",
    "name",
    "unit",
    "section",
    "direction",
    "baseline",
    "baseline_period",
    "target",
    "target_period",
    "actual",
    "actual_period",
    "achievement_rate",
    "progress_rate",
    "computed_grade",
    "official_grade",
    "grade",
    "rule",
    "grade_label",
    "criterion",
    "expected",
    "previous",
    "progress_grade",
)
"""Columns of the long CSV format, one row per plan × year × KPI.

``grade_label`` and ``criterion`` are the label and 判断基準 of the grade shown
(from the plan's settings); ``expected``, ``previous`` and ``progress_grade``
are filled by the schemes that use them (expected_value, trend_and_progress).
"""


def csv_text(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> str:
    """CSV for Excel: a BOM, CRLF lines, formula-like cells neutralised (:func:`safe_cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell("" if cell is None else cell) for cell in row])
    return "\ufeff" + buffer.getvalue()


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def _grade_words(result: PlanEvaluation, symbol: str) -> tuple[str, str]:
    """(label, 判断基準) of a grade symbol in the plan's scheme; empty if it is not one."""
    for grade in result.scheme.grade_specs:
        if grade.symbol == symbol:
            return grade.label, grade.criterion
    return "", ""


def evaluations_csv(
    results: Sequence[PlanEvaluation],
    extra: tuple[Sequence[str], Callable[[PlanEvaluation, int], Sequence[Any]]] | None = None,
) -> str:
    """Long-format CSV with a BOM, ready for Excel, DuckDB or pandas.

    ``extra`` adds columns: their names, and the cells of a result's row (by its index).
    """

    def rows() -> Iterable[list[Any]]:
        for result in results:
            for index, row in enumerate(result.rows):
                data = _row_json(row)
                more = list(extra[1](result, index)) if extra else []
                yield [
                    result.plan.id,
                    result.year.label,
                    result.year.year,
                    data["id"],
                    data["no"],
                    data["number"],
                    data["name"],
                    data["unit"],
                    data["section"],
                    data["direction"],
                    _plain(row.baseline),
                    data["baseline_period"],
                    _plain(row.target),
                    data["target_period"],
                    _plain(row.actual_value),
                    data["actual_period"],
                    "" if row.achievement is None else data["achievement_rate"],
                    "" if row.progress is None else data["progress_rate"],
                    data["computed_grade"],
                    data["official_grade"],
                    data["grade"],
                    data["rule"],
                    *_grade_words(result, row.grade),
                    _plain(row.details.get("expected")),
                    _plain(row.details.get("previous")),
                    row.details.get("progress_grade"),
                    *more,
                ]

    return csv_text(rows(), [*CSV_COLUMNS, *(extra[0] if extra else ())])
