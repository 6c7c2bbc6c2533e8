"""Tests for kpitool.rating.schemes.registry: every scheme resolves by name, every worked example
of docs/rating.md is printed there and resolves, and an unknown name is reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from kpitool.cli.app import app
from kpitool.rating.engine import resolve_scheme
from kpitool.rating.schemes.registry import SCHEMES
from kpitool.sources.yaml_strict import parse_yaml
from tests.rating.schemes.conftest import (
    BAD_EVALUATION,
    DOCS,
    EXAMPLES,
    resolve,
)


def test_every_scheme_resolves_with_its_defaults() -> None:
    for name, scheme_type in SCHEMES.items():
        scheme = resolve({"scheme": name})
        assert type(scheme) is scheme_type
        assert scheme.not_judged.symbol == "—"
        assert len(set(scheme.symbols())) == len(scheme.symbols())
    assert type(resolve_scheme(None)) is SCHEMES["default"]


def test_docs_print_every_worked_example() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for name, text in EXAMPLES.items():
        assert f"```yaml\n{text}```" in docs, f"docs/rating.md lacks the {name} example"
        block = parse_yaml(text, f"{name}.yaml").data["evaluation"]
        resolve(block)


def test_validate_reports_an_unknown_scheme(runner: CliRunner, data_dir: Callable[..., Path]) -> None:
    root = data_dir(plans={"demo.yaml": BAD_EVALUATION.replace("progress_bands", "ranked")})
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 1
    assert re.search(
        r"demo\.yaml:5:1: evaluation: unknown evaluation scheme 'ranked' \(known: default, ", result.stdout
    )
