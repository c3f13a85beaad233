"""CLI start-up figures: `flchain --help` and `flchain registry tasks` wall time, against the
baseline of importing every command module up front (what `flchain` did before commands were
loaded lazily). Prints, never asserts.

Run: ``.venv/bin/python bench/cli_startup.py [REPEATS]`` (default 5; median of the runs).
`registry tasks` runs against a fresh devnet with flchain deployed.
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
from flchain.protocol.deploy import deploy

EAGER = (
    "import flchain.cli.main, flchain.cli.data, flchain.cli.demo, flchain.cli.deploy, "
    "flchain.cli.devnet, flchain.cli.inference, flchain.cli.ipfs, flchain.cli.participant, "
    "flchain.cli.registry, flchain.cli.task, flchain.cli.verify"
)


def _median_seconds(command: list[str], env: dict[str, str], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    python = sys.executable
    baseline = _median_seconds([python, "-c", EAGER], env, repeats)
    help_time = _median_seconds([python, "-m", "flchain", "--help"], env, repeats)
    with tempfile.TemporaryDirectory() as root, Devnet() as devnet:
        w3 = connect(devnet.rpc_url)
        deploy(w3, TxSender(w3, dev_signer(0, DEV_CHAIN_ID)), directory=Path(root))
        tasks_env = env | {"FLCHAIN_DEPLOYMENTS": root, "FLCHAIN_RPC_URL": devnet.rpc_url}
        tasks = [python, "-m", "flchain", "registry", "tasks"]
        tasks_time = _median_seconds(tasks, tasks_env, repeats)
    print(f"median of {repeats} runs (wall time, this machine)")
    print(f"{'baseline: import every command module':<42} {baseline:6.2f} s")
    print(f"{'flchain --help':<42} {help_time:6.2f} s  {baseline / help_time:5.1f}x faster")
    print(
        f"{'flchain registry tasks':<42} {tasks_time:6.2f} s  {baseline / tasks_time:5.1f}x faster"
    )


if __name__ == "__main__":
    main()
