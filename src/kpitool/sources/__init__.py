"""Where data comes from: strict YAML documents, the data tree, flat KPI tables, filled forms,
git revisions."""
