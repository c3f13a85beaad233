"""Paged, resumable event reading against a real Anvil."""

from __future__ import annotations

from typing import Any

import pytest
from web3 import Web3
from web3.contract import Contract

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.events import EventRecord, LogPager, decode_logs
from flchain.chain.transactions import TxSender

pytestmark = pytest.mark.integration


def _emit(w3: Web3, probe: Contract, txs: int, per_tx: int) -> int:
    """Send ``txs`` transactions (one block each) emitting ``per_tx`` events; first block."""
    sender = TxSender(w3, dev_signer(0, DEV_CHAIN_ID))
    first = sender.transact(probe.functions.pingMany(per_tx)).block_number
    for _ in range(txs - 1):
        sender.transact(probe.functions.pingMany(per_tx))
    return first


def test_pager_reads_every_log_in_order_when_range_spans_many_chunks(
    w3: Web3, probe: Contract, probe_artifact: dict[str, Any]
) -> None:
    first = _emit(w3, probe, txs=60, per_tx=5)

    pager = LogPager(
        w3, probe_artifact["abi"], address=probe.address, from_block=first, max_range=7
    )
    records = list(pager)

    assert len(records) == 300
    assert [r.args["seq"] for r in records] == list(range(1, 301))
    assert len({r.block_number for r in records}) == 60
    assert pager.next_block == w3.eth.block_number + 1


def test_pager_resumes_from_cursor_without_losing_logs_when_reader_stops_early(
    w3: Web3, probe: Contract, probe_artifact: dict[str, Any]
) -> None:
    first = _emit(w3, probe, txs=20, per_tx=3)
    abi = probe_artifact["abi"]
    pager = LogPager(w3, abi, address=probe.address, from_block=first, max_range=4)
    seen: dict[tuple[int, int], EventRecord] = {}
    for record in pager:
        seen[(record.block_number, record.log_index)] = record
        if len(seen) == 25:
            break

    resumed = LogPager(w3, abi, address=probe.address, from_block=pager.next_block, max_range=4)
    for record in resumed:
        seen[(record.block_number, record.log_index)] = record

    assert sorted(r.args["seq"] for r in seen.values()) == list(range(1, 61))


def test_decode_logs_gives_named_args_when_given_receipt_logs(
    w3: Web3, probe: Contract, probe_artifact: dict[str, Any]
) -> None:
    sender = TxSender(w3, dev_signer(1, DEV_CHAIN_ID))
    result = sender.transact(probe.functions.ping(99, "note"))

    (record,) = decode_logs(probe_artifact["abi"], result.logs)

    assert record.event == "Pinged"
    assert record.args == {"sender": sender.address, "seq": 1, "value": 99, "note": "note"}
    assert record.tx_hash == result.tx_hash
    assert record.address == probe.address


def test_pager_filters_indexed_argument_when_extra_topic_given(
    w3: Web3, probe: Contract, probe_artifact: dict[str, Any]
) -> None:
    one, two = (TxSender(w3, dev_signer(i, DEV_CHAIN_ID)) for i in (1, 2))
    for sender in (one, two, one):
        sender.transact(probe.functions.ping(1, ""))
    sender_topic = "0x" + bytes(12).hex() + two.address[2:].lower()

    records = list(
        LogPager(w3, probe_artifact["abi"], address=probe.address, extra_topics=[sender_topic])
    )

    assert [r.args["sender"] for r in records] == [two.address]
