"""Every bad input the operator can give is one line on stderr and a non-zero exit, never a
traceback; text in square brackets is printed literally; a private key is never echoed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
KEY = "0x" + "4c" * 32


def _flchain(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "FLCHAIN_HOME": str(tmp_path / "home")}
    env.pop("FLCHAIN_RPC_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "flchain", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def _one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def _config(tmp_path: Path, replace: tuple[str, str] | None = None, extra: str = "") -> str:
    text = (PROJECT / "examples" / "digits.toml").read_text()
    if replace is not None:
        text = "\n".join(
            replace[1] if line.startswith(replace[0]) else line for line in text.splitlines()
        )
    path = tmp_path / "task.toml"
    path.write_text(text + extra)
    return str(path)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["task", "create", "--config", "."], "is not a task config file"),
        (["participant", "run", "--task", "1", "--account", "dev:1", "--stake", "-5"], "--stake"),
        (["participant", "run", "--task", "1", "--account", "dev:1", "--stake", "1e30"], "hold"),
        (
            ["participant", "run", "--task", "1", "--account", "dev:1", "--threads", "0"],
            "--threads",
        ),
        (["registry", "tasks", "--rpc", "http://localhost:99999"], "no valid port"),
        (["participant", "run", "--task", "1", "--account", KEY], "not shown"),
        (["task", "create", "--config", "task.toml", "--store", "ftp://x"], "--store ftp://"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    _config(tmp_path)

    line = _one_line_error(_flchain(tmp_path, *args))

    assert expected in line
    assert "4c4c4c4c" not in line


def test_task_create_refuses_a_stake_the_chain_cannot_hold_before_any_transaction(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path, ("min_stake", 'min_stake = "1e40"'))

    line = _one_line_error(_flchain(tmp_path, "task", "create", "--config", config))

    assert "task.min_stake" in line


def test_error_text_in_square_brackets_is_printed_literally(tmp_path: Path) -> None:
    config = _config(tmp_path, extra='\n[privacy]\nmode = "client"\n')

    line = _one_line_error(_flchain(tmp_path, "task", "create", "--config", config))

    assert "[privacy]" in line


def test_predict_refuses_a_linker_that_is_not_an_address(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("1,2\n")

    line = _one_line_error(
        _flchain(tmp_path, "predict", "--task", "1", "--input", str(rows), "--linker", "0xdead")
    )

    assert "--linker '0xdead' is not an Ethereum address" in line
