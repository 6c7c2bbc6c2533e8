"""How the corpus cases' inputs are made: generated files, workbooks and forms from recipes.

The case format is described in :mod:`tests.test_corpus`.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from kpitool.cli.app import app

QUIET = {"COLUMNS": "200", "NO_COLOR": "1", "KPITOOL_NO_CACHE": "1"}
"""Environment of every run: a wide terminal, no colour, and no cache outside tmp_path."""

CORPUS = Path(__file__).parent / "corpus"
BASE = CORPUS / "_base"
SRC = Path(__file__).parents[1] / "src"


# --------------------------------------------------------------------------- #
# Generated inputs: big or binary files are made at run time, never committed.


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """The classic alias bomb: ``width ** levels`` strings if expanded (10⁹ by default)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels + 1):
        name, previous = f"l{level}", "a" if level == 1 else f"l{level - 1}"
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * width)}]")
    return "\n".join(lines) + "\n"


def _fifty_mb(root: Path) -> None:
    line = b"# " + b"x" * 97 + b"\n"
    with open(root / "data/plans/huge.yaml", "wb") as stream:
        stream.write(b"id: huge\n")
        for _ in range(5):
            stream.write(line * 100_000)  # 10 MB a time


def _alias_bomb(root: Path) -> None:
    (root / "data/plans/bomb.yaml").write_text(billion_laughs(), encoding="utf-8")


def _deep_nesting(root: Path) -> None:
    depth = 100_000  # PyYAML's composer recursed here and crashed the interpreter
    (root / "data/plans/deep.yaml").write_text(f"id: deep\nkpis: {'[' * depth}{']' * depth}\n")


def _many_values(root: Path) -> None:
    (root / "data/plans/many.yaml").write_text("id: many\nkpis: [" + "1, " * 300_000 + "1]\n")


def _zip_bomb(root: Path) -> None:
    # A valid workbook plus a part of 110 MiB of zeros, which packs into about 500 KiB.
    path = root / "table.xlsx"
    _save_workbook(path, [{"rows": [["指標ID"]]}])
    chunk = b"\0" * (1 << 20)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("xl/media/padding.bin", "w") as part,
    ):
        for _ in range(110):
            part.write(chunk)


def _fifo(root: Path) -> None:
    os.mkfifo(root / "data/plans/pipe.yaml")


def _hostile_repo(
    parts: list[str], mode: str = "100644", content: str = "id: pwned\n"
) -> Callable[[Path], None]:
    """The case folder as a git repository, plus a branch ``evil`` whose tree holds ``data/<parts…>``."""

    def generate(root: Path) -> None:
        from tests.sources.test_git import git, hostile_commit

        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "plan data")
        hostile_commit(root, parts, mode, content)

    return generate


def _symlink(name: str, target: str) -> Callable[[Path], None]:
    """A symlink in the data tree (git keeps them, but a case folder should not hold one)."""

    def generate(root: Path) -> None:
        (root / "data/plans" / name).symlink_to(target)

    return generate


GENERATORS: dict[str, Callable[[Path], None]] = {
    "symlink_dangling": _symlink("gone.yaml", "nowhere.yaml"),
    "symlink_loop": _symlink("loop.yaml", "loop.yaml"),
    "symlink_dev_zero": _symlink("zero.yaml", "/dev/zero"),
    "git_dotdot": _hostile_repo(["..", "..", "..", "..", "..", "..", "..", "..", "escaped.yaml"]),
    "git_dot_git": _hostile_repo([".git", "hooks", "x.yaml"]),
    "git_symlink": _hostile_repo(["plans", "link.yaml"], "120000", "/etc/passwd"),
    "fifty_mb": _fifty_mb,
    "alias_bomb": _alias_bomb,
    "deep_nesting": _deep_nesting,
    "many_values": _many_values,
    "zip_bomb": _zip_bomb,
    "fifo": _fifo,
}
"""Inputs made at run time by name (``generate:`` in case.yaml)."""

# --------------------------------------------------------------------------- #
# Workbooks and forms from recipes


