"""A participant's local journal: what it must remember across a restart mid-round.

The salt and update of a commit are written here *before* the commit transaction is sent,
so a participant that dies after committing can still reveal after a restart; so are the
result and salt of an attestation before its commit (``attestations.json``): an attestation
committed and never revealed counts as none (silence in a failed round is penalized). Writes are
atomic (temp file + rename): a crash leaves the old journal or the new one.

A journal belongs to one chain (its id *and* its genesis block hash, so a devnet that was
reset, or another node with the same chain id, never sees it), one deployment (the
coordinator's address), one task and one account: a salt is only ever revealed where it
was committed. :func:`hold_account` keeps a second process from running the same account
in the same task (it would overwrite the salt of the first, who would then be slashed).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flchain.chain.connection import genesis_hash
from flchain.errors import ConfigError
from flchain.protocol.client import FLClient
from flchain.protocol.records import RoundId, TaskId

__all__ = [
    "ChainScope",
    "Journal",
    "PendingAttestation",
    "PendingUpdate",
    "chain_scope",
    "hold_account",
    "open_journal",
]


@dataclass(frozen=True)
class ChainScope:
    """Which chain and deployment a journal belongs to."""

    chain_id: int
    genesis_hash: str  # 0x-hex hash of block 0
    coordinator: str  # the FLCoordinator's address

    def prefix(self) -> str:
        """The directory-name prefix of this scope's journals."""
        genesis = self.genesis_hash.lower().removeprefix("0x")[:16]
        coordinator = self.coordinator.lower().removeprefix("0x")[:16]
        return f"chain{self.chain_id}-{genesis}-{coordinator}"


@dataclass(frozen=True)
class PendingUpdate:
    """An update committed (or about to be) in a round."""

    round: RoundId
    cid: str
    salt: bytes
    update_path: Path


@dataclass(frozen=True)
class PendingAttestation:
    """An attestation committed (or about to be) in a round: the result and its salt."""

    round: RoundId
    model_digest: bytes
    codec: int
    accepted_bitmap: int
    metrics_digest: bytes
    salt: bytes


class Journal:
    """The journal of one participant in one task, kept in ``directory``."""

    def __init__(
        self,
        directory: Path,
        chain_id: int,
        task_id: TaskId,
        address: str,
        *,
        scope: ChainScope | None = None,
    ) -> None:
        if scope is not None and scope.chain_id != chain_id:
            raise ConfigError(f"A journal for chain {chain_id} cannot use chain {scope.chain_id}.")
        prefix = scope.prefix() if scope is not None else f"chain{chain_id}"
        self.directory = journal_directory(directory, prefix, task_id, address)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._path = self.directory / "journal.json"
        self._attestations_path = self.directory / "attestations.json"

    def _read(self) -> dict[str, dict[str, str]]:
        if not self._path.is_file():
            return {}
        data: dict[str, dict[str, str]] = json.loads(self._path.read_text())
        return data

    def _write_atomic(self, path: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    def record(self, round_id: RoundId, cid: str, salt: bytes, update: bytes) -> PendingUpdate:
        """Remember a round's update before committing it."""
        update_path = self.directory / f"update-round{round_id}.bin"
        self._write_atomic(update_path, update)
        entries = self._read()
        entries[str(round_id)] = {"cid": cid, "salt": salt.hex(), "update": update_path.name}
        for old in [k for k in entries if int(k) < round_id - 2]:  # keep the journal small
            (self.directory / entries.pop(old)["update"]).unlink(missing_ok=True)
        self._write_atomic(self._path, json.dumps(entries, sort_keys=True).encode())
        return PendingUpdate(round_id, cid, salt, update_path)

    def pending(self, round_id: RoundId) -> PendingUpdate | None:
        """The update recorded for ``round_id``, if any."""
        entry = self._read().get(str(round_id))
        if entry is None:
            return None
        return PendingUpdate(
            round_id, entry["cid"], bytes.fromhex(entry["salt"]), self.directory / entry["update"]
        )

    def record_attestation(self, attestation: PendingAttestation) -> PendingAttestation:
        """Remember a round's attestation (result and salt) before committing it."""
        entries: dict[str, dict[str, str | int]] = {}
        if self._attestations_path.is_file():
            entries = json.loads(self._attestations_path.read_text())
        entries[str(attestation.round)] = {
            "model_digest": attestation.model_digest.hex(),
            "codec": attestation.codec,
            "accepted_bitmap": hex(attestation.accepted_bitmap),
            "metrics_digest": attestation.metrics_digest.hex(),
            "salt": attestation.salt.hex(),
        }
        for old in [k for k in entries if int(k) < attestation.round - 2]:  # keep it small
            entries.pop(old)
        data = json.dumps(entries, sort_keys=True).encode()
        self._write_atomic(self._attestations_path, data)
        return attestation

    def pending_attestation(self, round_id: RoundId) -> PendingAttestation | None:
        """The attestation recorded for ``round_id``, if any."""
        if not self._attestations_path.is_file():
            return None
        entry = json.loads(self._attestations_path.read_text()).get(str(round_id))
        if entry is None:
            return None
        return PendingAttestation(
            round_id,
            bytes.fromhex(entry["model_digest"]),
            int(entry["codec"]),
            int(entry["accepted_bitmap"], 16),
            bytes.fromhex(entry["metrics_digest"]),
            bytes.fromhex(entry["salt"]),
        )


def journal_directory(directory: Path, prefix: str, task_id: TaskId, address: str) -> Path:
    """Where the journal of ``address`` in ``task_id`` under the scope ``prefix`` lives."""
    return directory / f"{prefix}-task{task_id}-{address.lower()}"


@contextlib.contextmanager
def hold_account(
    directory: Path, scope: ChainScope, task_id: TaskId, address: str
) -> Iterator[None]:
    """Hold the lock of ``address`` in ``task_id`` while the block runs; ConfigError if
    another process holds it. The operating system releases it when the process dies."""
    lock_dir = journal_directory(directory, scope.prefix(), task_id, address)
    lock_dir.mkdir(parents=True, exist_ok=True)
    path = lock_dir / "lock"
    handle: IO[str] = path.open("a+")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise ConfigError(
                f"Account {address} already runs task {task_id} here ({holder}, lock {path}); "
                "stop that participant first: two would overwrite each other's salt and be slashed."
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock


def chain_scope(client: FLClient) -> ChainScope:
    """The scope of ``client``'s chain and deployment."""
    deployment = client.deployment
    return ChainScope(deployment.chain_id, genesis_hash(client.w3), deployment.coordinator)


def open_journal(directory: Path, client: FLClient, task_id: TaskId) -> Journal:
    """The journal of ``client``'s account in ``task_id`` on ``client``'s chain and deployment."""
    scope = chain_scope(client)
    return Journal(directory, scope.chain_id, task_id, client.address, scope=scope)
