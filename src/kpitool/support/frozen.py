"""Frozen dataclasses built as fast as plain ones (:func:`fast_init`).

A frozen dataclass's generated ``__init__`` sets each field through ``object.__setattr__``, its
own ``__setattr__`` refusing: ~0.25 µs a field on Python 3.11, 4.8 µs for the 18 fields of an
evaluation row against 0.6 µs for a plain dataclass. A national evaluate builds several such
values per KPI, 87,000 times (docs/performance.md, "National scale, round five").
"""

from __future__ import annotations

import dataclasses
from types import FunctionType
from typing import TypeVar

__all__ = ["fast_init"]

_T = TypeVar("_T")


def fast_init(cls: type[_T]) -> type[_T]:
    """Give a frozen dataclass an ``__init__`` that writes the fields straight into the instance.

    The same signature, defaults and default factories as the one :func:`dataclasses.dataclass`
    wrote; the instance stays what it was (assignment raises ``FrozenInstanceError``; equality,
    hash, repr and pickling are the dataclass's). Written as source and compiled, as
    :mod:`dataclasses` writes its own. Only the plain case is taken: no ``__slots__``,
    ``__post_init__``, keyword-only or ``init=False`` fields (:class:`TypeError` otherwise).
    """
    params = cls.__dict__.get("__dataclass_params__")
    if params is None or not params.frozen or "__slots__" in cls.__dict__ or hasattr(cls, "__post_init__"):
        raise TypeError(f"fast_init: {cls.__name__} is not a plain frozen dataclass")
    names: dict[str, object] = {"_MISSING": dataclasses.MISSING}
    arguments: list[str] = []
    lines: list[str] = []
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        name = field.name
        if not field.init or field.kw_only:
            raise TypeError(f"fast_init: {cls.__name__}.{name} is keyword-only or not in __init__")
        if field.default is not dataclasses.MISSING:
            names[f"_default_{name}"] = field.default
            arguments.append(f"{name}=_default_{name}")
        elif field.default_factory is not dataclasses.MISSING:
            names[f"_factory_{name}"] = field.default_factory
            arguments.append(f"{name}=_MISSING")
            lines.append(f"    if {name} is _MISSING:\n        {name} = _factory_{name}()")
        else:
            arguments.append(name)
        lines.append(f"    fields[{name!r}] = {name}")
    source = f"def __init__(self, {', '.join(arguments)}):\n    fields = self.__dict__\n" + "\n".join(lines)
    exec(source, names)  # noqa: S102 - our own field names, as dataclasses does
    init = names["__init__"]
    assert isinstance(init, FunctionType)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    setattr(cls, "__init__", init)  # noqa: B010 - mypy refuses assigning a method
    return cls
