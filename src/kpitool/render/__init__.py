"""Renderers: turn core results into terminal tables, JSON, CSV and Excel workbooks.

Only this package (and :mod:`kpitool.cli.app`) may import rich or openpyxl; the
core never prints.
"""
