"""Write the rules table generated from the aggregation rule specs into README.md.

Run: PYTHONPATH=python .venv/bin/python scripts/rules_table.py [README.md]
(tests/unit/test_readme_rules_table.py fails when the README's table is stale).
"""

from __future__ import annotations

import sys
from pathlib import Path

from flchain.fl.aggregation.table import BEGIN_MARKER, END_MARKER, rules_table


def main(path: Path) -> int:
    text = path.read_text()
    start, end = text.find(BEGIN_MARKER), text.find(END_MARKER)
    if start < 0 or end < start:
        print(f"{path} has no rules table markers; add {BEGIN_MARKER!r} and {END_MARKER!r}.")
        return 1
    path.write_text(text[:start] + rules_table() + text[end + len(END_MARKER) :])
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")))
