"""Excel output: the council report (総括 and KPI sheets), the input form (実績値 記入票),
deterministic save."""

from kpitool.support.optional import without

with without("numpy"):  # openpyxl's numpy support is never used here (kpitool.support.optional)
    import openpyxl  # noqa: F401
