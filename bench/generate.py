"""A seeded generator of a synthetic national corpus, in exactly the data/ YAML format.

Each plan is a municipality's plan (総合計画 / 総合戦略 / 連携中枢都市圏ビジョン) with
基本目標 → 施策の基本的方向 (→ 施策) sections, a few projects, and exactly 50 KPIs
across every direction, several units and some cumulative (累計) series; its
actuals file holds 10 evaluation years (H28–R7) with some values missing
(``value: null``) and some years not reported at all. Values are consistent
(targets on the right side of baselines, cumulative series never fall), so the
corpus validates with no error and no warning.

    python bench/generate.py --plans 100 --out bench/corpus/100
    python bench/generate.py --plans 1 --out /tmp/one --check   # and run kpitool validate on it

The same seed and size always give byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["KPIS_PER_PLAN", "YEARS", "corpus_stats", "ensure_corpus", "generate"]

KPIS_PER_PLAN = 50
YEARS = [(year, f"H{year - 1988}" if year <= 2018 else f"R{year - 2018}") for year in range(2016, 2026)]
"""The 10 evaluation years (評価年度) of every plan: H28 (2016) … R7 (2025)."""

_FORMAT_VERSION = "1"  # bump when the output changes, so cached corpora are regenerated

_PREFECTURE_NAMES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 "
    "新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 "
    "奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 "
    "熊本県 大分県 宮崎県 鹿児島県 沖縄県"
)
PREFECTURES = tuple(_PREFECTURE_NAMES.split())
_HEADS = list(
    "青赤朝旭芦天荒有伊池石泉磯板稲今岩上宇内梅浦江大岡沖小尾加笠柏片金亀唐川神北木清久草串熊倉栗黒桑"
    "五坂桜佐里沢塩志島白新杉住瀬高竹田玉千津土鶴寺遠徳富豊中長名奈西沼根野萩羽浜早原東光日平広福藤船"
    "古本前牧松真丸三水南宮美武村室茂森八安柳山湯横吉若和"
)
_TAILS = list("田川山野原島崎沢岡浜見井瀬谷里松津宮部根倉尾賀城塚淵浦江辺丘平森吹")
_SUFFIXES = ("市", "市", "町", "町", "村")

# (name, unit, direction, cumulative, decimals, low, high): a KPI template; low/high bound the baseline.
KPI_TEMPLATES: tuple[tuple[str, str, str, bool, int, int, int], ...] = (
    ("雇用保険適用者数", "人", "increase", False, 0, 20000, 90000),
    ("市内総生産", "億円", "increase", False, 0, 800, 15000),
    ("企業誘致件数", "件", "increase", True, 0, 0, 30),
    ("新規就農者数", "人", "increase", True, 0, 5, 120),
    ("創業支援による創業者数", "人", "increase", True, 0, 10, 300),
    ("観光入込客数", "万人", "increase", False, 1, 20, 800),
    ("観光消費額", "億円", "increase", False, 1, 10, 900),
    ("ふるさと納税寄附額", "百万円", "increase", False, 0, 50, 5000),
    ("移住相談件数", "件", "increase", False, 0, 30, 1500),
    ("移住者数", "人", "increase", True, 0, 10, 600),
    ("空き家バンク成約件数", "件", "increase", True, 0, 0, 80),
    ("合計特殊出生率", "人", "increase", False, 2, 1, 2),
    ("待機児童数", "人", "decrease", False, 0, 1, 120),
    ("子育て支援センター利用者数", "人", "increase", False, 0, 2000, 60000),
    ("放課後児童クラブ待機児童数", "人", "decrease", False, 0, 1, 90),
    ("特定健康診査受診率", "%", "at_least", False, 1, 30, 60),
    ("がん検診受診率", "%", "increase", False, 1, 10, 50),
    ("健康寿命（男性）", "歳", "increase", False, 2, 71, 74),
    ("健康寿命（女性）", "歳", "increase", False, 2, 74, 77),
    ("救急搬送所要時間", "分", "at_most", False, 1, 30, 45),
    ("刑法犯認知件数", "件", "decrease", False, 0, 100, 6000),
    ("交通事故死傷者数", "人", "decrease", False, 0, 50, 3000),
    ("自主防災組織率", "%", "at_least", False, 1, 60, 95),
    ("避難行動要支援者個別避難計画作成率", "%", "increase", False, 1, 5, 60),
    ("ごみ排出量（1人1日当たり）", "g", "decrease", False, 0, 750, 1050),
    ("リサイクル率", "%", "increase", False, 1, 12, 35),
    ("温室効果ガス排出量", "千t-CO2", "decrease", False, 0, 200, 3000),
    ("公共交通利用者数", "万人", "increase", False, 1, 10, 2000),
    ("コミュニティバス利用者数", "人", "at_least", False, 0, 5000, 200000),
    ("図書館貸出冊数", "万冊", "increase", False, 1, 10, 300),
    ("市民活動団体数", "団体", "increase", True, 0, 20, 400),
    ("地域行事への参加率", "%", "increase", False, 1, 20, 70),
    ("市民満足度", "%", "increase", False, 1, 40, 80),
    ("住み続けたいと思う市民の割合", "%", "at_least", False, 1, 60, 90),
    ("スポーツ実施率（週1回以上）", "%", "increase", False, 1, 30, 65),
    ("文化施設入館者数", "人", "increase", False, 0, 10000, 600000),
    ("学校給食における地場産物使用割合", "%", "at_least", False, 1, 20, 60),
    ("全国学力調査で平均を上回る教科数", "教科", "increase", False, 0, 0, 4),
    ("不登校児童生徒の割合", "%", "at_most", False, 2, 1, 4),
    ("耐震化率（住宅）", "%", "increase", False, 1, 70, 92),
    ("下水道普及率", "%", "increase", False, 1, 50, 95),
    ("水道管路耐震化率", "%", "increase", False, 1, 20, 60),
    ("認知症サポーター養成数", "人", "increase", True, 0, 1000, 40000),
    ("介護予防教室参加者数", "人", "increase", False, 0, 500, 20000),
    ("要介護認定率", "%", "at_most", False, 1, 15, 22),
    ("行政手続のオンライン化率", "%", "increase", False, 1, 5, 50),
    ("マイナンバーカード交付率", "%", "increase", False, 1, 10, 70),
    ("市税収納率", "%", "at_least", False, 1, 96, 99),
    ("経常収支比率", "%", "at_most", False, 1, 85, 98),
    ("市債残高", "億円", "decrease", False, 0, 200, 3000),
    ("女性管理職の割合", "%", "increase", False, 1, 8, 25),
    ("審議会等における女性委員の割合", "%", "increase", False, 1, 20, 40),
)

GOALS = (
    (
        "安定した雇用を創出する",
        ("地域産業の競争力を高める", "農林水産業の担い手を育てる", "創業と就業を応援する"),
    ),
    (
        "新しい人の流れをつくる",
        ("観光と交流を拡げる", "移住・定住を促進する", "シティプロモーションを強化する"),
    ),
    (
        "結婚・出産・子育ての希望をかなえる",
        ("子育て支援を充実する", "教育環境を整える", "若い世代の結婚を応援する"),
    ),
    (
        "健康で安心して暮らせるまちをつくる",
        ("健康づくりを推進する", "地域福祉を充実する", "防災・減災を進める"),
    ),
    ("持続可能なまちをつくる", ("環境と共生する", "公共交通を確保する", "行財政改革を進める")),
    ("ひとが輝く地域をつくる", ("生涯学習とスポーツを振興する", "市民協働を進める", "多様性を尊重する")),
)

ACTIVITIES = (
    "産業団地の整備",
    "中小企業の設備投資支援",
    "就農相談会の開催",
    "観光ガイドの育成",
    "移住体験ツアーの実施",
    "子育て応援アプリの運用",
    "ICT教育の推進",
    "健康ポイント事業",
    "地域見守りネットワークの構築",
    "防災訓練の実施",
    "デマンド交通の運行",
    "脱炭素化の推進",
    "スポーツ大会の誘致",
    "公民館講座の充実",
)

KINDS = (
    ("comprehensive_plan", "第{n}次{m}総合計画 後期基本計画"),
    ("revitalization_strategy", "第{n}期{m}まち・ひと・しごと創生総合戦略"),
    ("regional_alliance_vision", "第{n}期{m}連携中枢都市圏ビジョン"),
)


@dataclass(frozen=True)
class Municipality:
    """A synthetic municipality: prefecture and name (e.g. 福岡県 桜川市)."""

    prefecture: str
    name: str


def municipalities(count: int, rng: random.Random) -> list[Municipality]:
    """``count`` distinct synthetic municipality names, spread over the 47 prefectures."""
    names: set[str] = set()
    result: list[Municipality] = []
    while len(result) < count:
        name = rng.choice(_HEADS) + rng.choice(_TAILS) + rng.choice(_SUFFIXES)
        if name in names:
            continue
        names.add(name)
        result.append(Municipality(PREFECTURES[len(result) % len(PREFECTURES)], name))
    return result


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _number(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


@dataclass
class _Kpi:
    id: str
    name: str
    unit: str
    direction: str
    cumulative: bool
    decimals: int
    baseline: float
    target: float
    lag: int  # years between evaluation year and data period (statistics lag)


def _make_kpi(index: int, template: tuple[str, str, str, bool, int, int, int], rng: random.Random) -> _Kpi:
    name, unit, direction, cumulative, decimals, low, high = template
    baseline = rng.uniform(low, high)
    if decimals == 0:
        baseline = float(round(baseline))
    step = 10**-decimals
    if cumulative:
        baseline = float(round(rng.uniform(low, max(low, high / 4))))
        target = baseline + max(step * 10, (high - low) * rng.uniform(0.3, 1.0))
    elif direction == "increase":
        target = baseline * rng.uniform(1.03, 1.4) + step
    elif direction == "decrease":
        target = baseline * rng.uniform(0.0, 0.9)
    elif direction == "at_least":
        target = baseline * rng.uniform(1.0, 1.1)
    else:  # at_most
        target = baseline * rng.uniform(0.9, 1.0)
    target = round(target, decimals)
    if direction == "increase" and target <= baseline:
        target = baseline + step * 10
    if direction == "decrease" and target >= baseline:
        target = max(0.0, baseline - step * 10)
    return _Kpi(
        id=f"kpi-{index + 1:02d}",
        name=name,
        unit=unit,
        direction=direction,
        cumulative=cumulative,
        decimals=decimals,
        baseline=baseline,
        target=target,
        lag=rng.choice((0, 0, 0, 1, 1, 2)),
    )


def _kpi_yaml(kpi: _Kpi, indent: str, category: str, number: str) -> str:
    lines = [
        f"{indent}- id: {kpi.id}",
        f"{indent}  number: {_q(number)}",
        f"{indent}  name: {_q(kpi.name)}",
        f"{indent}  unit: {_q(kpi.unit)}",
        f"{indent}  direction: {kpi.direction}",
        f"{indent}  baseline: {{value: {_number(kpi.baseline, kpi.decimals)}, period: H27年度}}",
        f"{indent}  target: {{value: {_number(kpi.target, kpi.decimals)}, period: R7年度}}",
    ]
    if kpi.cumulative:
        lines.append(f"{indent}  cumulative: true")
    if category != "KPI":
        lines.append(f"{indent}  category: {category}")
    return "\n".join(lines) + "\n"


def _series(kpi: _Kpi, rng: random.Random) -> list[float]:
    """Ten yearly values drifting from the baseline towards (and sometimes past) the target."""
    values = []
    for step in range(1, len(YEARS) + 1):
        share = step / len(YEARS) * rng.uniform(0.6, 1.2)
        value = kpi.baseline + (kpi.target - kpi.baseline) * share
        if not kpi.cumulative:
            value *= rng.uniform(0.97, 1.03)
        values.append(max(0.0, round(value, kpi.decimals)))
    if kpi.cumulative:  # a running total never falls
        for i in range(1, len(values)):
            values[i] = max(values[i], values[i - 1])
    return values


def _fiscal_year_label(year: int) -> str:
    """H27, R1 … for a western fiscal year (Heisei until 2018, Reiwa from 2019)."""
    return f"H{year - 1988}" if year <= 2018 else f"R{year - 2018}"


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
_GRADES = ("○", "△", "×")


def plan_yaml(
    plan_id: str, muni: Municipality, kind: tuple[str, str], edition: int, rng: random.Random
) -> tuple[str, list[_Kpi]]:
    """One plan file's text and its KPIs (for the actuals)."""
    kind_name, title_format = kind
    title = title_format.format(n=edition, m=muni.name)
    templates = list(KPI_TEMPLATES)
    rng.shuffle(templates)
    kpis = [_make_kpi(i, templates[i % len(templates)], rng) for i in range(KPIS_PER_PLAN)]
    # Templates repeat past 52 (not with 50); names stay unique anyway.
    out = [
        "# yaml-language-server: $schema=../../schemas/plan.schema.json",
        f"# Synthetic benchmark plan (bench/generate.py): {muni.prefecture}{muni.name}",
        f"id: {plan_id}",
        f"title: {_q(title)}",
        f"kind: {kind_name}",
        f"municipality: {_q(muni.name)}",
    ]
    if kind_name == "regional_alliance_vision":
        out.append(f"members: [{muni.name}, {muni.name[0]}南町, {muni.name[0]}北村]")
    out += [
        "period: {start: H28, end: R7}",
        f"source: {{title: {_q(title + '（令和2年3月策定）')}, note: 合成データ}}",
        f"vision: {_q(f'ひとが輝き、未来につながる{muni.name}')}",
        "kpis:",
        _kpi_yaml(kpis[0], "  ", "成果目標", "1").rstrip("\n"),
        "sections:",
    ]
    # 50 KPIs = 1 plan-level + per goal one 数値目標 + the rest spread over its directions.
    goals = GOALS[: rng.randint(4, len(GOALS))]
    remaining = kpis[1:]
    per_goal = [
        len(remaining) // len(goals) + (1 if i < len(remaining) % len(goals) else 0)
        for i in range(len(goals))
    ]
    section_ids: list[str] = []
    position = 0
    for g, (goal_title, directions) in enumerate(goals):
        chunk = remaining[position : position + per_goal[g]]
        position += per_goal[g]
        goal_id = f"goal-{g + 1}"
        out += [
            f"  - id: {goal_id}",
            "    level: 基本目標",
            f'    number: "({g + 1})"',
            f"    title: {_q(goal_title)}",
            f"    description: {_q(f'{muni.name}の強みを活かし、{goal_title}ための取組を進めます。')}",
            "    kpis:",
            _kpi_yaml(chunk[0], "      ", "数値目標", str(g + 1)).rstrip("\n"),
            "    sections:",
        ]
        rest = chunk[1:]
        for d, direction_title in enumerate(directions):
            dir_id = f"dir-{g + 1}-{d + 1}"
            section_ids.append(dir_id)
            mine = rest[d :: len(directions)]
            out += [
                f"      - id: {dir_id}",
                "        level: 施策の基本的方向",
                f"        number: {_CIRCLED[d]}",
                f"        title: {_q(direction_title)}",
                f"        items: [{', '.join(rng.sample(ACTIVITIES, 2))}]",
            ]
            # Half the directions nest a third level (施策) holding their KPIs.
            if d % 2 == 1 and mine:
                out += [
                    "        sections:",
                    f"          - id: {dir_id}-1",
                    "            level: 施策",
                    '            number: "1"',
                    f"            title: {_q(direction_title + 'ための施策')}",
                    "            kpis:",
                ]
                out += [
                    _kpi_yaml(k, "              ", "KPI", _CIRCLED[i % 10]).rstrip("\n")
                    for i, k in enumerate(mine)
                ]
            elif mine:
                out.append("        kpis:")
                out += [
                    _kpi_yaml(k, "          ", "KPI", _CIRCLED[i % 10]).rstrip("\n")
                    for i, k in enumerate(mine)
                ]
    out.append("projects:")
    for p in range(rng.randint(3, 8)):
        listed = rng.sample(section_ids, 2)
        out += [
            f"  - id: proj-{p + 1:02d}",
            f'    number: "{p + 1}"',
            f"    title: {_q(rng.choice(ACTIVITIES) + '事業')}",
            f"    listed_in: [{', '.join(listed)}]",
            f"    activities: [{', '.join(rng.sample(ACTIVITIES, 3))}]",
            f"    sdgs: [{', '.join(str(g) for g in sorted(rng.sample(range(1, 18), 2)))}]",
        ]
    return "\n".join(out) + "\n", kpis


