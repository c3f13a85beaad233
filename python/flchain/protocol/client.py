"""The typed Python API over flchain's contracts: one object per (chain, account).

Writes go through :class:`flchain.chain.transactions.TxSender` (EIP-1559 fees, a nonce
manager safe under threads, receipts with timeout, custom errors decoded). Reads return the
frozen dataclasses of :mod:`flchain.protocol.records`, never raw tuples.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from flchain.chain.account_lock import account_lock
from flchain.chain.events import EventRecord
from flchain.chain.revert import RevertDecoder
from flchain.chain.transactions import TxResult, TxSender
from flchain.errors import ContractRevertError, StakeUnbondingError
from flchain.protocol.artifacts import load_artifact
from flchain.protocol.commitments import compute_attestation_commitment, compute_commitment
from flchain.protocol.contract_client import ContractClient, require_code
from flchain.protocol.deployment import Deployment
from flchain.protocol.records import (
    MemberInfo,
    ModelRecord,
    RoundId,
    RoundInfo,
    RoundPhase,
    TaskConfig,
    TaskId,
    TaskInfo,
)
from flchain.protocol.round_events import (
    Attestation,
    Revealed,
    attestations_from_logs,
    revealed_from_logs,
)

__all__ = ["Attestation", "FLClient", "Revealed"]

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: Upper bound for ``attest`` (about 64k gas, 110k when it reaches the quorum); unused gas is refunded.
ATTEST_GAS_LIMIT = 200_000


class FLClient(ContractClient):
    """flchain's contracts seen by one account (``sender``; None for read-only use): the
    coordinator (this client's contract), the model registry and the stake token."""

    def __init__(self, w3: Web3, deployment: Deployment, sender: TxSender | None = None) -> None:
        # One decoder knowing every error the coordinator may bubble up (registry, token).
        super().__init__(
            w3, "FLCoordinator", deployment.coordinator, sender,
            error_sources=("ModelRegistry", "FLDevToken"), chain_id=deployment.chain_id,
        )  # fmt: skip
        self.deployment = deployment
        self.coordinator: Contract = self.contract
        self.registry: Contract = w3.eth.contract(
            address=Web3.to_checksum_address(deployment.registry),
            abi=load_artifact("ModelRegistry").abi,
        )
        self._token_abi = load_artifact("FLDevToken").abi
        require_code(w3, "ModelRegistry", deployment.registry, deployment.chain_id)

    # ------------------------------------------------------------------ plumbing

    @property
    def address(self) -> str:
        """The sending account's address."""
        return self.account

    @property
    def sender(self) -> TxSender:
        """The account's transaction sender (ChainError for a read-only client)."""
        return self._require_sender()

    def read(self, fn: Callable[[], T], decoder: RevertDecoder | None = None) -> T:
        """Run a contract read with the client's error mapping: a dead node becomes
        ChainUnavailableError, a custom error (decoded with ``decoder``, default the
        coordinator's) its ContractRevertError."""
        return self._call(fn, decoder)

    def _events(self, event: Any, result: TxResult) -> list[Any]:
        return list(event.process_receipt({"logs": result.logs}, errors=DISCARD))

    def token(self, address: str | None = None) -> Contract:
        """An ERC-20 contract object (the deployment's dev token by default)."""
        return self.w3.eth.contract(
            address=Web3.to_checksum_address(address or self.deployment.token), abi=self._token_abi
        )

    def token_decimals(self, address: str | None = None) -> int:
        """The ERC-20 token's ``decimals()`` (the deployment's dev token by default)."""
        erc20 = self.token(address)
        return self._call(lambda: int(erc20.functions.decimals().call()))

    @contextmanager
    def _allowance(self, token: str, amount: int) -> Iterator[None]:
        """Approve ``amount`` if the allowance is short, and keep this account's lock until the
        body (the transaction spending it) is done: processes of one account approving for
        different tasks at once cannot overwrite each other's approval."""
        with account_lock(self.deployment.chain_id, self.address):
            erc20 = self.token(token)
            allowance = self._call(
                lambda: int(
                    erc20.functions.allowance(self.address, self.deployment.coordinator).call()
                )
            )
            if allowance < amount:
                self._send(erc20.functions.approve(self.deployment.coordinator, amount))
            yield

    # ------------------------------------------------------------------ tasks and membership

    def create_task(self, config: TaskConfig) -> tuple[TaskId, TxResult]:
        """Create a task (approving its reward escrow first); returns its id."""
        with self._allowance(config.token, config.escrow):
            result = self._send(self.coordinator.functions.createTask(config.as_tuple()))
        events = self._events(self.coordinator.events.TaskCreated(), result)
        task_id = TaskId(int(events[0]["args"]["taskId"]))
        logger.info("Task %s created (tx %s)", task_id, result.tx_hash)
        return task_id, result

    def join(self, task_id: TaskId, stake: int, encryption_key: bytes = bytes(32)) -> TxResult:
        """Join a task with ``stake`` (approving it first)."""
        task = self.task(task_id)
        with self._allowance(task.token, stake):
            return self._send(self.coordinator.functions.join(task_id, stake, encryption_key))

    def set_encryption_key(self, task_id: TaskId, encryption_key: bytes) -> TxResult:
        """Replace this member's X25519 public key."""
        return self._send(self.coordinator.functions.setEncryptionKey(task_id, encryption_key))

    def leave(self, task_id: TaskId) -> TxResult:
        """Leave the task and take back stake and rewards.

        A bonded stake unbonds first (``unbond``: it leaves every later quorum base); it may leave
        ``UNBONDING_ROUNDS`` rounds later. While it still unbonds this raises StakeUnbondingError,
        which says when to call again. The contract decides (its reverts are the source of truth).
        """
        try:
            return self._send(self.coordinator.functions.leave(task_id))
        except ContractRevertError as exc:
            refusal = exc
        if refusal.error_name == "MemberStakeBonded":
            self.unbond(task_id)
            try:
                return self._send(self.coordinator.functions.leave(task_id))
            except ContractRevertError as exc:
                refusal = exc
        if refusal.error_name == "MemberStillUnbonding":
            args = refusal.error_args
            leave_round, leave_time = cast(int, args["leaveRound"]), cast(int, args["leaveTime"])
            raise StakeUnbondingError(task_id, leave_round, leave_time) from refusal
        raise refusal

    def unbonding_last_round(self, task_id: TaskId, participant: str) -> int:
        """The last round whose quorum base counts an unbonding member (0 when not unbonding
        or when no round is left to it)."""
        last, _, _ = self.coordinator.functions.getUnbonding(task_id, participant).call()
        return int(last)

    def unbond(self, task_id: TaskId) -> TxResult:
        """Start unbonding this member's stake (it counts in no later quorum base)."""
        result = self._send(self.coordinator.functions.unbond(task_id))
        logger.info("Unbonding from task %s (tx %s)", task_id, result.tx_hash)
        return result

    def close_task(self, task_id: TaskId) -> TxResult:
        """Close a task (owner) and take back the unspent reward pool."""
        return self._send(self.coordinator.functions.closeTask(task_id))

    # ------------------------------------------------------------------ rounds

    def start_round(self, task_id: TaskId) -> tuple[RoundId, TxResult]:
        """Open the task's next round."""
        result = self._send(self.coordinator.functions.startRound(task_id))
        events = self._events(self.coordinator.events.RoundStarted(), result)
        return RoundId(int(events[0]["args"]["round"])), result

    def commitment(
        self, task_id: TaskId, round_id: RoundId, cid_digest: bytes, codec: int, salt: bytes
    ) -> bytes:
        """The commitment this account sends for an update."""
        return compute_commitment(
            cid_digest,
            codec,
            salt,
            self.address,
            task_id,
            round_id,
            self.deployment.chain_id,
            self.deployment.coordinator,
        )

    def commit(
        self, task_id: TaskId, round_id: RoundId, cid_digest: bytes, codec: int, salt: bytes
    ) -> TxResult:
        """Commit an update's CID (hidden by ``salt``) in ``round_id``."""
        commitment = self.commitment(task_id, round_id, cid_digest, codec, salt)
        return self._send(self.coordinator.functions.commit(task_id, round_id, commitment))

    def reveal(
        self, task_id: TaskId, round_id: RoundId, cid_digest: bytes, codec: int, salt: bytes
    ) -> TxResult:
        """Reveal the update committed in ``round_id``."""
        return self._send(
            self.coordinator.functions.reveal(task_id, round_id, cid_digest, codec, salt)
        )

    def attestation_commitment(
        self,
        task_id: TaskId,
        round_id: RoundId,
        model_digest: bytes,
        codec: int,
        accepted_bitmap: int,
        metrics_digest: bytes,
        salt: bytes,
    ) -> bytes:
        """The commitment this account sends for an attestation (computed locally: the result
        must not leave this process before its reveal, not even to the RPC node)."""
        return compute_attestation_commitment(
            model_digest,
            codec,
            accepted_bitmap,
            metrics_digest,
            salt,
            self.address,
            task_id,
            round_id,
            self.deployment.chain_id,
            self.deployment.coordinator,
        )

    def commit_attestation(
        self,
        task_id: TaskId,
        round_id: RoundId,
        model_digest: bytes,
        codec: int,
        accepted_bitmap: int,
        metrics_digest: bytes,
        salt: bytes,
    ) -> TxResult:
        """Commit an attestation of a result (hidden by ``salt``) in the attest-commit half of
        ``round_id``'s attest window; it counts only once revealed."""
        commitment = self.attestation_commitment(
            task_id, round_id, model_digest, codec, accepted_bitmap, metrics_digest, salt
        )
        return self._send(
            self.coordinator.functions.commitAttestation(task_id, round_id, commitment)
        )

    def reveal_attestation(
        self,
        task_id: TaskId,
        round_id: RoundId,
        model_digest: bytes,
        codec: int,
        accepted_bitmap: int,
        metrics_digest: bytes,
        salt: bytes,
    ) -> tuple[TxResult, bool]:
        """Reveal the attestation committed in ``round_id`` (attest-reveal half); returns
        whether it brought the round to quorum."""
        # A fixed limit, not an estimate: whether this attestation is the one that reaches the
        # quorum (and pays for recording it) depends on the attestations mined before it.
        result = self._send(
            self.coordinator.functions.revealAttestation(
                task_id, round_id, model_digest, codec, accepted_bitmap, metrics_digest, salt
            ),
            gas=ATTEST_GAS_LIMIT,
        )
        quorum = bool(self._events(self.coordinator.events.QuorumReached(), result))
        return result, quorum

    def finalize_round(
        self,
        task_id: TaskId,
        model_digest: bytes,
        codec: int,
        accepted_bitmap: int,
        metrics_digest: bytes,
    ) -> TxResult:
        """Finalize the round with the result that reached the quorum."""
        return self._send(
            self.coordinator.functions.finalizeRound(
                task_id, model_digest, codec, accepted_bitmap, metrics_digest
            )
        )

    def settle(self, task_id: TaskId, participant: str) -> TxResult:
        """Apply the outcome of ``participant``'s last decided round."""
        return self._send(
            self.coordinator.functions.settle(task_id, Web3.to_checksum_address(participant))
        )

    def claim(self, task_id: TaskId) -> TxResult:
        """Claim this account's rewards."""
        return self._send(self.coordinator.functions.claim(task_id))

    # ------------------------------------------------------------------ reads
    def task_count(self) -> int:
        """Number of tasks (ids 1..task_count())."""
        return self._call(lambda: int(self.coordinator.functions.taskCount().call()))

    def task(self, task_id: TaskId) -> TaskInfo:
        """A task; ContractRevertError(TaskNotFound) if there is none."""
        raw = self._call(lambda: self.coordinator.functions.getTask(task_id).call())
        return TaskInfo.from_abi(task_id, raw)

    def tasks(self) -> Iterator[TaskInfo]:
        """Every task, oldest first."""
        for task_id in range(1, self.task_count() + 1):
            yield self.task(TaskId(task_id))

    def round(self, task_id: TaskId, round_id: RoundId) -> RoundInfo:
        """A round with its current phase."""
        raw = self._call(lambda: self.coordinator.functions.getRound(task_id, round_id).call())
        phase = self._call(lambda: self.coordinator.functions.roundPhase(task_id, round_id).call())
        return RoundInfo.from_abi(task_id, round_id, raw, phase)

    def phase(self, task_id: TaskId, round_id: RoundId) -> RoundPhase:
        """The phase of a round at the latest block."""
        return RoundPhase(
            self._call(lambda: self.coordinator.functions.roundPhase(task_id, round_id).call())
        )

    def member(self, task_id: TaskId, participant: str) -> MemberInfo:
        """A member of a task (``joined`` is False if the address is not one)."""
        address = Web3.to_checksum_address(participant)
        raw = self._call(lambda: self.coordinator.functions.getMember(task_id, address).call())
        return MemberInfo.from_abi(address, raw)

    def model_at(self, task_id: TaskId, round_id: RoundId) -> ModelRecord:
        """The registry's model of ``round_id`` (0: the initial model)."""
        raw = self._call(lambda: self.registry.functions.modelAt(task_id, round_id).call())
        return ModelRecord.from_abi(task_id, raw)

    def latest_model(self, task_id: TaskId) -> ModelRecord:
        """The newest model of a task."""
        raw = self._call(lambda: self.registry.functions.latestModel(task_id).call())
        return ModelRecord.from_abi(task_id, raw)

    def models(self, task_id: TaskId, page_size: int = 100) -> list[ModelRecord]:
        """Every model of a task, oldest first, read page by page."""
        count = self._call(lambda: int(self.registry.functions.modelCount(task_id).call()))
        records: list[ModelRecord] = []
        for offset in range(0, count, page_size):
            page: list[Any] = self._call(
                lambda o=offset: list(
                    self.registry.functions.listModels(task_id, o, page_size).call()
                )  # type: ignore[misc]
            )
            records.extend(ModelRecord.from_abi(task_id, raw) for raw in page)
        return records

    def revealed_updates(
        self, task_id: TaskId, round_id: RoundId, from_block: int | None = None
    ) -> list[Revealed]:
        """The updates revealed in a round, ordered by reveal index."""
        return revealed_from_logs(self._logs("UpdateRevealed", task_id, round_id, from_block))

    def attested_results(
        self, task_id: TaskId, round_id: RoundId, from_block: int | None = None
    ) -> list[Attestation]:
        """The attestations of a round, in chain order."""
        return attestations_from_logs(self._logs("ResultAttested", task_id, round_id, from_block))

    def task_events(
        self, events: Sequence[str], *topics: int, from_block: int | None = None
    ) -> list[EventRecord]:
        """The coordinator's ``events`` whose leading indexed arguments are ``topics`` (a task
        id, then a round), oldest first, read page by page from ``from_block`` (default: the
        deployment block). ValueError names an event this deployment's ABI lacks."""
        start = from_block if from_block is not None else self.deployment.start_block
        return list(self._pager(events, start, topics))

    def _logs(
        self, event: str, task_id: TaskId, round_id: RoundId, from_block: int | None
    ) -> list[EventRecord]:
        """``event`` logs of one round, read page by page from the deployment block on."""
        return self.task_events([event], task_id, round_id, from_block=from_block)


def is_revert(exc: BaseException, name: str) -> bool:
    """Whether ``exc`` is the contract's custom error ``name``."""
    return isinstance(exc, ContractRevertError) and exc.error_name == name
