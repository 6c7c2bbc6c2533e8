"""The ``evaluation.outlook`` block: defaults, accepted values, and each refusal with its reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from kpitool.model.outlook_settings import OutlookMethod, OutlookSettings
from kpitool.model.plan import EvaluationSettings


def test_defaults_are_linear_and_the_thresholds_of_the_sdg_charts() -> None:
    settings = EvaluationSettings.model_validate({}).outlook
    assert settings.method is OutlookMethod.LINEAR
    assert (settings.on_track, settings.accelerate, settings.limited) == (Decimal("0.95"), Decimal("0.5"), 0)
    assert (settings.recent_years, settings.cagr_fallback) == (5, None)


def test_a_plan_sets_its_method_thresholds_and_fallback() -> None:
    settings = OutlookSettings.model_validate(
        {
            "method": "weighted",
            "on_track": Decimal("0.9"),
            "accelerate": "0.6",
            "limited": "-0.1",
            "cagr_fallback": "linear",
        }
    )
    assert settings.method is OutlookMethod.WEIGHTED
    assert settings.accelerate == Decimal("0.6")
    assert settings.cagr_fallback is OutlookMethod.LINEAR


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"on_track": Decimal("0.4")},
            "outlook thresholds must fall: on_track (0.4) > accelerate (0.5) > limited (0)",
        ),
        ({"limited": Decimal("0.5")}, "outlook thresholds must fall"),
        ({"recent_years": 0}, "recent_years must be 1 or more"),
        ({"cagr_fallback": "cagr"}, "cagr_fallback must be another method than cagr"),
        ({"method": "spline"}, "Input should be 'linear', 'cagr', 'weighted' or 'recent'"),
        ({"thresholds": {}}, "Extra inputs are not permitted"),
    ],
)
def test_bad_settings_are_refused_with_the_reason(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        OutlookSettings.model_validate(data)