def actuals_yaml(plan_id: str, kpis: list[_Kpi], rng: random.Random) -> str:
    """One actuals file: 10 evaluation years per KPI, with gaps, nulls, lags, units and grades."""
    out = [
        "# yaml-language-server: $schema=../../schemas/actuals.schema.json",
        f"plan: {plan_id}",
        "source: 合成データ（bench/generate.py）",
        "actuals:",
    ]
    for kpi in kpis:
        out.append(f"  {kpi.id}:")
        values = _series(kpi, rng)
        for (year, label), value in zip(YEARS, values, strict=True):
            roll = rng.random()
            if roll < 0.04:  # not reported that year
                continue
            data_period = _fiscal_year_label(year - kpi.lag) + "年度"
            if roll < 0.08:  # reported as — (no value)
                out.append(f"    {label}: {{value: null, period: {data_period}, note: 調査未実施}}")
                continue
            text = _number(value, kpi.decimals)
            extra = ""
            if kpi.unit == "万人" and roll > 0.97:  # printed in 人: converted exactly
                text = str(round(value * 10000))
                extra = ", unit: 人"
            if year >= 2022 and roll > 0.9:
                extra += f", official_grade: {rng.choice(_GRADES)}"
            out.append(f"    {label}: {{value: {text}, period: {data_period}{extra}}}")
    return "\n".join(out) + "\n"


