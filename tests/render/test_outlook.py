"""The outlook as JSON and CSV: exact figures, every status counted, the plans left out named."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from kpitool.outlook.engine import PlanOutlook
from kpitool.render.outlook import OUTLOOK_CSV_COLUMNS, outlooks_csv, outlooks_json
from kpitool.sources.selection import LeftOut, SkippedPlan
from tests.outlook.conftest import line, plan_outlook

KPI = {
    "direction": "increase",
    "baseline": {"value": "1.5", "period": "R2年度"},
    "target": {"value": "2.5", "period": "R7年度"},
}


def third() -> PlanOutlook:
    """1.5 → 1.8 in three years: 0.1 a year, 2.0 at R7年度, r = 1/2 … with a third of a step to round."""
    return plan_outlook(KPI, line({"R3": "1.6", "R5": "1.8"}), year="R5")


def test_json_rounds_the_projection_to_one_more_decimal_and_keeps_the_contract() -> None:
    result = plan_outlook(KPI, line({"R3": "1.6", "R4": "1.6"}), year="R4")
    data = json.loads(outlooks_json([result]))
    outlook = data["kpis"][0]["outlook"]
    # least squares through 1.5, 1.6, 1.6 at t = 0, 1, 2: t̄ = 1, v̄ = 47/30, slope 1/20;
    # at t = 5: 47/30 + 4/20 = 53/30 = 1.7666…, shown with two decimals (the data have one)
    assert outlook["projected"] == 1.77
    assert outlook["ratio"] == round((53 / 30 - 1.5) / 1, 6)
    assert outlook["status"] == "limited"
    assert outlook["label"] == "進捗が小さい"
    assert [p["evaluation_year"] for p in outlook["points"]] == [None, "R3", "R4"]
    assert data["summary"]["limited"] == 1
    assert data["summary"]["total"] == 1
    assert data["thresholds"] == {"on_track": 0.95, "accelerate": 0.5, "limited": 0}


def test_json_names_the_plans_left_out() -> None:
    left_out = LeftOut((SkippedPlan("broken.yaml", "broken", "1 error"),), ())
    data = json.loads(outlooks_json([third()], left_out))
    assert data["skipped"] == [{"file": "broken.yaml", "plan": "broken", "reason": "1 error"}]


def test_csv_writes_exact_figures_with_a_bom() -> None:
    text = outlooks_csv([third()])
    assert text.startswith("\ufeff")
    (row,) = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert list(row) == list(OUTLOOK_CSV_COLUMNS)
    assert Decimal(row["projected"]) == Decimal("2.00")
    assert (row["ratio"], row["status"], row["points"], row["lag_years"]) == (
        "0.500000",
        "accelerate",
        "3",
        "0",
    )
    assert row["final_data_in_period"] == "true"
