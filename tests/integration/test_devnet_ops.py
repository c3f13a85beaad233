"""The devnet as operators use it: a busy port is named (and reset is not suggested), interval
mining moves the clock on its own, `devnet mine` and `devnet warp` drive blocks and time."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flchain.chain.connection import connect
from flchain.chain.devnet import Devnet
from flchain.errors import DevnetError


def test_start_names_the_busy_port_and_never_suggests_reset(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        (tmp_path / "state.json").write_text("{}")  # a saved chain: the old hint named reset

        with pytest.raises(DevnetError) as caught:
            Devnet(tmp_path, port=port).start()

    message = str(caught.value)
    assert f"Port {port} on 127.0.0.1 is in use" in message
    assert "reset" not in message


def test_block_time_mines_blocks_without_transactions(tmp_path: Path) -> None:
    with Devnet(tmp_path, block_time=0.2) as devnet:
        w3 = connect(devnet.rpc_url)
        start = w3.eth.block_number
        deadline = time.monotonic() + 30  # a generous bound on waiting, not a measurement
        while w3.eth.block_number < start + 2 and time.monotonic() < deadline:
            time.sleep(0.1)

        assert w3.eth.block_number >= start + 2


def _flchain(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "flchain", *args], capture_output=True, text=True, env=env
    )


def test_devnet_mine_and_warp_move_blocks_and_clock(tmp_path: Path) -> None:
    with Devnet(tmp_path) as devnet:
        w3 = connect(devnet.rpc_url)
        head = w3.eth.block_number
        before = int(w3.eth.get_block("latest")["timestamp"])

        mined = _flchain("devnet", "mine", "3", "--rpc", devnet.rpc_url)
        warped = _flchain("devnet", "warp", "5000", "--rpc", devnet.rpc_url)

        assert mined.returncode == 0, mined.stderr
        assert warped.returncode == 0, warped.stderr
        assert w3.eth.block_number == head + 4
        assert int(w3.eth.get_block("latest")["timestamp"]) >= before + 5000
