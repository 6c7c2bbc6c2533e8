"""見通し — will each target be met at the current pace? Projections of a KPI's series.

Pure functions over the model and the rating facts (no terminal, no Excel): :mod:`.timeline`
places periods on a time axis in years, :mod:`.series` gathers the points of a KPI known at an
evaluation year, :mod:`.methods` extends them to the target period, :mod:`.status` classifies
the ratio of the projected progress, and :mod:`.engine` puts it together per KPI and per plan.
docs/outlook.md documents the conventions and formulas.
"""
