"""The Japanese eras (元号) kpitool reads and writes: 昭和 (S), 平成 (H), 令和 (R)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final


@dataclass(frozen=True)
class Era:
    """A Japanese era (元号): its name, its letter, and the Western year of its year 0."""

    name: str
    letter: str
    # Western year = offset + era year.
    offset: int
    first_day: date
    last_day: date | None

    @property
    def last_year(self) -> int | None:
        return None if self.last_day is None else self.last_day.year - self.offset


SHOWA: Final = Era("昭和", "S", 1925, date(1926, 12, 25), date(1989, 1, 7))
HEISEI: Final = Era("平成", "H", 1988, date(1989, 1, 8), date(2019, 4, 30))
REIWA: Final = Era("令和", "R", 2018, date(2019, 5, 1), None)
ERAS: Final = (SHOWA, HEISEI, REIWA)
ERA_BY_KEY: Final = {key: era for era in ERAS for key in (era.name, era.letter)}
