"""Values with no knowledge of plans: exact numbers with units (数値・単位) and periods (年度・年・時点)."""
