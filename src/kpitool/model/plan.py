"""The plan data model: plans, sections, projects, KPIs and actuals.

Pure pydantic v2 types. The YAML loader (:mod:`kpitool.sources.documents`) builds them; the
rating engine and the reporters read them. Nothing here does I/O or printing.

Values written in the YAML as numbers arrive as :class:`~decimal.Decimal` built
from the text as written (``13.60`` stays ``13.60``), so rates computed from
them are exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)

from kpitool.values.numbers import NumberError, parse_number
from kpitool.values.periods import Period, PeriodError, parse_fiscal_year, parse_period

__all__ = [
    "KPI",
    "Actual",
    "ActualsFile",
    "AmbiguousScalar",
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
]


class AmbiguousScalar:
    """A plain YAML scalar that YAML 1.1 would silently retype (``0123``, ``no``, ``2025-04-01``).

    The loader hands these over instead of guessing; every field refuses them
    with a hint to quote the text.
    """

    __slots__ = ("reason", "text")

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason

    def __repr__(self) -> str:
        return f"AmbiguousScalar({self.text!r})"

    def explain(self) -> str:
        """Why the scalar was refused and what to write instead."""
        return f"{self.text!r} is ambiguous: {self.reason}; quote it if you mean the text"


# A YAML value that is not what a field wants is rejected, never coerced: the
# loader hands over Decimals for numbers and str for text, and these validators
# refuse everything else with a message that says what to write instead.


def _require_nonempty_text(value: Any) -> str:
    text = _require_text(value)
    if not text.strip():
        raise ValueError("must not be empty")
    return text


def _refuse_ambiguous(value: Any) -> None:
    if isinstance(value, AmbiguousScalar):
        raise ValueError(value.explain())


def _require_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    _refuse_ambiguous(value)
    if isinstance(value, bool):
        raise ValueError(f"expected text, got the boolean {str(value).lower()}; quote it")
    if isinstance(value, Decimal):
        raise ValueError(f"expected text, got the number {value}; quote it")
    raise ValueError(f"expected text, got {type(value).__name__}")


def _refuse_long(text: str, what: str) -> None:
    # Labels are short; echoing a 5,000-character "label" back would bury the message.
    if len(text) > 100:
        raise ValueError(f"expected {what}, got text of {len(text):,} characters")


def _validate_period(value: Any) -> Period:
    _refuse_ambiguous(value)
    if isinstance(value, Period):
        return value
    _refuse_long(_require_text(value), "a period such as R6年度")
    try:
        return parse_period(_require_text(value))
    except PeriodError as exc:
        raise ValueError(str(exc)) from None


def _validate_fiscal_year_label(value: Any) -> str:
    text = _require_text(value)
    _refuse_long(text, "a year such as R6")
    try:
        parse_fiscal_year(text)
    except PeriodError as exc:
        raise ValueError(str(exc)) from None
    return text


# Sanity bound on magnitudes: the largest figure in a municipal plan is a
# budget in yen (~1e13); anything near 1e18 is a typo or an attack.
_MAX_MAGNITUDE = Decimal("1e18")
# No plan prints more than a dozen digits; thousands of them are an attack on the arithmetic.
_MAX_DIGITS = 30
_MAX_PLACES = 12


def _shown(value: Any) -> str:
    """A value for a message, cut short: a 5,000-digit number must not flood the terminal."""
    text = format(value, "f") if isinstance(value, Decimal) else str(value)  # 0.0000001, not 1E-7
    return text if len(text) <= 40 else f"{text[:20]}…({len(text):,} characters)"


def _validate_number(value: Any) -> Decimal:
    _refuse_ambiguous(value)
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        _refuse_long(value, "a number")
        try:
            parsed = parse_number(value)
        except NumberError as exc:
            raise ValueError(str(exc)) from None
        if parsed is None:
            raise ValueError(f"expected a number, got {value!r} (write null for no value)")
        number = parsed
    else:
        raise ValueError(f"expected a number, got {type(value).__name__}")
    if not number.is_finite():
        raise ValueError(f"expected a finite number, got {_shown(value)}")
    if abs(number) >= _MAX_MAGNITUDE:
        raise ValueError(f"number {_shown(value)} is out of range (must be below 1e18)")
    if len(number.as_tuple().digits) > _MAX_DIGITS:
        raise ValueError(f"number {_shown(value)} has more than {_MAX_DIGITS} digits")
    if number and number.adjusted() < -_MAX_PLACES:  # 1E-320 would make every ratio overflow
        raise ValueError(f"number {_shown(value)} is too close to zero (below 1e-{_MAX_PLACES})")
    return number


PeriodField = Annotated[
    Period,
    PlainValidator(_validate_period),
    PlainSerializer(lambda p: p.label, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": "期間 — a period as written: R6年度, 令和6年度, 2024年度, R7年1月, "
            "令和8年4月1日, R6年度末, H30.10月～R1.9月, H29～R2",
            "examples": ["R6年度", "平成30年度", "R7年1月", "H30.10月～R1.9月"],
        }
    ),
]
"""A period (時点) kept as written, validated and normalised by :mod:`kpitool.values.periods`."""

Number = Annotated[
    Decimal,
    PlainValidator(_validate_number),
    PlainSerializer(lambda d: d, return_type=Decimal),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number"}, {"type": "string"}],
            "description": '数値 — a number as written: 14063, 13.60, "1,234", "▲2.6"',
        }
    ),
]
"""An exact decimal number; YAML numbers and strict numeric text ("1,234", "▲2.6")."""

Text = Annotated[str, PlainValidator(_require_text), WithJsonSchema({"type": "string"})]
"""Text that must be text in the YAML (a YAML number or boolean is refused)."""

Label = Annotated[
    str, PlainValidator(_require_nonempty_text), WithJsonSchema({"type": "string", "minLength": 1})
]
"""Non-empty text: names, titles and units."""

Identifier = Annotated[
    str,
    PlainValidator(_require_text),
    Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=80),
    WithJsonSchema({"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]*$"}),
]
"""A stable ASCII id (letters, digits, ``.``, ``_``, ``-``): plan, section, project and KPI ids."""

FiscalYearLabel = Annotated[
    str,
    PlainValidator(_validate_fiscal_year_label),
    WithJsonSchema({"type": "string", "examples": ["R6", "令和6年度", "2024年度"]}),
]
"""An evaluation year (評価年度) as written: R6, 令和6年度, 2024年度."""


def _optional(validate: Any) -> Any:
    def check(value: Any) -> Any:
        return None if value is None else validate(value)

    return check


def _validate_flag(value: Any) -> bool:
    _refuse_ambiguous(value)
    if isinstance(value, bool):
        return value
    raise ValueError("expected true or false")


def _validate_goal_number(value: Any) -> int:
    number = _validate_number(value)
    if number != number.to_integral_value():
        raise ValueError(f"expected a whole number, got {value}")
    return int(number)


OptionalText = Annotated[
    str | None,
    PlainValidator(_optional(_require_text)),
    WithJsonSchema({"type": ["string", "null"]}),
]
"""Text or null."""

OptionalNumber = Annotated[
    Decimal | None,
    PlainValidator(_optional(_validate_number)),
    PlainSerializer(lambda d: d, return_type=Decimal | None),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}],
            "description": "数値 — a number as written, or null for — (no value)",
        }
    ),
]
"""A number or null."""

OptionalPeriod = Annotated[
    Period | None,
    PlainValidator(_optional(_validate_period)),
    PlainSerializer(lambda p: p.label if p is not None else None, return_type=str | None),
    WithJsonSchema({"type": ["string", "null"], "description": "期間 — a period as written"}),
]
"""A period or null."""

Flag = Annotated[bool, PlainValidator(_validate_flag), WithJsonSchema({"type": "boolean"})]
"""true or false, nothing else (YAML's yes/no/on/off are refused)."""

GoalNumber = Annotated[
    int,
    PlainValidator(_validate_goal_number),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 17}),
]
"""An SDG goal number."""


