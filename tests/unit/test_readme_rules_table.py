"""The README's rules table is the one generated from the rule specs."""

from __future__ import annotations

from pathlib import Path

from flchain.fl.aggregation.table import rules_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_holds_rules_table_when_specs_change() -> None:
    assert rules_table() in README.read_text(), (
        "README.md's rules table is stale: run scripts/rules_table.py"
    )
