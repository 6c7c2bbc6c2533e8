"""A settings file (評価方法の設定): a YAML file holding one ``evaluation:`` block, as a plan's.

``kpitool evaluate --table FILE --settings SETTINGS`` grades a flat table by it. Its ``kpis:``
map (optional) gives some KPIs of the table, by id, their own ``evaluation:`` block, as a
KPI of a plan may carry one. The file is
read and validated like a plan file (strict YAML, every problem at file:line:column); whether
its scheme and options are usable is the rating's question, asked by the command.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from kpitool.model.fields import Identifier, StrictModel
from kpitool.model.plan import EvaluationSettings
from kpitool.sources.documents import read_document, validate_document
from kpitool.sources.yaml_strict import Document

__all__ = ["KpiSettings", "SettingsFile", "read_settings"]


class KpiSettings(StrictModel):
    """One KPI's own settings (指標別の評価方法): its ``evaluation:`` block."""

    evaluation: EvaluationSettings = Field(title="評価方法")


class SettingsFile(StrictModel):
    """The file: an ``evaluation:`` block, and per KPI id its own (``kpis:``)."""

    evaluation: EvaluationSettings = Field(title="評価方法")
    kpis: dict[Identifier, KpiSettings] = Field(default_factory=dict, title="指標別の評価方法")


def read_settings(path: Path) -> tuple[Document, SettingsFile]:
    """The file's document (to locate a later fault) and its settings; :class:`DataError` if bad."""
    document = read_document(path)
    return document, validate_document(document, SettingsFile)
