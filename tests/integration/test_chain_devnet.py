"""The devnet process: start/stop, state file, persistence across restarts, reset, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.anvil import pid_alive
from flchain.chain.connection import connect
from flchain.chain.controls import increase_time, mine
from flchain.chain.devnet import (
    Devnet,
    devnet_status,
    read_devnet_info,
    reset_devnet,
    start_devnet,
    stop_devnet,
)
from flchain.chain.transactions import TxResult, TxSender
from flchain.errors import DevnetError

pytestmark = pytest.mark.integration


def _deploy_and_ping(rpc_url: str, artifact: dict[str, Any]) -> tuple[TxResult, TxResult]:
    w3 = connect(rpc_url, expected_chain_id=DEV_CHAIN_ID)
    sender = TxSender(w3, dev_signer(0, DEV_CHAIN_ID))
    deployed = sender.deploy(artifact["abi"], artifact["bytecode"])
    assert deployed.contract_address is not None
    probe = w3.eth.contract(address=deployed.contract_address, abi=artifact["abi"])
    return deployed, sender.transact(probe.functions.ping(42, "kept"))


def test_devnet_records_url_and_pid_while_running_when_used_as_context(tmp_path: Path) -> None:
    with Devnet(tmp_path) as devnet:
        record = json.loads((tmp_path / "devnet.json").read_text())
        answered = Web3(Web3.HTTPProvider(devnet.rpc_url)).eth.chain_id
        pid = devnet.pid

    assert record["rpc_url"].startswith("http://127.0.0.1:")
    assert record["pid"] == pid
    assert answered == DEV_CHAIN_ID
    assert not pid_alive(pid)
    assert not (tmp_path / "devnet.json").exists()


def test_chain_persists_when_devnet_restarts(
    tmp_path: Path, probe_artifact: dict[str, Any]
) -> None:
    with Devnet(tmp_path) as devnet:
        deployed, pinged = _deploy_and_ping(devnet.rpc_url, probe_artifact)

    with Devnet(tmp_path) as devnet:
        w3 = connect(devnet.rpc_url)
        assert deployed.contract_address is not None
        code = w3.eth.get_code(deployed.contract_address)
        receipt = w3.eth.get_transaction_receipt(pinged.tx_hash)
        probe = w3.eth.contract(address=deployed.contract_address, abi=probe_artifact["abi"])
        counter = probe.functions.counter().call()
        head = w3.eth.block_number

    assert code != b""
    assert receipt["blockNumber"] == pinged.block_number
    assert counter == 1
    assert head == pinged.block_number


def test_block_time_stays_monotonic_when_reloaded_after_time_was_increased(
    tmp_path: Path,
) -> None:
    with Devnet(tmp_path) as devnet:
        w3 = connect(devnet.rpc_url)
        increase_time(w3, 10_000)
        mine(w3)
        saved = w3.eth.get_block("latest")["timestamp"]

    with Devnet(tmp_path) as devnet:
        w3 = connect(devnet.rpc_url)
        mine(w3)
        after = w3.eth.get_block("latest")["timestamp"]

    assert saved < after <= saved + 60


def test_reset_deletes_chain_when_devnet_restarts(
    tmp_path: Path, probe_artifact: dict[str, Any]
) -> None:
    info = start_devnet(tmp_path)
    try:
        deployed, _ = _deploy_and_ping(info.rpc_url, probe_artifact)
    finally:
        stopped = reset_devnet(tmp_path)

    with Devnet(tmp_path) as devnet:
        w3 = connect(devnet.rpc_url)
        assert deployed.contract_address is not None
        code = w3.eth.get_code(deployed.contract_address)
        head = w3.eth.block_number

    assert stopped is not None
    assert stopped.pid == info.pid
    assert code == b""
    assert head == 0


def test_detached_devnet_reports_status_until_stopped(tmp_path: Path) -> None:
    info = start_devnet(tmp_path)
    try:
        running = devnet_status(tmp_path)
    finally:
        stopped = stop_devnet(tmp_path)
    after = devnet_status(tmp_path)

    assert running.running
    assert running.info == info
    assert running.block_number == 0
    assert stopped == info
    assert not after.running
    assert "no devnet is recorded" in after.detail
    assert not pid_alive(info.pid)
    assert (tmp_path / "state.json").is_file()


def test_start_refuses_when_devnet_already_runs_in_state_dir(tmp_path: Path) -> None:
    with Devnet(tmp_path), pytest.raises(DevnetError, match="already runs at"):
        Devnet(tmp_path).start()


def test_start_raises_with_stderr_tail_when_anvil_exits(tmp_path: Path) -> None:
    devnet = Devnet(tmp_path, extra_args=("--no-such-flag",))

    with pytest.raises(DevnetError, match="no-such-flag"):
        devnet.start()
    assert read_devnet_info(tmp_path) is None


def test_status_is_not_running_when_recorded_pid_is_dead(tmp_path: Path) -> None:
    with Devnet(tmp_path) as devnet:
        record = (tmp_path / "devnet.json").read_text()
        dead_pid = devnet.pid
    (tmp_path / "devnet.json").write_text(record)

    status = devnet_status(tmp_path)
    stopped = stop_devnet(tmp_path)

    assert not status.running
    assert f"pid {dead_pid}" in status.detail
    assert stopped is None
    assert not (tmp_path / "devnet.json").exists()