def _save_workbook(path: Path, sheets: list[dict[str, Any]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for spec in sheets:
        sheet = workbook.create_sheet(spec.get("title", "Sheet1"))
        for row in spec.get("rows", []):
            sheet.append(row)
        _layout(sheet, spec)
    workbook.save(path)


def _layout(sheet: Any, spec: dict[str, Any]) -> None:
    """Apply the recipe's sheet state, merged ranges, hidden rows and columns."""
    if "state" in spec:
        sheet.sheet_state = spec["state"]
    for ref in spec.get("merge", []):
        sheet.merge_cells(ref)
    for row in spec.get("hide_rows", []):
        sheet.row_dimensions[row].hidden = True
    for column in spec.get("hide_columns", []):
        sheet.column_dimensions[column].hidden = True


def _patch_sheets(path: Path, sheets: list[dict[str, Any]]) -> None:
    """Write what openpyxl cannot: formulas' cached values, error values, a false dimension."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    for index, spec in enumerate(sheets, start=1):
        name = f"xl/worksheets/sheet{index}.xml"
        xml = parts[name].decode()
        for ref, value in {**spec.get("cached", {}), **spec.get("errors", {})}.items():
            kind = ' t="e"' if ref in spec.get("errors", {}) else ""
            xml, count = re.subn(
                rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>',
                rf'<c r="{ref}"\1{kind}><f>\2</f><v>{value}</v>',
                xml,
            )
            assert count == 1, f"no formula at {ref} to give a cached value"
        if "dimension" in spec:
            xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{spec["dimension"]}"/>', xml)
        parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _damage(path: Path, how: str | None) -> None:
    if how == "truncate":  # a download cut short: the zip directory at the end is lost
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif how == "ole":  # what Excel saves when a password is set: an OLE2 compound file
        path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504 + b"EncryptedPackage")
    elif how in _XML_DAMAGE:  # the zip is sound, the first sheet's XML is not
        with zipfile.ZipFile(path) as archive:
            parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
        xml = parts["xl/worksheets/sheet1.xml"].decode()
        pattern, replacement = _XML_DAMAGE[how]
        damaged = re.sub(pattern, replacement, xml, count=1)
        assert damaged != xml, f"nothing to damage with {how}"
        parts["xl/worksheets/sheet1.xml"] = damaged.encode()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
    elif how is not None:
        raise AssertionError(f"unknown damage {how!r}")


_XML_DAMAGE = {
    "duplicate_attribute": (r'<c r="([A-Z]+[0-9]+)"', r'<c r="\1" r="\1"'),
    "undefined_entity": (r"<v>[^<]*</v>", "<v>&bogus;</v>"),
    "invalid_character_reference": (r"<v>[^<]*</v>", "<v>&#1;</v>"),
}
"""``damage:`` of a sheet's XML: (the first match of a pattern, its replacement)."""


def build_workbook(root: Path, recipe: dict[str, Any]) -> None:
    """``workbook: {file, sheets: [{title, rows, merge, hide_rows, cached …}], damage}``."""
    path = root / recipe["file"]
    sheets = recipe.get("sheets", [])
    _save_workbook(path, sheets)
    _patch_sheets(path, sheets)
    _damage(path, recipe.get("damage"))


def _edit_form(workbook: Any, recipe: dict[str, Any]) -> None:
    """The recipe's edits of a form's first sheet, in this order: ``set``, ``formats`` (number
    formats by cell), ``swap_rows: [A, B]`` (two whole rows exchanged), ``delete_rows`` and
    ``delete_columns`` (``[first, count]``, 1-based), ``properties: none`` (the custom document
    properties removed, as when the sheet is copied into another workbook)."""
    sheet = workbook.worksheets[0]
    for ref, value in recipe.get("set", {}).items():
        sheet[ref] = value
    for ref, code in recipe.get("formats", {}).items():
        sheet[ref].number_format = code
    if "swap_rows" in recipe:
        first, second = recipe["swap_rows"]
        for column in range(1, sheet.max_column + 1):
            a, b = sheet.cell(first, column), sheet.cell(second, column)
            a.value, b.value = b.value, a.value
    if "delete_rows" in recipe:
        sheet.delete_rows(*recipe["delete_rows"])
    if "delete_columns" in recipe:
        sheet.delete_cols(*recipe["delete_columns"])
    if recipe.get("properties") == "none":
        workbook.custom_doc_props.props.clear()


def build_form(root: Path, recipe: dict[str, Any]) -> None:
    """``form: {file, plan, year, set: {J14: value}, formats, swap_rows, delete_rows, delete_columns,
    properties, merge, hide_rows, cached, add_sheets, damage}``.

    The form is made by ``kpitool template`` on the case's data, so it follows
    the form's layout as it evolves; the recipe then edits it as a department might
    (:func:`_edit_form`).
    """
    from openpyxl import load_workbook

    path = root / recipe["file"]
    args = [
        "template",
        recipe["plan"],
        "--year",
        recipe["year"],
        "--xlsx",
        str(path),
        "--data",
        str(root / "data"),
    ]
    result = CliRunner().invoke(app, args, env=QUIET)
    assert result.exit_code == 0, result.output
    workbook = load_workbook(path)
    _edit_form(workbook, recipe)
    _layout(workbook.worksheets[0], recipe)
    for extra in recipe.get("add_sheets", []):
        added = workbook.create_sheet(extra["title"])
        for row in extra.get("rows", []):
            added.append(row)
    workbook.save(path)
    if recipe.get("cached") or recipe.get("errors"):
        _patch_sheets(path, [{"cached": recipe.get("cached", {}), "errors": recipe.get("errors", {})}])
    _damage(path, recipe.get("damage"))


# --------------------------------------------------------------------------- #
# Cases
