"""The flchain CLI as separate processes, each in a home of its own (``FLCHAIN_HOME``): one-shot
commands, and `flchain participant run` for the devnet accounts, which a test stops at its end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
ROUNDS = 3  # of the digits task below


def flchain_env(home: Path) -> dict[str, str]:
    """This process's environment, without any FLCHAIN_* setting, with ``home`` as FLCHAIN_HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLCHAIN_")}
    return env | {"FLCHAIN_HOME": str(home), "OMP_NUM_THREADS": "1"}


def run_flchain(home: Path, *args: str) -> str:
    """`flchain ARGS` in ``home``; its standard output (the test fails if it does)."""
    done = subprocess.run(
        [sys.executable, "-m", "flchain", *args], capture_output=True, text=True,
        env=flchain_env(home), cwd=home, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def digits_task_config(tmp_path: Path) -> Path:
    """examples/digits.toml cut to ``ROUNDS`` rounds of one local epoch, written in ``tmp_path``."""
    text = (PROJECT / "examples" / "digits.toml").read_text()
    text = text.replace("rounds = 10", f"rounds = {ROUNDS}").replace("epochs = 2", "epochs = 1")
    path = tmp_path / "task.toml"
    path.write_text(text)
    return path


def deploy_digits_task(home: Path, tmp_path: Path, rpc: str) -> int:
    """Deploy the contracts from ``home`` and create the digits task there; its id."""
    run_flchain(home, "deploy", "--rpc", rpc)
    created = json.loads(
        run_flchain(home, "task", "create", "--config", str(digits_task_config(tmp_path)),
                    "--rpc", rpc, "--json")
    )  # fmt: skip
    return int(created["task"])


def start_participant(
    home: Path, tmp_path: Path, rpc: str, task_id: int, index: int, shards: int
) -> subprocess.Popen[bytes]:
    """`flchain participant run` as devnet account ``index + 1`` on shard ``index/shards``, with
    its journal in ``tmp_path/journal{index}`` and its output in ``tmp_path/p{index}.log``."""
    with (tmp_path / f"p{index}.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "flchain", "participant", "run", "--task", str(task_id),
             "--account", f"dev:{index + 1}", "--rpc", rpc, "--shard", f"{index}/{shards}",
             "--timeout", "600", "--journal", str(tmp_path / f"journal{index}")],
            stdout=log, stderr=subprocess.STDOUT, env=flchain_env(home), cwd=home,
        )  # fmt: skip


def stop_participants(procs: Iterable[subprocess.Popen[bytes]]) -> None:
    """Kill every process still running, and reap it."""
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
