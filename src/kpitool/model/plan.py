"""The plan data model (計画): plans, sections, projects and KPIs with baselines and targets.

Pure pydantic v2 types built on the field types of :mod:`kpitool.model.fields`. The YAML loader
(:mod:`kpitool.sources.documents`) builds them; the rating engine and the reporters read them.
Nothing here does I/O or printing. The actuals are in :mod:`kpitool.model.actuals`.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, model_validator

from kpitool.model.fields import (
    FiscalYearLabel,
    Flag,
    GoalNumber,
    Identifier,
    Label,
    OptionalNumber,
    OptionalText,
    StrictModel,
    Text,
)
from kpitool.model.outlook_settings import OutlookSettings
from kpitool.model.rollup_settings import RollupSettings
from kpitool.model.target import Baseline, InterimTarget, Target, TargetBasis
from kpitool.values.fiscal_year import parse_fiscal_year

__all__ = [
    "KPI",
    "NO_UNIT",
    "Baseline",
    "Direction",
    "EvaluationSettings",
    "Grade",
    "GradeDefinition",
    "Plan",
    "PlanKind",
    "PlanPeriod",
    "Project",
    "Section",
    "Target",
    "TargetBasis",
    "section_heading",
]


NO_UNIT = "—"
"""How a KPI without a unit shows its 単位."""


class PlanKind(StrEnum):
    """The kind of plan (計画の種類)."""

    COMPREHENSIVE_PLAN = "comprehensive_plan"
    """総合計画 (incl. its 基本構想 / 基本計画)."""
    REVITALIZATION_STRATEGY = "revitalization_strategy"
    """地方創生総合戦略."""
    REGIONAL_ALLIANCE_VISION = "regional_alliance_vision"
    """連携中枢都市圏ビジョン."""


class Direction(StrEnum):
    """Which way is better for a KPI (方向). Required: there is no default."""

    INCREASE = "increase"
    """増加 — higher is better; progress from baseline towards target counts."""
    DECREASE = "decrease"
    """減少 — lower is better (待機児童数 54人 → 0人)."""
    AT_LEAST = "at_least"
    """以上 — a floor to reach or keep (1,603人以上, 365日/年 維持)."""
    AT_MOST = "at_most"
    """以下 — a ceiling to stay under."""

    @property
    def higher_is_better(self) -> bool:
        """True for increase and at_least."""
        # Compare the plain values: enum equality goes through Python-level __eq__/__hash__,
        # and the rating asks this for every KPI of every plan several times.
        return self._value_ in ("increase", "at_least")


class Grade(StrEnum):
    """The default grades of seed 003's 判断基準 (進捗度)."""

    ACHIEVED = "○"
    """目標を達成している、ほぼ達成している."""
    APPROACHING = "△"
    """目標に近づいている."""
    NEEDS_EFFORT = "×"
    """目標達成まで努力を要する."""
    NOT_JUDGED = "—"
    """現時点では判断が困難(実績なし)."""


class PlanPeriod(StrictModel):
    """計画期間 — first and last fiscal year of the plan."""

    start: FiscalYearLabel = Field(title="開始年度", description="first fiscal year, e.g. R2")
    end: FiscalYearLabel = Field(title="終了年度", description="last fiscal year, e.g. R7")

    @property
    def start_year(self) -> int:
        """First fiscal year as a western year."""
        return parse_fiscal_year(self.start)

    @property
    def end_year(self) -> int:
        """Last fiscal year as a western year."""
        return parse_fiscal_year(self.end)

    def evaluates(self, year: int) -> bool:
        """Whether the plan is evaluated in ``year``: within its period, or the year after it ends.

        The year after the last is the final evaluation (最終評価) of the plan's targets.
        """
        return self.start_year <= year <= self.end_year + 1

    @model_validator(mode="after")
    def _ordered(self) -> PlanPeriod:
        if self.end_year < self.start_year:
            raise ValueError(f"計画期間 ends ({self.end}) before it starts ({self.start})")
        return self


