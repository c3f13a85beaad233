"""A Hardhat 3 node (EDR) on a free loopback port, for tests that must run on a second EVM
implementation besides Anvil (its limits differ: e.g. ``eth_call`` gas is capped at 2**24)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def answers(url: str) -> bool:
    """Whether a node answers ``eth_chainId`` at ``url``."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
    request = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=1) as reply:
            return bool(json.loads(reply.read()).get("result"))
    except OSError:
        return False


def free_port() -> int:
    """A loopback port nobody listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def hardhat_node(log_path: Path) -> Iterator[str]:
    """Start `hardhat node` (its output to ``log_path``), yield its RPC URL, stop it."""
    port = free_port()
    env = {**os.environ, "PATH": f"{PROJECT / 'node_modules' / '.bin'}:{os.environ['PATH']}"}
    log = log_path.open("wb")
    node = subprocess.Popen(
        ["hardhat", "node", "--hostname", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        limit = time.monotonic() + 120
        while not answers(url):
            assert node.poll() is None, log_path.read_text()[-2000:]
            assert time.monotonic() < limit, "the Hardhat node did not answer"
            time.sleep(0.5)
        yield url
    finally:
        node.terminate()
        try:
            node.wait(timeout=20)
        except subprocess.TimeoutExpired:
            node.kill()
            node.wait()
        log.close()
