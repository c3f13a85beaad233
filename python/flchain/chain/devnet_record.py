"""The devnet's record: ``devnet.json`` in the state dir (the running devnet's URL and pid),
read by ``status``/``stop`` and by :func:`flchain.chain.endpoint.resolve_rpc_url`, and the
status derived from it. No process is started here (see :mod:`flchain.chain.devnet`).
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

from flchain.chain.anvil import pid_is_anvil, rpc_request
from flchain.errors import DevnetError
from flchain.home import home_dir

__all__ = [
    "INFO_FILE",
    "DevnetInfo",
    "DevnetStatus",
    "default_state_dir",
    "devnet_status",
    "read_devnet_info",
    "remove_info",
    "resolve_dir",
    "write_info",
]

#: The record's file name in the state dir.
INFO_FILE = "devnet.json"


def default_state_dir() -> Path:
    """``$FLCHAIN_HOME/devnet`` if FLCHAIN_HOME is set, else ``./.flchain/devnet``."""
    return home_dir() / "devnet"


@dataclass(frozen=True)
class DevnetInfo:
    """What ``devnet.json`` records about a running devnet."""

    rpc_url: str
    pid: int
    chain_id: int
    state_dir: Path
    started_at: str
    persistent: bool
    anvil: str

    def to_json(self) -> str:
        record = dataclasses.asdict(self) | {"state_dir": str(self.state_dir)}
        return json.dumps(record, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, source: Path) -> DevnetInfo:
        try:
            record = json.loads(text)
            return cls(
                rpc_url=str(record["rpc_url"]),
                pid=int(record["pid"]),
                chain_id=int(record["chain_id"]),
                state_dir=Path(record["state_dir"]),
                started_at=str(record["started_at"]),
                persistent=bool(record["persistent"]),
                anvil=str(record["anvil"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise DevnetError(
                f"{source} is not a devnet record ({exc}); delete it or run `flchain devnet reset`."
            ) from exc


@dataclass(frozen=True)
class DevnetStatus:
    """The answer of :func:`devnet_status`: is the recorded devnet alive and answering?"""

    state_dir: Path
    running: bool
    detail: str
    info: DevnetInfo | None = None
    block_number: int | None = None


def resolve_dir(state_dir: Path | str | None) -> Path:
    return Path(state_dir).resolve() if state_dir is not None else default_state_dir().resolve()


def read_devnet_info(state_dir: Path | str | None = None) -> DevnetInfo | None:
    """The record in ``<state_dir>/devnet.json``, or None if there is none (alive or not)."""
    path = resolve_dir(state_dir) / INFO_FILE
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DevnetError(f"Cannot read {path}: {exc}.") from exc
    return DevnetInfo.from_json(text, path)


def write_info(info: DevnetInfo) -> None:
    path = info.state_dir / INFO_FILE
    partial = path.with_suffix(".json.partial")
    partial.write_text(info.to_json())
    os.replace(partial, path)


def remove_info(state_dir: Path, pid: int) -> None:
    """Delete ``devnet.json`` if it still describes ``pid`` (another start may have replaced it)."""
    try:
        current = read_devnet_info(state_dir)
    except DevnetError:
        current = None
    if current is None or current.pid == pid:
        (state_dir / INFO_FILE).unlink(missing_ok=True)


def _block_number(url: str) -> int | None:
    try:
        return int(str(rpc_request(url, "eth_blockNumber")), 16)
    except (OSError, DevnetError, ValueError):
        return None


def devnet_status(state_dir: Path | str | None = None) -> DevnetStatus:
    """Whether the devnet recorded in the state dir runs (its pid is Anvil) and answers RPC."""
    directory = resolve_dir(state_dir)
    info = read_devnet_info(directory)
    if info is None:
        return DevnetStatus(directory, False, f"no devnet is recorded in {directory}")
    if not pid_is_anvil(info.pid):
        return DevnetStatus(
            directory, False, f"the recorded Anvil (pid {info.pid}) is not running", info
        )
    block = _block_number(info.rpc_url)
    if block is None:
        detail = f"Anvil (pid {info.pid}) runs but does not answer at {info.rpc_url}"
        return DevnetStatus(directory, False, detail, info)
    return DevnetStatus(directory, True, f"answers at {info.rpc_url}", info, block)
