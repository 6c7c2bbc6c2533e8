"""Every rating scheme by name: a plan's ``evaluation.scheme`` picks one (absent: ``default``)."""

from __future__ import annotations

from collections.abc import Mapping

from kpitool.rating.schemes.bands import AchievementBandsScheme, ExpectedValueScheme, ProgressBandsScheme
from kpitool.rating.schemes.base import RatingError, Scheme
from kpitool.rating.schemes.change import BaselineToleranceScheme, TrendAndProgressScheme
from kpitool.rating.schemes.generic import BandsScheme
from kpitool.rating.schemes.presets import PRESETS
from kpitool.rating.schemes.target import DefaultScheme, TargetComparisonScheme

__all__ = ["SCHEMES", "scheme_named"]

_ALL: tuple[type[Scheme], ...] = (
    DefaultScheme,
    ProgressBandsScheme,
    ExpectedValueScheme,
    AchievementBandsScheme,
    BaselineToleranceScheme,
    TrendAndProgressScheme,
    TargetComparisonScheme,
    BandsScheme,
    *PRESETS.values(),
)
SCHEMES: Mapping[str, type[Scheme]] = {scheme.name: scheme for scheme in _ALL}
"""Every scheme by name, in the order docs/rating.md lists them and error messages name them."""


def scheme_named(name: str) -> type[Scheme]:
    """The scheme class called ``name``; :class:`RatingError` naming the known ones if there is none."""
    try:
        return SCHEMES[name]
    except KeyError:
        known = ", ".join(SCHEMES)
        raise RatingError(f"unknown evaluation scheme {name!r} (known: {known})") from None
