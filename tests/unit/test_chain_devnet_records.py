"""Devnet bookkeeping without starting Anvil: state dir, records, binary lookup."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flchain.chain import anvil
from flchain.chain.devnet import (
    DevnetInfo,
    default_state_dir,
    devnet_status,
    read_devnet_info,
    stop_devnet,
)
from flchain.errors import DevnetError


def test_default_state_dir_is_under_flchain_home_when_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLCHAIN_HOME", str(tmp_path))

    assert default_state_dir() == tmp_path / "devnet"


def test_default_state_dir_is_under_cwd_when_home_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLCHAIN_HOME", raising=False)
    monkeypatch.chdir(tmp_path)

    assert default_state_dir() == tmp_path / ".flchain" / "devnet"


def test_devnet_info_round_trips_when_written_as_json(tmp_path: Path) -> None:
    info = DevnetInfo("http://127.0.0.1:9", 42, 31337, tmp_path, "t", True, "/bin/anvil")
    (tmp_path / "devnet.json").write_text(info.to_json())

    assert read_devnet_info(tmp_path) == info


def test_read_devnet_info_raises_with_fix_when_record_is_corrupt(tmp_path: Path) -> None:
    (tmp_path / "devnet.json").write_text("{not json")

    with pytest.raises(DevnetError, match="flchain devnet reset"):
        read_devnet_info(tmp_path)


def test_status_is_not_running_and_stop_is_noop_when_no_record(tmp_path: Path) -> None:
    status = devnet_status(tmp_path)

    assert not status.running
    assert "no devnet is recorded" in status.detail
    assert stop_devnet(tmp_path) is None


def test_status_ignores_record_when_pid_is_not_anvil(tmp_path: Path) -> None:
    info = DevnetInfo("http://127.0.0.1:9", os.getpid(), 31337, tmp_path, "t", True, "anvil")
    (tmp_path / "devnet.json").write_text(info.to_json())

    status = devnet_status(tmp_path)
    stopped = stop_devnet(tmp_path)  # must not signal the test process itself

    assert not status.running
    assert "is not running" in status.detail
    assert stopped is None


def test_find_anvil_raises_with_install_hint_when_nowhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(anvil.ANVIL_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(anvil, "_PACKAGE_DIR", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(DevnetError, match="npm ci"):
        anvil.find_anvil()


def test_find_anvil_prefers_node_modules_binary_when_found_upward(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    binary = tmp_path / "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    monkeypatch.delenv(anvil.ANVIL_ENV, raising=False)
    monkeypatch.chdir(nested)

    assert anvil.find_anvil() == binary.resolve()


def test_find_anvil_raises_when_env_names_missing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(anvil.ANVIL_ENV, str(tmp_path / "nope"))

    with pytest.raises(DevnetError, match="FLCHAIN_ANVIL"):
        anvil.find_anvil()
