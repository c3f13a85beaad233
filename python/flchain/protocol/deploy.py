"""Run the numbered, idempotent deployment steps of ``migrations/`` against a chain.

Each ``migrations/NNN_name.py`` defines ``DESCRIPTION`` and ``apply(ctx) -> StepRecord``.
:func:`deploy` applies the steps a chain's record lacks, in order, saving the record after
each step; a re-run applies nothing. It never redeploys silently: a contract whose artifact
changed since it was deployed is reported, and a record whose contracts are gone from the
chain (a reset devnet) is an error that says what to do.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from web3 import Web3

from flchain.chain.connection import genesis_hash
from flchain.chain.transactions import TxResult, TxSender
from flchain.errors import ConfigError, NotDeployedError
from flchain.protocol.artifacts import ContractArtifact, find_project_root, load_artifact
from flchain.protocol.deployment import (
    Deployment,
    DeploymentRecord,
    StepRecord,
    record_path,
    recorded_deployment,
)

__all__ = ["DeployReport", "MigrationContext", "deploy", "load_deployment", "migration_steps"]

logger = logging.getLogger(__name__)


@dataclass
class MigrationContext:
    """What a migration step gets: the chain, the deployer, and the record so far."""

    w3: Web3
    sender: TxSender
    chain_id: int
    record: DeploymentRecord
    root: Path

    def artifact(self, name: str) -> ContractArtifact:
        """A compiled contract (fresh artifacts only)."""
        return load_artifact(name, self.root)

    def deploy_contract(self, name: str, *args: Any) -> tuple[str, TxResult]:
        """Deploy contract ``name`` with constructor ``args``; returns (address, tx)."""
        art = self.artifact(name)
        result = self.sender.deploy(art.abi, art.bytecode, *args, contract_name=name)
        address = result.contract_address
        if not address:
            raise NotDeployedError(
                f"Deploying {name} mined without a contract address (tx {result.tx_hash})."
            )
        logger.info("Deployed %s at %s (tx %s)", name, address, result.tx_hash)
        return str(address), result

    def contract(self, name: str) -> Any:
        """A web3 contract object for a contract recorded by an earlier step."""
        address = self.record.address(name)
        if address is None:
            raise NotDeployedError(
                f"No earlier step deployed {name}; the migrations are out of order."
            )
        return self.w3.eth.contract(
            address=Web3.to_checksum_address(address), abi=self.artifact(name).abi
        )


@dataclass(frozen=True)
class _Step:
    name: str
    description: str
    apply: Callable[[MigrationContext], StepRecord]


@dataclass(frozen=True)
class DeployReport:
    """What a deploy run did and found."""

    chain_id: int
    record_path: Path
    applied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    changed_artifacts: list[str] = field(default_factory=list)
    deployment: Deployment | None = None


def migration_steps(directory: Path | None = None) -> list[_Step]:
    """The steps in ``migrations/``, ordered by their number."""
    directory = directory or find_project_root() / "migrations"
    steps = []
    for path in sorted(directory.glob("[0-9][0-9][0-9]_*.py")):
        module = _load_module(path)
        apply = getattr(module, "apply", None)
        if not callable(apply):
            raise ConfigError(f"Migration {path.name} defines no apply(ctx) function.")
        steps.append(_Step(path.stem, str(getattr(module, "DESCRIPTION", path.stem)), apply))
    return steps


def _load_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"flchain_migration_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"Cannot load migration {path}.")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check_recorded(w3: Web3, record: DeploymentRecord, path: Path, root: Path) -> list[str]:
    """Raise if recorded contracts are gone; return names whose artifact changed since."""
    changed = []
    for step in record.steps:
        for name, address in step.contracts.items():
            if len(w3.eth.get_code(Web3.to_checksum_address(address))) == 0:
                raise NotDeployedError(
                    f"{path} records {name} at {address}, but chain {record.chain_id} has no "
                    "contract there (was the devnet reset?); run `flchain deploy --fresh` to "
                    "deploy anew."
                )
            recorded = step.artifact_hashes.get(name)
            if recorded is not None and load_artifact(name, root).bytecode_hash != recorded:
                changed.append(name)
    return changed


def deploy(
    w3: Web3,
    sender: TxSender,
    *,
    directory: Path | None = None,
    fresh: bool = False,
    root: Path | None = None,
) -> DeployReport:
    """Apply the migration steps the chain's record lacks; save the record after each."""
    root = root or find_project_root()
    chain_id = int(w3.eth.chain_id)
    path = record_path(chain_id, directory)
    genesis = genesis_hash(w3)
    record = DeploymentRecord(chain_id) if fresh else DeploymentRecord.load(path, chain_id)
    record.check_genesis(genesis, path)
    record.genesis_hash = genesis
    changed = _check_recorded(w3, record, path, root)
    report = DeployReport(chain_id, path, changed_artifacts=changed)
    for step in migration_steps(root / "migrations"):
        if step.name in record.applied:
            report.skipped.append(step.name)
            continue
        logger.info("Applying migration %s: %s", step.name, step.description)
        result = step.apply(MigrationContext(w3, sender, chain_id, record, root))
        record.steps.append(result)
        record.save(path)
        report.applied.append(step.name)
    return DeployReport(
        chain_id,
        path,
        report.applied,
        report.skipped,
        changed,
        Deployment.from_record(record, path),
    )


def load_deployment(w3: Web3, directory: Path | None = None) -> Deployment:
    """The deployment recorded for the chain ``w3`` talks to, checked to still be there."""
    return recorded_deployment(
        int(w3.eth.chain_id),
        lambda: genesis_hash(w3),
        lambda address: len(w3.eth.get_code(Web3.to_checksum_address(address))) > 0,
        directory,
    )
