"""Shard draws seen from both sides: a member requests and waits for its assignment; the
task owner closes a draw once its members have requested. Either side fixes a draw as soon
as its target block is mined, and renews it if nobody did within the blockhash window.

A closed draw waits for its target block to be mined. A public chain mines it anyway;
Anvil mines only on transactions, so on the devnet :func:`devnet_miner` mines the one or two
blocks a closed draw waits for (and nothing while a draw is open: time does not run ahead).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from web3 import Web3

from flchain.chain.accounts import DEV_CHAIN_ID
from flchain.chain.controls import mine
from flchain.errors import ChainError, ConfigError, ContractRevertError
from flchain.fl import ArrayDataset, ModelSpec
from flchain.protocol.client import FLClient
from flchain.protocol.dataset_records import (
    BLOCKHASH_WINDOW,
    DrawInfo,
    ShardAssignmentInfo,
    TaskDatasetLink,
)
from flchain.protocol.datasets_registry import DatasetRegistryClient
from flchain.protocol.records import TaskId
from flchain.protocol.session import Session
from flchain.roles.data.shard_fetch import FetchedShard, fetch_shards, shards_dataset
from flchain.storage.store import Store

__all__ = [
    "AssignedData",
    "await_assignment",
    "check_fits_model",
    "close_draw_when_full",
    "devnet_miner",
    "linked_dataset",
    "load_assigned_data",
    "load_onchain_training_data",
    "settle_draw",
]

logger = logging.getLogger(__name__)

# Reverts meaning another party made the same move first, or the window closed while the
# transaction was on its way (a fix mined one block too late: the next step renews): not failures.
_RACES = {
    "DatasetDrawAlreadyFixed",
    "DatasetDrawExpired",
    "DatasetDrawNotExpired",
    "DatasetDrawPending",
}


@dataclass(frozen=True)
class AssignedData:
    """A member's assignment, its verified shards and their samples."""

    assignment: ShardAssignmentInfo
    shards: list[FetchedShard]
    data: ArrayDataset


def devnet_miner(w3: Web3) -> Callable[[], None]:
    """On the devnet (chain 31337): a function mining one block; elsewhere one doing nothing."""
    if int(w3.eth.chain_id) != DEV_CHAIN_ID:
        return lambda: None

    def mine_one() -> None:
        mine(w3)

    return mine_one


def linked_dataset(registry: DatasetRegistryClient, task_id: TaskId) -> TaskDatasetLink:
    """The task's link, or ConfigError if it trains on no registered dataset."""
    link = registry.task_dataset(task_id)
    if not link.linked:
        raise ConfigError(
            f"Task {task_id} is linked to no registered dataset; its owner links one with "
            "`flchain data link`, or train on your own data (--data digits|FILE)."
        )
    return link


def settle_draw(registry: DatasetRegistryClient, draw: DrawInfo) -> bool:
    """One step towards fixing a closed draw: fix it if its target block is mined and within
    the window, renew it if expired. Returns whether it is fixed now."""
    if draw.fixed:
        return True
    if draw.target_block == 0:
        return False
    block = int(registry.w3.eth.block_number)
    try:
        if draw.expired(block):
            registry.renew_draw(draw.task_id, draw.draw)
            logger.warning("Task %s draw %s expired unused; renewed", draw.task_id, draw.draw)
        elif block > draw.target_block:
            registry.fix_draw(draw.task_id, draw.draw)
            logger.info("Task %s draw %s fixed", draw.task_id, draw.draw)
            return True
    except ContractRevertError as exc:
        if exc.error_name not in _RACES:
            raise
    return registry.draw(draw.task_id, draw.draw).fixed


def await_assignment(
    registry: DatasetRegistryClient,
    task_id: TaskId,
    member: str,
    *,
    timeout: float = 600.0,
    poll: float = 0.2,
    advance: Callable[[], None] = lambda: None,
) -> ShardAssignmentInfo:
    """``member``'s assignment once its draw is fixed; fixes (or renews) the draw itself when it
    can, and closes it if the owner left it open for the blockhash window. ``advance`` is
    called while the closed draw waits for its target block (see :func:`devnet_miner`)."""
    deadline = time.monotonic() + timeout
    while True:
        ticket = registry.ticket_of(task_id, member)
        if ticket.draw == 0:
            raise ConfigError(f"{member} has not requested shards of task {task_id}.")
        draw = registry.draw(task_id, ticket.draw)
        if settle_draw(registry, draw):
            return registry.assignment_of(task_id, member)
        if draw.target_block == 0:
            _close_if_public(registry, draw)
        else:
            advance()
        if time.monotonic() > deadline:
            raise ChainError(
                f"Draw {draw.draw} of task {task_id} was not fixed within {timeout:.0f} s "
                f"(target block {draw.target_block or 'not set: the owner has not closed it'}); "
                "retry later: the assignment does not change by waiting."
            )
        time.sleep(poll)


