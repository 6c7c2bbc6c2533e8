"""Render validation problems as text, JSON or GitHub Actions annotations."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from kpitool.problems import Problem, Severity

__all__ = ["PROBLEM_FORMATS", "render_problems"]


def _text(problems: Sequence[Problem]) -> str:
    return "".join(f"{problem}\n" for problem in problems)


def _json(problems: Sequence[Problem]) -> str:
    items = [
        {
            "file": p.file,
            "line": p.line,
            "column": p.column,
            "path": p.path,
            "message": p.message,
            "severity": p.severity.value,
            "code": p.code,
        }
        for p in problems
    ]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def _escape_data(text: str) -> str:
    # The workflow-command escaping GitHub documents for messages.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(problems: Sequence[Problem]) -> str:
    lines = []
    for p in problems:
        level = "error" if p.severity is Severity.ERROR else "warning"
        props = [f"file={_escape_property(p.file)}"]
        if p.line is not None:
            props.append(f"line={p.line}")
        if p.column is not None:
            props.append(f"col={p.column}")
        props.append(f"title={_escape_property('kpitool ' + p.code)}")
        message = f"{p.path}: {p.message}" if p.path else p.message
        lines.append(f"::{level} {','.join(props)}::{_escape_data(message)}\n")
    return "".join(lines)


PROBLEM_FORMATS: dict[str, Callable[[Sequence[Problem]], str]] = {
    "text": _text,
    "json": _json,
    "github": _github,
}
"""Problem renderers by format name."""


def render_problems(problems: Sequence[Problem], fmt: str) -> str:
    """Render problems in a format of :data:`PROBLEM_FORMATS`."""
    return PROBLEM_FORMATS[fmt](problems)
