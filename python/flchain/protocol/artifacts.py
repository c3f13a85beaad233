"""Load the contracts that Hardhat compiled: ABI, bytecode, and whether they are stale.

Hardhat 3 writes ``artifacts/contracts/<File>.sol/<Name>.json`` and, beside them, a
build-info file holding every compiled source. An artifact is *stale* when a source it was
built from differs from the file on disk now; flchain refuses stale artifacts rather than
deploying or talking to contracts the sources no longer describe.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flchain.errors import ArtifactError

__all__ = [
    "BUNDLE_ROOT",
    "ContractArtifact",
    "find_project_root",
    "is_bundle",
    "load_artifact",
]

#: Where an installed package keeps the contracts and migrations it ships (see setup.py).
BUNDLE_ROOT = Path(__file__).resolve().parents[1] / "_bundle"
_BUILD_HINT = "run the build first: `make build` (or `npx hardhat build`) in the project"


@dataclass(frozen=True)
class ContractArtifact:
    """One compiled contract."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str

    @property
    def bytecode_hash(self) -> str:
        """sha256 of the deployment bytecode, recorded with each deployment."""
        return hashlib.sha256(self.bytecode.encode()).hexdigest()


def find_project_root(start: Path | None = None) -> Path:
    """The directory holding ``hardhat.config.js``: ``$FLCHAIN_PROJECT``, else the source
    checkout this package was installed from, else the nearest parent of ``start`` (cwd),
    else the bundle of compiled contracts and migrations the installed package ships."""
    env = os.environ.get("FLCHAIN_PROJECT")
    if env:
        return Path(env).resolve()
    candidates = [Path(__file__).resolve().parents[3], *(start or Path.cwd()).resolve().parents]
    candidates.insert(1, (start or Path.cwd()).resolve())
    for candidate in candidates:
        if (candidate / "hardhat.config.js").is_file():
            return candidate
    if is_bundle(BUNDLE_ROOT):  # an installed package: the contracts it shipped with
        return BUNDLE_ROOT
    raise ArtifactError(
        "Cannot find the flchain project (no hardhat.config.js above the current directory) "
        "and this installation ships no contracts; run from the project, set FLCHAIN_PROJECT, "
        "or install flchain from a built project (`make build`, then `pip install .`)."
    )


def is_bundle(root: Path) -> bool:
    """Whether ``root`` is the contracts bundle an installed package ships (setup.py)."""
    return (root / "BUNDLE").is_file()


def load_artifact(
    name: str, root: Path | None = None, *, check_fresh: bool = True
) -> ContractArtifact:
    """Load contract ``name`` from ``root/artifacts``; raise ArtifactError if it is missing,
    unreadable, truncated or (with ``check_fresh``) built from sources that changed since."""
    root = root or find_project_root()
    matches = sorted((root / "artifacts" / "contracts").glob(f"**/{name}.json"))
    if not matches:
        raise ArtifactError(
            f"No compiled artifact for contract {name} under {root / 'artifacts'}; {_BUILD_HINT}."
        )
    path = matches[0]
    data = _read_json(path, name)
    try:
        artifact = ContractArtifact(
            name=name,
            abi=list(data["abi"]),
            bytecode=str(data["bytecode"]),
            deployed_bytecode=str(data["deployedBytecode"]),
        )
    except (KeyError, TypeError) as exc:
        raise ArtifactError(f"The artifact of {name} ({path}) lacks {exc}; {_BUILD_HINT}.") from exc
    if len(artifact.bytecode) < 4:
        raise ArtifactError(f"The artifact of {name} ({path}) has no bytecode; {_BUILD_HINT}.")
    if check_fresh and not is_bundle(root):  # a bundle has no sources to compare with
        _check_fresh(root, data, name)
    return artifact


def _read_json(path: Path, name: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ArtifactError(
            f"The artifact of {name} ({path}) is unreadable or truncated; {_BUILD_HINT}."
        ) from exc
    if not isinstance(data, dict):
        raise ArtifactError(f"The artifact of {name} ({path}) is not a JSON object; {_BUILD_HINT}.")
    return data


def _check_fresh(root: Path, data: dict[str, Any], name: str) -> None:
    """Compare each project source the contract was built from with the file on disk."""
    build_id = data.get("buildInfoId")
    info_path = root / "artifacts" / "build-info" / f"{build_id}.json"
    if not build_id or not info_path.is_file():
        raise ArtifactError(f"The build info of {name} is missing; {_BUILD_HINT}.")
    sources: dict[str, Any] = _read_json(info_path, name).get("input", {}).get("sources", {})
    for source_name in _project_closure(str(data.get("inputSourceName", "")), sources):
        on_disk = root / source_name.removeprefix("project/")
        if not on_disk.is_file() or on_disk.read_text() != sources[source_name].get("content"):
            raise ArtifactError(
                f"The compiled {name} is stale: {on_disk.relative_to(root)} changed since the build; "
                f"{_BUILD_HINT}."
            )


_IMPORT = re.compile(r"""^\s*import\s[^;]*?["']([^"']+)["']""", re.MULTILINE)


def _project_closure(start: str, sources: dict[str, Any]) -> list[str]:
    """``start`` and the project sources it imports, transitively (npm sources are pinned)."""
    seen: list[str] = []
    pending = [start]
    while pending:
        current = pending.pop()
        if current in seen or current not in sources or not current.startswith("project/"):
            continue
        seen.append(current)
        for target in _IMPORT.findall(sources[current].get("content", "")):
            if target.startswith("."):
                pending.append(
                    posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
                )
    return seen