def generate(plans: int, out: Path, seed: int = 20240401) -> Path:
    """Write ``plans`` plans and their actuals under ``out`` (plans/, actuals/); return ``out``."""
    rng = random.Random(f"{seed}:{plans}")
    if out.exists():
        shutil.rmtree(out)
    (out / "plans").mkdir(parents=True)
    (out / "actuals").mkdir()
    for number, muni in enumerate(municipalities(plans, rng), start=1):
        kind = KINDS[number % len(KINDS)]
        plan_id = f"m{number:04d}-{kind[0].replace('_', '-')}"
        text, kpis = plan_yaml(plan_id, muni, kind, rng.randint(2, 7), rng)
        (out / "plans" / f"{plan_id}.yaml").write_text(text, encoding="utf-8")
        (out / "actuals" / f"{plan_id}.yaml").write_text(actuals_yaml(plan_id, kpis, rng), encoding="utf-8")
    (out / ".generated").write_text(f"{_FORMAT_VERSION} {plans} {seed}\n", encoding="utf-8")
    return out


def ensure_corpus(plans: int, root: Path, seed: int = 20240401) -> Path:
    """The corpus of ``plans`` plans under ``root/<plans>``, generated unless already there."""
    out = root / str(plans)
    marker = out / ".generated"
    if marker.exists() and marker.read_text(encoding="utf-8").split() == [
        _FORMAT_VERSION,
        str(plans),
        str(seed),
    ]:
        return out
    return generate(plans, out, seed)


