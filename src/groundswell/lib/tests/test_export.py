"""The one CSV writer: formula cells are neutralised, and no other module writes CSV by itself."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pytest

from groundswell.lib.export import CsvWriter, csv_text, safe_cell

SRC = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+31 20 123", "'+31 20 123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (2.5, 2.5),
        (None, None),
    ],
)
def test_formula_cells_are_written_as_text(value: object, written: object) -> None:
    assert safe_cell(value) == written


def test_csv_text_escapes_every_row_and_keeps_numbers() -> None:
    text = csv_text(["name", "amount"], [['=HYPERLINK("http://x")', -12], ["Ada", 3]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "amount"], ['\'=HYPERLINK("http://x")', "-12"], ["Ada", "3"]]


def test_writer_writes_to_any_text_stream() -> None:
    out = io.StringIO()
    CsvWriter(out).writerows([["@x"], ["y"]])
    assert out.getvalue().splitlines() == ["'@x", "y"]


def test_no_module_but_lib_export_writes_csv_directly() -> None:
    """Every export goes through lib/export.py, so none can forget the formula escaping."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path == SRC / "lib" / "export.py" or "tests" in path.relative_to(SRC).parts:
            continue  # tests may write CSV input for the importers; they export nothing
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            direct = (
                isinstance(node, ast.Attribute)
                and node.attr in {"writer", "DictWriter"}
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
            )
            imported = (
                isinstance(node, ast.ImportFrom)
                and node.module == "csv"
                and any(alias.name in {"writer", "DictWriter"} for alias in node.names)
            )
            if direct or imported:
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                if any(name.split(".")[0] in {"openpyxl", "xlsxwriter"} for name in names):
                    offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offenders == [], f"write CSV/spreadsheets through groundswell.lib.export: {offenders}"