def _close_if_public(registry: DatasetRegistryClient, draw: DrawInfo) -> None:
    if int(registry.w3.eth.block_number) >= draw.opened_block + BLOCKHASH_WINDOW:
        try:
            registry.close_draw(draw.task_id)
        except ContractRevertError as exc:
            if exc.error_name not in ("DatasetDrawEmpty", "DatasetDrawCloseTooEarly"):
                raise


def close_draw_when_full(
    registry: DatasetRegistryClient,
    task_id: TaskId,
    tickets: int,
    *,
    timeout: float = 600.0,
    poll: float = 0.2,
    advance: Callable[[], None] = lambda: None,
) -> DrawInfo:
    """The owner's side: wait until the open draw holds ``tickets`` tickets, close it, and see it
    fixed (``advance`` as in :func:`await_assignment`). Returns the fixed draw. If another party
    closes the watched draw first (a member may, once the blockhash window has passed), that
    draw is the one seen fixed, whatever its number of tickets."""
    deadline = time.monotonic() + timeout
    watched = linked_dataset(registry, task_id).current_draw
    closed: int | None = None
    while closed is None:
        if linked_dataset(registry, task_id).current_draw != watched:
            closed = watched  # closed by someone else
            continue
        held = registry.draw(task_id, watched).tickets
        if held >= tickets:
            try:
                closed, _ = registry.close_draw(task_id)
            except ContractRevertError as exc:
                if exc.error_name != "DatasetDrawEmpty":
                    raise
                # Closed by someone else between the read and the transaction: look again.
            continue
        if time.monotonic() > deadline:
            raise ChainError(
                f"Only {held} of {tickets} members requested shards of task {task_id} within "
                f"{timeout:.0f} s; the draw stays open."
            )
        time.sleep(poll)
    while not settle_draw(registry, registry.draw(task_id, closed)):
        if time.monotonic() > deadline:
            raise ChainError(
                f"Draw {closed} of task {task_id} was not fixed within {timeout:.0f} s."
            )
        advance()
        time.sleep(poll)
    return registry.draw(task_id, closed)


def load_assigned_data(
    client: FLClient,
    registry: DatasetRegistryClient,
    store: Store,
    task_id: TaskId,
    *,
    stake: int | None = None,
    timeout: float = 600.0,
    advance: Callable[[], None] = lambda: None,
) -> AssignedData:
    """A participant's training data from the chain: join the task if needed, request shards,
    wait for the draw, then fetch and verify the assigned shards."""
    linked_dataset(registry, task_id)
    member = client.address
    if not client.member(task_id, member).joined:
        client.join(task_id, stake or client.task(task_id).min_stake)
    if registry.ticket_of(task_id, member).draw == 0:
        ticket, _ = registry.request_shards(task_id)
        logger.info("Task %s: ticket %s of draw %s", task_id, ticket.number, ticket.draw)
    assignment = await_assignment(registry, task_id, member, timeout=timeout, advance=advance)
    shards = fetch_shards(registry, store, assignment.dataset_id, assignment.indices)
    data = shards_dataset(shards)
    logger.info(
        "Task %s: shards %s of dataset %s (%s samples), verified",
        task_id, assignment.indices, assignment.dataset_id, len(data),
    )  # fmt: skip
    return AssignedData(assignment, shards, data)


def load_onchain_training_data(
    rpc_url: str | None,
    account: str,
    store: Store,
    task_id: TaskId,
    *,
    stake: int | None = None,
    model: ModelSpec | None = None,
    timeout: float = 600.0,
) -> ArrayDataset:
    """``flchain participant run --data onchain``: :func:`load_assigned_data` for ``account``
    on the chain at ``rpc_url``; on the devnet it mines the blocks its draw waits for. With
    ``model`` (the task's), shards it cannot train on are refused (:func:`check_fits_model`)."""
    session = Session.open(rpc_url, account)
    client, registry = session.client, session.datasets
    assigned = load_assigned_data(
        client, registry, store, task_id, stake=stake, timeout=timeout,
        advance=devnet_miner(client.w3),
    )  # fmt: skip
    if model is not None:
        check_fits_model(assigned.data, model, assigned.assignment.dataset_id, task_id)
    return assigned.data


def check_fits_model(
    data: ArrayDataset, model: ModelSpec, dataset_id: int, task_id: TaskId
) -> None:
    """ConfigError unless ``data`` (shards of ``dataset_id``) has the sample shape ``model``
    takes and labels in ``[0, num_classes)``: anyone registers datasets, and a task linked to
    one it cannot train on must fail with a reason, not inside torch."""
    if data.sample_shape != tuple(model.input_shape):
        raise ConfigError(
            f"Dataset {dataset_id} holds samples of shape {data.sample_shape}, but task "
            f"{task_id}'s model takes {tuple(model.input_shape)}; the task is linked to a "
            "dataset it cannot train on."
        )
    if len(data.labels) and (data.labels.min() < 0 or data.labels.max() >= model.num_classes):
        raise ConfigError(
            f"Dataset {dataset_id} holds labels from {int(data.labels.min())} to "
            f"{int(data.labels.max())}, but task {task_id}'s model has {model.num_classes} "
            f"classes (labels 0 to {model.num_classes - 1}); the task is linked to a dataset "
            "it cannot train on."
        )