def corpus_stats(root: Path) -> dict[str, int]:
    """Files, bytes, plans, KPIs and actual lines of a generated corpus (counted, not parsed)."""
    files = sorted(root.rglob("*.yaml"))
    actual_lines = 0
    for path in (root / "actuals").glob("*.yaml"):
        with path.open(encoding="utf-8") as stream:
            actual_lines += sum(1 for line in stream if line.startswith("    ") and ": {value:" in line)
    plans = len(list((root / "plans").glob("*.yaml")))
    return {
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "plans": plans,
        "kpis": plans * KPIS_PER_PLAN,
        "actuals": actual_lines,
    }


def main() -> None:
    """Command line: generate one corpus, optionally check it with ``kpitool validate --strict``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=1741, help="number of plans (default 1741)")
    parser.add_argument("--out", type=Path, help="output directory (default bench/corpus/<plans>)")
    parser.add_argument("--seed", type=int, default=20240401)
    parser.add_argument("--check", action="store_true", help="run kpitool validate --strict on the result")
    args = parser.parse_args()
    out = args.out or Path(__file__).resolve().parent / "corpus" / str(args.plans)
    generate(args.plans, out, args.seed)
    stats = corpus_stats(out)
    print(
        f"{out}: {stats['plans']} plans, {stats['kpis']} KPIs, {stats['actuals']} actuals, "
        f"{stats['bytes'] / 1e6:.1f} MB"
    )
    if args.check:
        result = subprocess.run(
            [sys.executable, "-m", "kpitool", "validate", "--strict", str(out)], check=False
        )
        sys.exit(result.returncode)


if __name__ == "__main__":
    main()
