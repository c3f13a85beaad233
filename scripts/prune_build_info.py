"""Delete Hardhat build-info files that no current artifact refers to.

Hardhat keeps the build info of earlier builds; Slither reads every file there and trips on
sources that no longer exist. Pruning is faster than rebuilding from clean.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(root: Path) -> int:
    artifacts = root / "artifacts"
    used = set()
    for path in (artifacts / "contracts").rglob("*.json"):
        build_id = json.loads(path.read_text()).get("buildInfoId")
        if build_id:
            used.add(build_id)
    removed = 0
    for info in (artifacts / "build-info").glob("*.json"):
        if info.name.split(".")[0] not in used:
            info.unlink()
            removed += 1
    print(f"build-info: kept {len(used)} build(s), removed {removed} stale file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()))
