"""Where flchain is deployed on a chain: the record ``deployments/<chainId>.json``.

The record lists every applied migration step with the addresses, transaction hashes, blocks
and artifact hashes it produced. The contract addresses everyone needs are read from it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flchain.errors import NotDeployedError
from flchain.home import deployments_home

__all__ = [
    "Deployment",
    "DeploymentRecord",
    "StepRecord",
    "deployments_dir",
    "record_path",
    "recorded_address",
    "recorded_deployment",
]

DEPLOYMENTS_ENV = "FLCHAIN_DEPLOYMENTS"


def deployments_dir() -> Path:
    """``$FLCHAIN_DEPLOYMENTS`` if set, else ``$FLCHAIN_HOME/deployments``, else
    ``./deployments`` (beside ``./.flchain``, where the devnet keeps its chain, so a devnet
    and its record live together)."""
    env = os.environ.get(DEPLOYMENTS_ENV)
    return Path(env) if env else deployments_home()


def record_path(chain_id: int, directory: Path | None = None) -> Path:
    """The record file of ``chain_id``."""
    return (directory or deployments_dir()) / f"{chain_id}.json"


def recorded_address(
    contract: str, chain_id: int, directory: Path | None = None, *, deployed_by: str
) -> str:
    """The address of ``contract`` in the record of ``chain_id`` (in ``directory``), or
    NotDeployedError saying to apply ``deployed_by`` (the migration that deploys it)."""
    path = record_path(chain_id, directory)
    address = DeploymentRecord.load(path, chain_id).address(contract)
    if address is None:
        raise NotDeployedError(
            f"Chain {chain_id} has no {contract} ({path} lacks it); run `flchain deploy` to "
            f"apply {deployed_by}."
        )
    return address


@dataclass(frozen=True)
class StepRecord:
    """One applied migration step."""

    name: str
    contracts: dict[str, str] = field(default_factory=dict)  # contract name -> address
    transactions: list[str] = field(default_factory=list)
    blocks: list[int] = field(default_factory=list)
    artifact_hashes: dict[str, str] = field(default_factory=dict)  # contract name -> sha256


@dataclass
class DeploymentRecord:
    """The mutable record of a chain's deployment, written atomically after each step."""

    chain_id: int
    steps: list[StepRecord] = field(default_factory=list)
    #: Hash of the chain's block 0 (None in records written before it was kept).
    genesis_hash: str | None = None

    @property
    def applied(self) -> set[str]:
        """Names of the applied steps."""
        return {step.name for step in self.steps}

    def address(self, contract: str) -> str | None:
        """The recorded address of ``contract`` (the latest step that deployed it)."""
        for step in reversed(self.steps):
            if contract in step.contracts:
                return step.contracts[contract]
        return None

    def to_json(self) -> str:
        """Stable JSON for the record file."""
        steps = [step.__dict__ for step in self.steps]
        document: dict[str, Any] = {"chainId": self.chain_id, "steps": steps}
        if self.genesis_hash is not None:
            document["genesisHash"] = self.genesis_hash
        return json.dumps(document, indent=2, sort_keys=True) + "\n"

    def check_genesis(self, genesis_hash: str, path: Path) -> None:
        """NotDeployedError unless this record is of the chain whose block 0 is
        ``genesis_hash``: two chains can share a chain id (a reset devnet, two nodes)."""
        if self.genesis_hash is None or self.genesis_hash == genesis_hash:
            return
        raise NotDeployedError(
            f"{path} records a deployment on another chain with id {self.chain_id} (genesis "
            f"{self.genesis_hash[:12]}..., this node's is {genesis_hash[:12]}...); keep each "
            "node's records apart with --deployments DIR, or run `flchain deploy --fresh` if "
            "this chain was reset."
        )

    @classmethod
    def load(cls, path: Path, chain_id: int) -> DeploymentRecord:
        """The record at ``path``; an empty one if the file does not exist."""
        if not path.is_file():
            return cls(chain_id)
        try:
            data: dict[str, Any] = json.loads(path.read_text())
            steps = [StepRecord(**step) for step in data["steps"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise NotDeployedError(
                f"The deployment record {path} is unreadable ({exc}); move it away and run "
                "`flchain deploy` again."
            ) from exc
        if data.get("chainId") != chain_id:
            raise NotDeployedError(
                f"The deployment record {path} is for chain {data.get('chainId')}, not {chain_id}."
            )
        genesis = data.get("genesisHash")
        return cls(chain_id, steps, str(genesis) if genesis is not None else None)

    def save(self, path: Path) -> None:
        """Write atomically: a crash leaves the old record or the new one, never half of one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w") as handle:
            handle.write(self.to_json())
        os.replace(tmp, path)


@dataclass(frozen=True)
class Deployment:
    """The addresses of one flchain deployment."""

    chain_id: int
    token: str
    registry: str
    coordinator: str
    start_block: int
    #: Every contract the record names (including the three above), by contract name.
    contracts: Mapping[str, str] = field(default_factory=dict)

    def address_of(self, name: str) -> str:
        """The address of contract ``name`` in this deployment, or NotDeployedError saying which
        migration to apply."""
        address = self.contracts.get(name)
        if address is None:
            raise NotDeployedError(
                f"The deployment on chain {self.chain_id} has no {name} contract (deployed by a "
                "later migration); run `flchain deploy` to apply the missing migrations."
            )
        return address

    @classmethod
    def from_record(cls, record: DeploymentRecord, path: Path) -> Deployment:
        """The deployment a complete record describes, or NotDeployedError naming what lacks."""
        names = ("FLDevToken", "ModelRegistry", "FLCoordinator")
        addresses = [record.address(name) for name in names]
        missing = [name for name, address in zip(names, addresses, strict=True) if address is None]
        if missing:
            raise NotDeployedError(
                f"Chain {record.chain_id} has no complete flchain deployment ({path} lacks "
                f"{', '.join(missing)}); run `flchain deploy` first."
            )
        blocks = [b for step in record.steps for b in step.blocks]
        token, registry, coordinator = (str(a) for a in addresses)
        contracts = {
            name: address for step in record.steps for name, address in step.contracts.items()
        }
        return cls(record.chain_id, token, registry, coordinator, min(blocks, default=0), contracts)


def recorded_deployment(
    chain_id: int,
    genesis: Callable[[], str],
    has_code: Callable[[str], bool],
    directory: Path | None = None,
) -> Deployment:
    """The deployment recorded for chain ``chain_id`` whose block 0 hashes to ``genesis()``,
    checked to have its coordinator's code (``has_code``); NotDeployedError says what to do."""
    path = record_path(chain_id, directory)
    if not path.is_file():
        raise NotDeployedError(
            f"flchain is not deployed on chain {chain_id} (no {path}); run `flchain deploy` first."
        )
    record = DeploymentRecord.load(path, chain_id)
    record.check_genesis(genesis(), path)
    deployment = Deployment.from_record(record, path)
    if not has_code(deployment.coordinator):
        raise NotDeployedError(
            f"{path} records FLCoordinator at {deployment.coordinator}, but chain {chain_id} has no "
            "contract there (was the devnet reset?); run `flchain deploy --fresh`."
        )
    return deployment