class _Strict(BaseModel):
    """Base of every model: unknown keys are errors, inputs are never echoed in errors."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        hide_input_in_errors=True,
        str_strip_whitespace=False,
    )


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


class PlanPeriod(_Strict):
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

    @model_validator(mode="after")
    def _ordered(self) -> PlanPeriod:
        if self.end_year < self.start_year:
            raise ValueError(f"計画期間 ends ({self.end}) before it starts ({self.start})")
        return self


class Baseline(_Strict):
    """基準値 — the value at the start, with its period. ``value: null`` for "—"."""

    value: OptionalNumber = Field(title="基準値", description="null where the plan prints —")
    period: OptionalPeriod = Field(default=None, title="基準時点")
    text: OptionalText = Field(
        default=None, title="表記", description="the wording when it is not a plain number"
    )


class TargetBasis(StrEnum):
    """What a target that is not a plain number is measured against."""

    BASELINE = "baseline"
    """The target is ``baseline × factor`` (維持 = factor 1, 8割減 = factor 0.2)."""


class Target(_Strict):
    """目標値 — the value to reach by a period.

    Either ``value`` is given, or ``basis: baseline`` with a ``factor`` (維持 →
    1, 基準値より8割減 → 0.2). ``strict`` marks 超 / 未満 (strictly beyond the
    value); ``text`` keeps the original wording (全国平均以上, 1万7187人超).
    """

    value: OptionalNumber = Field(default=None, title="目標値")
    period: PeriodField = Field(title="目標時点")
    basis: TargetBasis | None = Field(default=None, title="基準", description="baseline")
    factor: OptionalNumber = Field(default=None, title="倍率", description="with basis: baseline")
    strict: Flag = Field(default=False, title="超・未満", description="must be strictly beyond")
    text: OptionalText = Field(default=None, title="表記")

    @model_validator(mode="after")
    def _value_or_basis(self) -> Target:
        if self.value is None and self.basis is None:
            raise ValueError("目標値 (target) needs a value, or basis: baseline with a factor")
        if self.value is not None and self.basis is not None:
            raise ValueError("目標値 (target) has both a value and a basis; give one")
        if self.factor is not None and self.basis is None:
            raise ValueError("factor only goes with basis: baseline")
        if self.factor is not None and self.factor < 0:
            raise ValueError(f"倍率 (factor) {self.factor} is negative; 8割減 is factor 0.2, 維持 is 1")
        return self


class InterimTarget(_Strict):
    """中間目標 / 目安値 — a value expected by an intermediate period."""

    value: Number = Field(title="目安値")
    period: PeriodField = Field(title="時点")


class KPI(_Strict):
    """A KPI (重要業績評価指標), a goal's 数値目標 or the plan's 成果目標."""

    id: Identifier = Field(title="ID", description="stable, unique within the plan")
    name: Label = Field(title="指標名")
    unit: Label = Field(title="単位", description="人, 件, %, 万人, 億円, 人/年 …")
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


class GradeDefinition(_Strict):
    """Overrides how one grade of a scheme is shown: symbol, label and 判断基準 wording.

    ``key`` names the scheme's grade (default scheme: achieved, approaching,
    needs_effort, not_judged); see docs/rating.md for each scheme's keys.
    """

    key: Identifier = Field(title="キー", description="the scheme's grade key, e.g. achieved")
    symbol: OptionalText = Field(default=None, title="記号", description="e.g. ○, A, ◎")
    label: OptionalText = Field(default=None, title="名称", description="e.g. 順調")
    criterion: OptionalText = Field(default=None, title="判断基準")


class EvaluationSettings(_Strict):
    """評価方法 — the rating scheme of a plan; absent means the default rule.

    ``scheme`` names a rule in :mod:`kpitool.rating.engine`; ``options`` are its
    thresholds; ``grades`` override symbols and wording.
    """

    scheme: Text = Field(default="default", title="評価方式")
    options: dict[str, Any] = Field(default_factory=dict, title="設定")
    grades: tuple[GradeDefinition, ...] = Field(default=(), title="判断基準")


class Section(_Strict):
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


class RoleSplit(_Strict):
    """役割分担 — what the central city and the partner municipalities do."""

    central: OptionalText = Field(default=None, title="中枢都市の役割")
    partners: OptionalText = Field(default=None, title="連携市町の役割")


class Project(_Strict):
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


class SourceDocument(_Strict):
    """Where the plan was encoded from."""

    title: Text = Field(title="資料名")
    file: OptionalText = Field(default=None, title="ファイル")
    note: OptionalText = Field(default=None, title="備考")


class Plan(_Strict):
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

    def kpi_count(self) -> int:
        """Number of KPIs, 数値目標 and 成果目標 included."""
        return sum(1 for _ in self.iter_kpis())


class Actual(_Strict):
    """実績値 — one KPI's value as known at one evaluation year.

    ``period`` is the data period the value refers to: an R6 evaluation that
    holds R4年度 data is normal (statistics lag).
    """

    value: OptionalNumber = Field(title="実績値", description="null: no value (—)")
    period: OptionalPeriod = Field(default=None, title="実績時点")
    unit: OptionalText = Field(
        default=None, title="単位", description="only when it differs from the KPI's unit"
    )
    official_grade: OptionalText = Field(
        default=None, title="公表評価", description="the grade a published evaluation gave"
    )
    official_reason: OptionalText = Field(default=None, title="評価理由")
    note: OptionalText = Field(default=None, title="備考")
    source: OptionalText = Field(default=None, title="出典")


class ActualsFile(_Strict):
    """An actuals file (data/actuals/<plan>.yaml): KPI id → evaluation year → actual."""

    plan: Identifier = Field(title="計画ID")
    source: OptionalText = Field(default=None, title="出典")
    note: OptionalText = Field(default=None, title="備考")
    actuals: dict[Identifier, dict[FiscalYearLabel, Actual]] = Field(default_factory=dict, title="実績")

    def count(self) -> int:
        """Number of recorded actuals (KPI × year)."""
        return sum(len(years) for years in self.actuals.values())
