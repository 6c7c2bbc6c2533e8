"""The shape rules of docs/architecture.md that no linter checks: module and function size.

The layer rules (which package may import which) are import-linter contracts in pyproject.toml,
run by CI as ``lint-imports``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "kpitool"
MODULES = sorted(SRC.rglob("*.py"))
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
REASON = "Long because"
"""A function over the limit says why in its docstring, starting a sentence with these words."""


def _name(path: Path) -> str:
    return str(path.relative_to(SRC.parent))


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_module_over_400_lines(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_MODULE_LINES, f"{_name(path)} has {lines} lines"


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of the body after the docstring: a Typer command declares its options in its
    signature, which says what the command takes and is not logic to split."""
    body = node.body[1:] if ast.get_docstring(node) is not None and len(node.body) > 1 else node.body
    return (node.end_lineno or node.lineno) - body[0].lineno + 1


def _long_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = _body_lines(node)
            if length > MAX_FUNCTION_LINES and REASON not in (ast.get_docstring(node) or ""):
                found.append(f"{_name(path)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_over_60_lines_without_a_reason() -> None:
    long = [entry for path in MODULES for entry in _long_functions(path)]
    assert long == []


def test_the_flow_is_visible_in_the_tree() -> None:
    """docs/architecture.md describes these packages, in this order of the data flow."""
    packages = {p.name for p in SRC.iterdir() if (p / "__init__.py").exists()}
    assert packages == {
        "values",
        "model",
        "sources",
        "rating",
        "diff",
        "update",
        "outlook",
        "support",
        "render",
        "cli",
    }
    text = (SRC.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    for package in packages:
        assert f"`{package}/`" in text, f"docs/architecture.md does not describe {package}/"