class GradeDefinition(StrictModel):
    """Overrides how one grade of a scheme is shown: symbol, label and 判断基準 wording.

    ``key`` names the scheme's grade (default scheme: achieved, approaching,
    needs_effort, not_judged); see docs/rating.md for each scheme's keys. Under the
    ``bands`` scheme the list defines the grades, in order: ``reached: true`` (the first
    only), ``at_least: x`` (measure ≥ x) or ``above: x`` (measure > x, 超) descending, and a
    last grade without any that takes the rest.
    """

    key: Identifier = Field(title="キー", description="the scheme's grade key, e.g. achieved")
    symbol: OptionalText = Field(default=None, title="記号", description="e.g. ○, A, ◎")
    label: OptionalText = Field(default=None, title="名称", description="e.g. 順調")
    criterion: OptionalText = Field(default=None, title="判断基準")
    reached: Flag = Field(
        default=False, title="達成", description="bands: the reference (target or 期待値) is met"
    )
    at_least: OptionalNumber = Field(
        default=None, title="下限", description="bands: the measure is at least this (0.8 = 80%)"
    )
    above: OptionalNumber = Field(
        default=None, title="超", description="bands: the measure is more than this (3 = over 3 points)"
    )

    @property
    def threshold(self) -> Decimal | None:
        """The band's lower edge: ``at_least`` or ``above`` (the one given)."""
        return self.at_least if self.at_least is not None else self.above

    @property
    def band_field(self) -> str | None:
        """The field that makes this grade a band (``reached``, ``at_least``, ``above``), or None."""
        if self.reached:
            return "reached"
        if self.threshold is None:
            return None
        return "at_least" if self.at_least is not None else "above"


class EvaluationSettings(StrictModel):
    """評価方法 — the rating scheme of a plan; absent means the default rule.

    ``scheme`` names a scheme registered in :mod:`kpitool.rating.schemes.registry` (one module
    per family in :mod:`kpitool.rating.schemes`, documented in docs/rating.md); ``options`` are
    its thresholds; ``grades`` override symbols and wording; ``outlook`` sets the projection to
    the target period (:mod:`kpitool.model.outlook_settings`, docs/outlook.md).
    """

    scheme: Text = Field(default="default", title="評価方式")
    options: dict[str, Any] = Field(default_factory=dict, title="設定")
    grades: tuple[GradeDefinition, ...] = Field(default=(), title="判断基準")
    rollup: RollupSettings | None = Field(default=None, title="施策別評価")
    outlook: OutlookSettings = Field(default_factory=OutlookSettings, title="見通し")


class KPI(StrictModel):
    """A KPI (重要業績評価指標), a goal's 数値目標 or the plan's 成果目標."""

    id: Identifier = Field(title="ID", description="stable, unique within the plan")
    name: Label = Field(title="指標名")
    unit: Text = Field(
        default="", title="単位", description="人, 件, %, 万人, 億円, 人/年 …; omitted or empty: none"
    )
    direction: Direction = Field(
        title="方向", description="increase / decrease / at_least / at_most (required)"
    )
    baseline: Baseline | None = Field(default=None, title="基準値")
    target: Target = Field(title="目標値")
    cumulative: Flag = Field(default=False, title="累計", description="a running total")
    interim_targets: tuple[InterimTarget, ...] = Field(default=(), title="中間目標")
    category: Literal["成果目標", "数値目標", "KPI"] = Field(
        default="KPI", title="区分", description="成果目標 / 数値目標 / KPI"
    )
    number: OptionalText = Field(default=None, title="番号", description="e.g. ①")
    note: OptionalText = Field(default=None, title="備考")
    source: OptionalText = Field(default=None, title="出典")
    evaluation: EvaluationSettings | None = Field(
        default=None,
        title="評価方法",
        description="this KPI's own scheme, options or grades over the plan's; same grade symbols",
    )

    @property
    def unit_shown(self) -> str:
        """The unit as tables print it: — for a unitless KPI (合計特殊出生率, 倍率)."""
        return self.unit.strip() or NO_UNIT

    @model_validator(mode="after")
    def _annual_not_cumulative(self) -> KPI:
        if self.target.every_year and self.cumulative:
            raise ValueError(
                "an annual target (every_year, 毎年度) holds for each year: it cannot be 累計 (cumulative)"
            )
        return self

    @property
    def baseline_value(self) -> Decimal | None:
        """The baseline as a number, or None ("—")."""
        return self.baseline.value if self.baseline else None

    def target_value(self) -> Decimal | None:
        """The numeric target: the value, or baseline × factor; None if not computable."""
        if self.target.value is not None:
            return self.target.value
        base = self.baseline_value
        if base is None:
            return None
        factor = self.target.factor if self.target.factor is not None else Decimal(1)
        return base * factor


class Section(StrictModel):
    """A node of the plan's tree: 基本目標, 施策の基本的方向, 政策パッケージ, 分野 …"""

    id: Identifier = Field(title="ID")
    level: Text = Field(title="階層名", description="基本目標 / 政策パッケージ / 分野 / 施策 …")
    number: OptionalText = Field(default=None, title="番号", description="(1), ①, I …")
    title: Label = Field(title="名称")
    description: OptionalText = Field(default=None, title="説明")
    vision: OptionalText = Field(default=None, title="めざす姿")
    items: tuple[Text, ...] = Field(default=(), title="施策例・取組", description="listed items")
    kpis: tuple[KPI, ...] = Field(default=(), title="指標")
    sections: tuple[Section, ...] = Field(default=(), title="下位の階層")

    def walk(self, depth: int = 0) -> Iterator[tuple[Section, int]]:
        """This section and every descendant, depth first, with their depth."""
        yield self, depth
        for child in self.sections:
            yield from child.walk(depth + 1)


