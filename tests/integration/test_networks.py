"""Named networks: `flchain --network NAME` takes the RPC URL, chain id, store, deployments
and account from $FLCHAIN_HOME/networks.toml, from any directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flchain.chain.devnet import Devnet
from flchain.errors import ConfigError
from flchain.networks import load_network


def _flchain(home: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLCHAIN_")}
    env |= {"FLCHAIN_HOME": str(home), "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "flchain", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def _networks(home: Path, rpc: str, chain_id: int) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "networks.toml").write_text(
        f'[networks.lab]\nrpc = "{rpc}"\nchain_id = {chain_id}\nstore = "lab-store"\n'
        'deployments = "lab-deployments"\naccount = "dev:0"\n'
    )


def test_network_names_the_chain_store_deployments_and_account_from_any_directory(
    devnet: Devnet, chain_snapshot: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    _networks(home, devnet.rpc_url, 31337)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    deployed = _flchain(home, elsewhere, "--network", "lab", "deploy", "--json")
    tasks = _flchain(home, elsewhere, "--network", "lab", "registry", "tasks", "--json")

    assert deployed.returncode == 0, deployed.stderr
    assert (home / "lab-deployments" / "31337.json").is_file()
    assert tasks.returncode == 0, tasks.stderr
    assert json.loads(tasks.stdout)["tasks"] == []
    assert not list(elsewhere.iterdir())  # nothing written in the current directory


def test_network_refuses_a_node_of_another_chain_id(devnet: Devnet, tmp_path: Path) -> None:
    home = tmp_path / "home"
    _networks(home, devnet.rpc_url, 1)

    done = _flchain(home, tmp_path, "--network", "lab", "registry", "tasks")

    assert done.returncode == 1
    assert "not the expected chain 1" in done.stderr


def test_load_network_names_the_unknown_key(tmp_path: Path) -> None:
    path = tmp_path / "networks.toml"
    path.write_text('[networks.lab]\nrpc = "http://127.0.0.1:8545"\nrcp = "typo"\n')

    with pytest.raises(ConfigError, match=r"networks\.lab\.rcp"):
        load_network("lab", path)


def test_load_network_lists_the_known_names_when_one_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "networks.toml"
    path.write_text('[networks.lab]\nrpc = "http://127.0.0.1:8545"\n')

    with pytest.raises(ConfigError, match="known: lab"):
        load_network("prod", path)
