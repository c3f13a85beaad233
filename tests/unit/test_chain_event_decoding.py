"""Event decoding and the pager's range halving, with a fake node (no chain)."""

from __future__ import annotations

from typing import Any, cast

import pytest
from eth_abi.abi import encode
from eth_utils.crypto import keccak
from web3 import Web3
from web3.exceptions import Web3RPCError

from flchain.chain.events import EventDecoder, LogPager
from flchain.errors import ChainError

ABI: list[dict[str, Any]] = [
    {
        "type": "event",
        "name": "Moved",
        "anonymous": False,
        "inputs": [
            {"name": "who", "type": "address", "indexed": True},
            {"name": "tag", "type": "string", "indexed": True},
            {"name": "amount", "type": "uint256", "indexed": False},
            {"name": "note", "type": "string", "indexed": False},
        ],
    }
]
TOPIC = keccak(text="Moved(address,string,uint256,string)")
WHO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def _log(block: int, index: int = 0) -> dict[str, Any]:
    return {
        "address": WHO,
        "topics": [TOPIC, bytes(12) + bytes.fromhex(WHO[2:]), keccak(text="t")],
        "data": encode(["uint256", "string"], [block, "n"]),
        "blockNumber": block,
        "logIndex": index,
        "transactionHash": bytes(32),
        "blockHash": bytes(32),
    }


class _FakeEth:
    """Serves one log per block; refuses ranges wider than ``limit`` like a capped provider."""

    def __init__(self, head: int, limit: int) -> None:
        self.block_number = head
        self.limit = limit
        self.ranges: list[tuple[int, int]] = []

    def get_logs(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        start, end = params["fromBlock"], params["toBlock"]
        self.ranges.append((start, end))
        if end - start + 1 > self.limit:
            response: Any = {
                "error": {"code": -32005, "message": "query returned more than 10000 results"}
            }
            raise Web3RPCError("too many", rpc_response=response)
        return [_log(b) for b in range(start, end + 1)]


class _FakeWeb3:
    def __init__(self, eth: _FakeEth) -> None:
        self.eth = eth


def test_decoder_returns_hash_for_indexed_string_and_values_for_the_rest() -> None:
    record = EventDecoder(ABI).decode(_log(5))

    assert record is not None
    assert record.args == {"who": WHO, "tag": keccak(text="t"), "amount": 5, "note": "n"}


def test_decoder_skips_log_when_topic_is_not_in_abi() -> None:
    log = _log(1) | {"topics": [keccak(text="Other()")]}

    assert EventDecoder(ABI).decode(log) is None


def test_decoder_refuses_event_names_missing_from_abi() -> None:
    with pytest.raises(ValueError, match="Nope"):
        EventDecoder(ABI, names=["Nope"])


def test_pager_halves_range_when_node_says_too_many_results() -> None:
    eth = _FakeEth(head=40, limit=5)
    pager = LogPager(cast(Web3, _FakeWeb3(eth)), ABI, address=WHO, from_block=1, max_range=16)

    blocks = [record.block_number for record in pager]

    assert blocks == list(range(1, 41))
    assert eth.ranges[:3] == [(1, 16), (1, 8), (1, 4)]
    assert pager.chunk == 4
    assert pager.next_block == 41


def test_pager_raises_with_resume_block_when_single_block_fails() -> None:
    eth = _FakeEth(head=3, limit=0)
    pager = LogPager(cast(Web3, _FakeWeb3(eth)), ABI, address=WHO, from_block=2, max_range=4)

    with pytest.raises(ChainError, match="resume from block 2"):
        list(pager)