def section_heading(section: Section | None) -> str:
    """A section as a heading line: ``施策分野 1 圏域全体の経済成長のけん引``; None → 計画全体."""
    if section is None:
        return "計画全体"
    return " ".join(f"{section.level} {section.number or ''} {section.title}".split())


class RoleSplit(StrictModel):
    """役割分担 — what the central city and the partner municipalities do."""

    central: OptionalText = Field(default=None, title="中枢都市の役割")
    partners: OptionalText = Field(default=None, title="連携市町の役割")


class Project(StrictModel):
    """事業 / 連携事業. Listed once, however often the document lists it (【再掲】)."""

    id: Identifier = Field(title="ID")
    number: OptionalText = Field(default=None, title="番号")
    title: Label = Field(title="事業名")
    purpose: OptionalText = Field(default=None, title="目的・概要")
    listed_in: tuple[Identifier, ...] = Field(
        title="掲載箇所",
        description="section ids; the first is where it is described, the rest are 【再掲】",
    )
    serves: tuple[Identifier, ...] = Field(
        default=(), title="施策の方向", description="section ids of the directions it serves (①⑫)"
    )
    activities: tuple[Text, ...] = Field(default=(), title="主な取組")
    members: tuple[Text, ...] = Field(default=(), title="連携市町")
    roles: RoleSplit | None = Field(default=None, title="役割分担")
    sdgs: tuple[GoalNumber, ...] = Field(default=(), title="SDGs", description="goal numbers 1–17")

    @model_validator(mode="after")
    def _check(self) -> Project:
        if not self.listed_in:
            raise ValueError("listed_in needs at least one section id")
        bad = [g for g in self.sdgs if not 1 <= g <= 17]
        if bad:
            raise ValueError(f"SDGs goals are 1–17, got {bad}")
        return self


class SourceDocument(StrictModel):
    """Where the plan was encoded from."""

    title: Text = Field(title="資料名")
    file: OptionalText = Field(default=None, title="ファイル")
    note: OptionalText = Field(default=None, title="備考")


class Plan(StrictModel):
    """A plan (計画): comprehensive plan, revitalisation strategy or alliance vision."""

    id: Identifier = Field(title="計画ID")
    title: Label = Field(title="計画名")
    kind: PlanKind = Field(title="種類")
    municipality: Text = Field(title="自治体", description="the authoring municipality")
    members: tuple[Text, ...] = Field(default=(), title="構成市町", description="for alliances")
    period: PlanPeriod | None = Field(default=None, title="計画期間")
    revision: OptionalText = Field(default=None, title="改訂")
    source: SourceDocument | None = Field(default=None, title="出典")
    vision: OptionalText = Field(default=None, title="将来像・基本理念")
    description: OptionalText = Field(default=None, title="概要")
    evaluation: EvaluationSettings | None = Field(default=None, title="評価方法")
    kpis: tuple[KPI, ...] = Field(default=(), title="成果目標", description="plan-level KPIs")
    sections: tuple[Section, ...] = Field(default=(), title="構成")
    projects: tuple[Project, ...] = Field(default=(), title="事業")

    def walk_sections(self) -> Iterator[tuple[Section, int]]:
        """Every section, depth first, with its depth (0 = top level)."""
        for section in self.sections:
            yield from section.walk()

    def iter_kpis(self) -> Iterator[tuple[KPI, Section | None]]:
        """Every KPI in document order with the section that holds it (None: plan level)."""
        for kpi in self.kpis:
            yield kpi, None
        for section, _depth in self.walk_sections():
            for kpi in section.kpis:
                yield kpi, section

    def kpi_numbers(self) -> dict[str, str]:
        """KPI id → the No. shown for it: its own number (①) where given, else its position.

        The position is 1-based in plan order over every KPI of the plan, so a KPI keeps its
        No. whichever KPIs a command selects.
        """
        return {
            kpi.id: kpi.number or str(position)
            for position, (kpi, _section) in enumerate(self.iter_kpis(), start=1)
        }

    def top_sections(self) -> dict[str, Section]:
        """Section id → the top-level section holding it."""
        top: dict[str, Section] = {}
        for section in self.sections:
            for inner, _depth in section.walk():
                top[inner.id] = section
        return top

    def kpi_count(self) -> int:
        """Number of KPIs, 数値目標 and 成果目標 included."""
        return sum(1 for _ in self.iter_kpis())
