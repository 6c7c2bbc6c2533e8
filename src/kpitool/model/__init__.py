"""The plan model: pydantic types for plans (計画), KPIs and actuals (実績値), and their JSON Schema."""
