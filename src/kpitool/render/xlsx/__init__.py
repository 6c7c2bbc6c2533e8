"""Excel output: the council report (総括 and KPI sheets), the input form (実績値 記入票),
deterministic save."""
