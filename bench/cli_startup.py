"""CLI start-up figures: `flchain --help` and `flchain registry tasks` wall time.

Two baselines, measured in the same run:
- importing every command module up front (what `flchain` did before commands were loaded
  lazily), for `--help`;
- listing the tasks through the web3 client (`open_client` + `list_tasks`: web3, and torch
  through the command's imports before they were lazy), for `registry tasks`, which now
  reads over plain JSON-RPC.
Prints, never asserts.

Run: ``.venv/bin/python bench/cli_startup.py [REPEATS]`` (default 5; median of the runs).
`registry tasks` runs against a fresh devnet with flchain deployed and two tasks created.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.connection import connect
from flchain.chain.devnet import Devnet
from flchain.chain.transactions import TxSender
from flchain.protocol.client import FLClient
from flchain.protocol.deploy import deploy
from flchain.roles.owner import create_task
from flchain.roles.taskfile import parse_task_file
from flchain.storage.local import LocalStore

EAGER = (
    "import flchain.cli.main, flchain.cli.data, flchain.cli.demo, flchain.cli.deploy, "
    "flchain.cli.devnet, flchain.cli.inference, flchain.cli.ipfs, flchain.cli.participant, "
    "flchain.cli.registry, flchain.cli.task, flchain.cli.verify"
)
WEB3_TASKS = (
    "import torch, json, dataclasses; "  # the old command module imported torch
    "from flchain.protocol.session import open_client; "
    "from flchain.roles.task_view import list_tasks; "
    "print(json.dumps([dataclasses.asdict(r) for r in list_tasks(open_client())]))"
)
TASK = {
    "task": {"name": "bench", "rounds": 2, "rule": "fedavg"},
    "model": {"family": "mlp", "hidden_sizes": [4]},
}


def _median_seconds(command: list[str], env: dict[str, str], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def _row(label: str, seconds: float, baseline: float | None = None) -> str:
    ratio = f"  {baseline / seconds:5.1f}x faster" if baseline else ""
    return f"{label:<48} {seconds:6.2f} s{ratio}"


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    python = sys.executable
    eager = _median_seconds([python, "-c", EAGER], env, repeats)
    help_time = _median_seconds([python, "-m", "flchain", "--help"], env, repeats)
    with tempfile.TemporaryDirectory() as root, Devnet() as devnet:
        w3 = connect(devnet.rpc_url)
        report = deploy(w3, TxSender(w3, dev_signer(0, DEV_CHAIN_ID)), directory=Path(root))
        assert report.deployment is not None
        owner = FLClient(w3, report.deployment, TxSender(w3, dev_signer(0, DEV_CHAIN_ID)))
        for _ in range(2):
            create_task(owner, LocalStore(Path(root) / "store"), parse_task_file(TASK))
        tasks_env = env | {"FLCHAIN_DEPLOYMENTS": root, "FLCHAIN_RPC_URL": devnet.rpc_url}
        web3_time = _median_seconds([python, "-c", WEB3_TASKS], tasks_env, repeats)
        tasks = [python, "-m", "flchain", "registry", "tasks"]
        tasks_time = _median_seconds(tasks, tasks_env, repeats)
    print(f"median of {repeats} runs (wall time, this machine)")
    print(_row("baseline: import every command module", eager))
    print(_row("flchain --help", help_time, eager))
    print(_row("baseline: list 2 tasks through web3 (+ torch)", web3_time))
    print(_row("flchain registry tasks (2 tasks)", tasks_time, web3_time))


if __name__ == "__main__":
    main()
