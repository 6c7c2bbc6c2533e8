"""Grading: schemes that turn a KPI and its actual into ○ / △ / × / —, the engine, cached evaluations."""
