"""Deployment records cannot collide between two chains with the same chain id: a record
names its chain's genesis block, and a node with another genesis refuses it clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.connection import connect, genesis_hash
from flchain.chain.devnet import Devnet
from flchain.chain.transactions import TxSender
from flchain.errors import NotDeployedError
from flchain.protocol.deploy import deploy, load_deployment


def test_a_record_of_another_chain_with_the_same_id_is_refused(tmp_path: Path) -> None:
    # Two nodes with chain id 31337 (a genesis of another time: like a devnet started again).
    with Devnet() as first, Devnet(extra_args=("--timestamp", "1700000000")) as second:
        w3_first, w3_second = connect(first.rpc_url), connect(second.rpc_url)
        for w3, directory in ((w3_first, tmp_path / "a"), (w3_second, tmp_path / "b")):
            deploy(w3, TxSender(w3, dev_signer(0, DEV_CHAIN_ID)), directory=directory)
        same_addresses = (
            load_deployment(w3_first, tmp_path / "a").coordinator
            == load_deployment(w3_second, tmp_path / "b").coordinator
        )

        with pytest.raises(NotDeployedError, match="another chain with id 31337"):
            load_deployment(w3_second, tmp_path / "a")

    assert same_addresses  # why the chain id and the addresses alone could not tell them apart


def test_deploy_records_the_genesis_hash_of_its_chain(w3, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = deploy(w3, TxSender(w3, dev_signer(0, DEV_CHAIN_ID)), directory=tmp_path)

    record = json.loads(report.record_path.read_text())

    assert record["genesisHash"] == genesis_hash(w3)
