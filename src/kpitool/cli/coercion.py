"""Command-line values converted without pydantic, as typer itself would convert them.

Typer (0.29) converts every parameter's value with a pydantic ``TypeAdapter``: a command run
imports pydantic (~45 ms) and builds one schema per parameter, even when the command itself
never needs pydantic (a warm run answered from the cache, docs/performance.md "Interactive
commands"). :func:`lean_parameters` gives each parameter of a command a converter that does what
typer's does for the values kpitool's options take — a string, a path (with typer's own checks,
:func:`typer._param_types.coerce_cli_path`), a choice of a ``StrEnum`` (typer's own
:func:`~typer._param_types.coerce_cli_choice`), a positive whole number, lists of those — and
hands anything else, and every value it would refuse, to typer's own converter: the result and
every error message are typer's. A typer without these internals is simply left as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

__all__ = ["lean_parameters"]

_UNSURE = object()
"""What a lean conversion returns when typer's own converter must decide."""

_WHOLE = re.compile(r"[1-9][0-9]{0,17}")

RuntimeParam: Any
try:
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_choice, coerce_cli_path
except ImportError:  # another typer: its own conversion stays
    RuntimeParam = None


def lean_parameters(params: list[Any]) -> None:
    """Give each typer parameter in ``params`` the lean converter (before any value is converted)."""
    if RuntimeParam is None:
        return
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", _UNSURE) is not None:
            continue
        if descriptor.file_annotation is None and descriptor.parameter_info.parser is None:
            param._runtime_param = _lean_class()(
                parameter_info=descriptor.parameter_info,
                annotation=descriptor.annotation,
                descriptor=descriptor,
            )


_LEAN: list[type] = []


def _lean_class() -> type:
    """The converter class (a typer ``RuntimeParam``), made once."""
    if not _LEAN:

        @dataclass(frozen=True)
        class LeanParam(RuntimeParam):  # type: ignore[misc]
            """A converter that knows kpitool's value types; typer's own decides the rest."""

            descriptor: Any

            def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
                try:
                    result = _convert(self.annotation, self.parameter_info, value, param, ctx)
                except Exception:  # typer's own converter raises its own error for it
                    result = _UNSURE
                if result is _UNSURE:
                    return build_runtime_param(self.descriptor)._coerce_value(value, param=param, ctx=ctx)
                return result

        _LEAN.append(LeanParam)
    return _LEAN[0]


def _convert(annotation: Any, info: Any, value: Any, param: Any, ctx: Any) -> Any:
    """``value`` as typer would convert it to ``annotation``, or :data:`_UNSURE`."""
    if get_origin(annotation) is list:
        (item_type,) = get_args(annotation)
        if not isinstance(value, (list, tuple)):
            return _UNSURE
        items = [_convert(item_type, info, item, param, ctx) for item in value]
        return _UNSURE if any(item is _UNSURE for item in items) else items
    if annotation is str:
        return value if type(value) is str else _UNSURE
    if annotation is Path and info.path_type is None and not info.resolve_path:
        if not isinstance(value, (str, Path)):
            return _UNSURE
        return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        if not isinstance(value, str):
            return _UNSURE
        return coerce_cli_choice(
            value, choices=tuple(annotation), case_sensitive=info.case_sensitive, ctx=ctx
        )
    if annotation is int and not info.clamp and isinstance(value, str) and _WHOLE.fullmatch(value):
        number = int(value)
        low, high = info.min, info.max
        if (low is None or number >= low) and (high is None or number <= high):
            return number
    return _UNSURE
