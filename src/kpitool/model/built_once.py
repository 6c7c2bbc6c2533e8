"""A field type whose core schema pydantic builds once, not once per field (issue 18).

:mod:`kpitool.model.fields` wraps the metadata of each of its field types in :class:`BuiltOnce`.
"""

from __future__ import annotations

from typing import Annotated, Any

__all__ = ["BuiltOnce"]


class BuiltOnce:
    """A field type's validator, serializer and JSON Schema, its core schema built once (issue 18).

    pydantic builds the schema of ``Annotated[Decimal, PlainValidator(…), …]`` anew for every
    field that uses it (~120 fields, 0.1–0.3 ms each, every cold start); this builds it at the
    first use and hands every later field a copy (the JSON Schema and the serializer ride in it).
    Every model is a :class:`~kpitool.model.fields.StrictModel`, with one config: a field type's
    schema is the same wherever it is used.
    """

    __slots__ = ("metadata", "schema")

    def __init__(self, *metadata: Any) -> None:
        self.metadata = metadata
        self.schema: Any = None

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        if self.schema is None:
            self.schema = handler.generate_schema(Annotated[(source, *self.metadata)])
        return _copied(self.schema)


def _copied(schema: Any) -> Any:
    """A copy of a core schema's dicts and lists (pydantic may add keys); functions are shared."""
    if type(schema) is dict:
        return {key: _copied(value) for key, value in schema.items()}
    if type(schema) is list:
        return [_copied(value) for value in schema]
    return schema
