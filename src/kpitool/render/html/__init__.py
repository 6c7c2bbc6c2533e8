"""The static KPI website (公表サイト): pages rendered from templates to ``{path: bytes}``."""
