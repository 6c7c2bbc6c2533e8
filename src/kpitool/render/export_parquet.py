"""The open data as Parquet (``kpitool export --format parquet``), for DuckDB, pandas and Spark.

The same rows and columns as the CSV (:mod:`kpitool.render.export`), typed: 基準値, 目標値 and
実績値 as exact decimals (``decimal128`` with the largest scale a column holds, so 13.20 stays
13.20 and nothing passes through a float), the rates as doubles (ratios, as in JSON),
``fiscal_year`` as an integer, everything else as text. pyarrow is an optional extra
(``pip install 'kpitool[parquet]'``) imported only here, when the format is asked for.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from kpitool.errors import UsageError
from kpitool.rating.results import PlanEvaluation
from kpitool.render.export import EXPORT_COLUMNS, export_records

__all__ = ["export_parquet"]

_EXACT = {"baseline": "baseline", "target": "target", "value": "actual_value"}
"""The decimal columns and the evaluation's attribute that holds each exactly."""
_FLOAT = ("achievement_rate", "progress_rate")
_INTEGER = ("fiscal_year",)


def _decimal_type(pa: Any, values: Sequence[Decimal | None]) -> Any:
    digits = [v.as_tuple() for v in values if v is not None]
    scale = max([-int(d.exponent) for d in digits if int(d.exponent) < 0], default=0)
    whole = max([len(d.digits) + int(d.exponent) for d in digits], default=1)
    precision = max(1, min(38, whole + scale))
    return pa.decimal128(precision, scale)


def export_parquet(plans: Sequence[Sequence[PlanEvaluation]]) -> bytes:
    """The rows as a Parquet file's bytes (one row group; the same inputs, the same bytes)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("--format parquet needs pyarrow: pip install 'kpitool[parquet]'") from None
    columns: dict[str, list[Any]] = {name: [] for name in EXPORT_COLUMNS}
    for record, row in export_records(plans):
        for name in EXPORT_COLUMNS:
            columns[name].append(getattr(row, _EXACT[name]) if name in _EXACT else record[name])
    arrays = {}
    for name, values in columns.items():
        if name in _EXACT:
            kind = _decimal_type(pa, values)
            arrays[name] = pa.array(
                [None if v is None else v.quantize(Decimal(1).scaleb(-kind.scale)) for v in values], kind
            )
        elif name in _FLOAT:
            arrays[name] = pa.array(values, pa.float64())
        elif name in _INTEGER:
            arrays[name] = pa.array(values, pa.int64())
        else:
            arrays[name] = pa.array([None if v is None else str(v) for v in values], pa.string())
    buffer = io.BytesIO()
    pq.write_table(pa.table(arrays), buffer, compression="zstd")
    return buffer.getvalue()
