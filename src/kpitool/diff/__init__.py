"""What changed between two versions of the data (KPIs, baselines, targets, actuals, grades)."""
