"""fast_init: a frozen dataclass built as before, only faster (kpitool.support.frozen)."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from kpitool.rating.facts import Facts, Observation
from kpitool.rating.results import Evaluation
from kpitool.rating.rollup import SectionResult
from kpitool.rating.schemes.base import Outcome
from kpitool.rating.schemes.measures import Reading
from kpitool.support.frozen import fast_init


def _pair() -> tuple[type, type]:
    """The same class twice: as dataclass writes it, and with fast_init."""

    def make() -> type:
        @dataclass(frozen=True)
        class Row:
            name: str
            value: Decimal | None
            note: str = ""
            tags: list[str] = field(default_factory=list)

        return Row

    return make(), fast_init(make())


def test_the_same_fields_defaults_and_factories_as_the_dataclass_init() -> None:
    plain, fast = _pair()
    for args, kwargs in [
        (("a", Decimal("1.50")), {}),
        (("a",), {"value": None, "note": "n"}),
        ((), {"name": "b", "value": Decimal(2), "tags": ["x"]}),
        (("c", Decimal(3), "m", ["y", "z"]), {}),
    ]:
        assert vars(fast(*args, **kwargs)) == vars(plain(*args, **kwargs))
    assert fast("a", None).tags is not fast("a", None).tags  # a fresh list each time, as before


def test_still_frozen_equal_hashable_and_picklable() -> None:
    _, fast = _pair()
    row = fast("a", Decimal(1), "n", ())
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.name = "b"  # type: ignore[misc]
    assert row == fast("a", Decimal(1), "n", ())
    assert hash(row) == hash(fast("a", Decimal(1), "n", ()))
    outcome = Outcome("achieved", "target reached", {"expected": Decimal("1.5")})  # as the cache keeps it
    assert pickle.loads(pickle.dumps(outcome)) == outcome
    assert repr(row).endswith("Row(name='a', value=Decimal('1'), note='n', tags=())")


def test_wrong_arguments_fail_as_before() -> None:
    plain, fast = _pair()
    for cls in (plain, fast):
        with pytest.raises(TypeError):
            cls()
        with pytest.raises(TypeError):
            cls("a", None, unknown=1)
        with pytest.raises(TypeError):
            cls("a", None, "n", [], "too many")


def test_only_plain_frozen_dataclasses_are_taken() -> None:
    @dataclass
    class Mutable:
        x: int

    @dataclass(frozen=True)
    class Checked:
        x: int

        def __post_init__(self) -> None:
            pass

    @dataclass(frozen=True, slots=True)
    class Slotted:
        x: int

    @dataclass(frozen=True, kw_only=True)
    class KeywordOnly:
        x: int

    for cls in (Mutable, Checked, Slotted, KeywordOnly):
        with pytest.raises(TypeError, match="fast_init"):
            fast_init(cls)


@pytest.mark.parametrize("cls", [Observation, Facts, Evaluation, Outcome, SectionResult, Reading])
def test_the_rating_values_keep_their_dataclass_signature(cls: type) -> None:
    names = [f.name for f in dataclasses.fields(cls)]
    assert list(cls.__init__.__code__.co_varnames[1 : len(names) + 1]) == names
