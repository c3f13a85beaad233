"""Named networks: what a host needs to reach one flchain network, under one name.

``$FLCHAIN_HOME/networks.toml`` (else ``./networks.toml``) holds one table per network::

    [networks.lab]
    rpc = "http://10.0.0.5:8545"      # the chain's RPC URL
    chain_id = 31337                  # refuse any other chain at that URL
    store = "http://10.0.0.5:5001"    # a directory or a Kubo RPC URL (flchain ipfs serve)
    deployments = "lab-deployments"   # records directory, relative to this file
    account = "keystore:~/.keys/me.json"

``flchain --network lab COMMAND`` then uses them (a flag given to the command still wins).
Every key is optional but ``rpc``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flchain.errors import ConfigError
from flchain.home import HOME_ENV, home_dir

__all__ = ["NETWORKS_FILE", "Network", "apply_network", "load_network", "networks_file"]

NETWORKS_FILE = "networks.toml"
_KEYS = {"rpc", "chain_id", "store", "deployments", "account"}


@dataclass(frozen=True)
class Network:
    """One named network."""

    name: str
    rpc: str
    chain_id: int | None = None
    store: str | None = None
    deployments: Path | None = None
    account: str | None = None


def networks_file() -> Path:
    """``$FLCHAIN_HOME/networks.toml`` when FLCHAIN_HOME is set, else ``./networks.toml``."""
    return (home_dir() if os.environ.get(HOME_ENV) else Path.cwd()) / NETWORKS_FILE


def load_network(name: str, path: Path | None = None) -> Network:
    """The network ``name`` of ``path`` (default :func:`networks_file`); ConfigError naming
    the key otherwise."""
    path = path or networks_file()
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ConfigError(
            f"--network {name}: no {path}; write a [networks.{name}] table there (see README)."
        ) from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path} is not a readable TOML file ({exc}).") from exc
    networks = raw.get("networks", {})
    table = networks.get(name) if isinstance(networks, dict) else None
    if not isinstance(table, dict):
        known = ", ".join(sorted(networks)) if isinstance(networks, dict) else ""
        raise ConfigError(f"{path} has no [networks.{name}]; known: {known or 'none'}.")
    return _parse(name, table, path)


def _parse(name: str, table: dict[str, Any], path: Path) -> Network:
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(
            f"Unknown key(s) {', '.join(f'networks.{name}.{k}' for k in unknown)} in {path}; "
            f"known: {', '.join(sorted(_KEYS))}."
        )
    rpc = table.get("rpc")
    if not isinstance(rpc, str) or not rpc:
        raise ConfigError(f"networks.{name}.rpc in {path} must be the RPC URL (a string).")
    chain_id = table.get("chain_id")
    if chain_id is not None and (not isinstance(chain_id, int) or isinstance(chain_id, bool)):
        raise ConfigError(f"networks.{name}.chain_id in {path} must be an integer.")
    for key in ("store", "deployments", "account"):
        if key in table and not isinstance(table[key], str):
            raise ConfigError(f"networks.{name}.{key} in {path} must be a string.")
    deployments = table.get("deployments")
    return Network(
        name=name,
        rpc=rpc,
        chain_id=chain_id,
        store=_relative(table.get("store"), path),
        deployments=Path(_relative(deployments, path) or "") if deployments else None,
        account=table.get("account"),
    )


def _relative(value: str | None, path: Path) -> str | None:
    """A directory relative to the networks file; URLs and absolute paths as they are."""
    if value is None or "://" in value:
        return value
    return str((path.parent / Path(value).expanduser()).resolve())


def apply_network(network: Network) -> None:
    """Make ``network`` the default of every command of this process (environment variables
    the commands read; flags still win)."""
    values = {
        "FLCHAIN_RPC_URL": network.rpc,
        "FLCHAIN_CHAIN_ID": None if network.chain_id is None else str(network.chain_id),
        "FLCHAIN_STORE": network.store,
        "FLCHAIN_DEPLOYMENTS": None if network.deployments is None else str(network.deployments),
        "FLCHAIN_ACCOUNT": network.account,
    }
    for key, value in values.items():
        if value is not None:
            os.environ[key] = value
