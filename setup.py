"""Build hook: ship the compiled contracts and the migrations inside the package.

`pip install .` (or a wheel built from the project after `make build`) then carries
``flchain/_bundle/artifacts/contracts/**/<Name>.json`` (ABI and bytecode) and
``flchain/_bundle/migrations/*.py``, so a participant host needs no Hardhat build. A source
checkout keeps using its own ``artifacts/`` (with the freshness check); see
python/flchain/protocol/artifacts.py. Everything else is in pyproject.toml.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PROJECT = Path(__file__).resolve().parent
_KEYS = ("contractName", "sourceName", "abi", "bytecode", "deployedBytecode")


def bundle_contracts(project: Path, target: Path) -> int:
    """Copy the deployable contracts' ABI + bytecode and the migrations under ``target``;
    returns how many contracts it bundled (0 when the project was not built)."""
    count = 0
    contracts = project / "artifacts" / "contracts"
    for path in sorted(contracts.glob("**/*.json")) if contracts.is_dir() else []:
        relative = path.relative_to(contracts)
        if relative.parts[0] == "test" or path.name.endswith(".dbg.json"):
            continue
        data = json.loads(path.read_text())
        if not isinstance(data, dict) or len(str(data.get("bytecode", ""))) < 4:
            continue  # interfaces and libraries without code
        out = target / "artifacts" / "contracts" / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({k: data[k] for k in _KEYS if k in data}, sort_keys=True))
        count += 1
    migrations = target / "migrations"
    migrations.mkdir(parents=True, exist_ok=True)
    for step in sorted((project / "migrations").glob("[0-9][0-9][0-9]_*.py")):
        shutil.copy2(step, migrations / step.name)
    (target / "BUNDLE").write_text("compiled contracts and migrations shipped with flchain\n")
    return count


class BuildWithContracts(build_py):  # type: ignore[misc]
    """build_py, plus the bundle (see module docstring)."""

    def run(self) -> None:
        super().run()
        bundled = bundle_contracts(PROJECT, Path(self.build_lib) / "flchain" / "_bundle")
        if bundled == 0:
            self.warn("no compiled contracts to bundle: run `make build` before building a wheel")


setup(cmdclass={"build_py": BuildWithContracts})
