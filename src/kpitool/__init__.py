"""kpitool — evaluate the KPIs of Japanese municipal plans from YAML kept in git."""

__version__ = "0.1.0"
