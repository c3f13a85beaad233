"""Development-chain controls (Anvil/Hardhat RPCs): move time, mine, snapshot, revert.

For demos and tests only: a production chain refuses these methods, which surfaces
here as ChainError naming the method.
"""

from __future__ import annotations

import logging

import requests
from web3 import Web3
from web3.exceptions import Web3Exception
from web3.types import RPCEndpoint

from flchain.chain.nonces import forget_nonces
from flchain.errors import ChainError, ChainUnavailableError

__all__ = ["increase_time", "mine", "revert", "set_next_block_timestamp", "snapshot"]

logger = logging.getLogger(__name__)


def _dev_rpc(w3: Web3, method: str, params: list[object]) -> object:
    try:
        response = w3.provider.make_request(RPCEndpoint(method), params)
    except (requests.ConnectionError, requests.Timeout, ConnectionError) as exc:
        raise ChainUnavailableError(
            f"{method} failed: the node does not answer ({exc}); is the devnet running?"
        ) from exc
    except Web3Exception as exc:
        raise ChainError(f"{method} failed: {exc}.") from exc
    if "error" in response:
        raise ChainError(
            f"{method} failed: {response['error']}; this node may not support devnet "
            "controls (Anvil and Hardhat do)."
        )
    return response.get("result")


def increase_time(w3: Web3, seconds: int) -> None:
    """Move the chain clock forward by ``seconds`` for the next block (``evm_increaseTime``)."""
    if seconds < 0:
        raise ValueError(f"seconds must be >= 0, got {seconds}")
    _dev_rpc(w3, "evm_increaseTime", [seconds])
    logger.debug("Chain time increased by %ss", seconds)


def set_next_block_timestamp(w3: Web3, timestamp: int) -> None:
    """Give the next block exactly this timestamp (``evm_setNextBlockTimestamp``)."""
    _dev_rpc(w3, "evm_setNextBlockTimestamp", [timestamp])


def mine(w3: Web3, blocks: int = 1) -> int:
    """Mine ``blocks`` blocks now (``evm_mine``); returns the new head's number."""
    for _ in range(blocks):
        _dev_rpc(w3, "evm_mine", [])
    return int(w3.eth.block_number)


def snapshot(w3: Web3) -> str:
    """Snapshot the chain state (``evm_snapshot``); returns the id to :func:`revert` to."""
    return str(_dev_rpc(w3, "evm_snapshot", []))


def revert(w3: Web3, snapshot_id: str) -> None:
    """Return the chain to a snapshot (``evm_revert``); the snapshot is consumed.

    Also forgets locally counted nonces for this endpoint: after a revert they are too high.
    """
    reverted = _dev_rpc(w3, "evm_revert", [snapshot_id])
    forget_nonces(w3)
    if reverted is not True:
        raise ChainError(
            f"evm_revert to snapshot {snapshot_id} failed (the node answered {reverted!r}); "
            "a snapshot can be reverted to once: take a new one."
        )
