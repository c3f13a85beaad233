"""``flchain devnet`` start/status/stop/reset through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flchain.chain.anvil import pid_alive
from flchain.chain.devnet import stop_devnet
from flchain.cli.devnet import app

pytestmark = pytest.mark.integration

runner = CliRunner()


def test_status_exits_1_with_clear_line_when_no_devnet_runs(tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", "--state-dir", str(tmp_path)])

    assert result.exit_code == 1
    assert "not running" in result.output
    assert "flchain devnet start" in result.output


def test_start_status_stop_reset_manage_background_devnet(tmp_path: Path) -> None:
    state = ["--state-dir", str(tmp_path)]
    started = runner.invoke(app, ["start", *state, "--json"])
    try:
        info = json.loads(started.output)
        status = runner.invoke(app, ["status", *state])
        stopped = runner.invoke(app, ["stop", *state])
    finally:
        stop_devnet(tmp_path)
    after = runner.invoke(app, ["status", *state])
    reset = runner.invoke(app, ["reset", *state])

    assert started.exit_code == 0, started.output
    assert info["chain_id"] == 31337
    assert info["rpc_url"].startswith("http://127.0.0.1:")
    assert status.exit_code == 0
    assert f"running at {info['rpc_url']}" in status.output
    assert stopped.exit_code == 0
    assert f"pid {info['pid']}" in stopped.output
    assert not pid_alive(info["pid"])
    assert after.exit_code == 1
    assert reset.exit_code == 0
    assert not (tmp_path / "state.json").exists()


def test_start_prints_url_chain_and_pid_when_started(tmp_path: Path) -> None:
    try:
        result = runner.invoke(app, ["start", "--state-dir", str(tmp_path)])
    finally:
        info = stop_devnet(tmp_path)

    assert result.exit_code == 0, result.output
    assert info is not None
    assert info.rpc_url in result.output
    assert "31337" in result.output
    assert str(info.pid) in result.output
