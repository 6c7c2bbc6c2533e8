"""Grading: facts of a KPI and its actual, schemes that turn them into ○ / △ / × / —, the engine,
its results and cached evaluations."""
