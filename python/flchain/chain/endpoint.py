"""Where the chain is: the RPC URL from ``--rpc``, ``$FLCHAIN_RPC_URL`` or the running
devnet's record, checked to be an http(s) URL with a valid port, and shown without secrets.

Pure standard library (no web3): a read-only command resolves its endpoint before deciding
how to talk to it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from flchain.chain.devnet_record import default_state_dir, read_devnet_info
from flchain.errors import ChainUnavailableError, ConfigError

__all__ = [
    "CHAIN_ID_ENV",
    "RPC_URL_ENV",
    "Endpoint",
    "redact_url",
    "resolve_endpoint",
    "resolve_rpc_url",
]

#: Environment variable holding the RPC URL when ``--rpc`` is not given.
RPC_URL_ENV = "FLCHAIN_RPC_URL"
#: Environment variable holding the chain id the node must have (set by ``--network``).
CHAIN_ID_ENV = "FLCHAIN_CHAIN_ID"
START_HINT = "start the local devnet with `flchain devnet start`, or pass --rpc URL"
_PORT = re.compile(r":(\d+)$")
_TOKEN_LIKE = re.compile(r"^[A-Za-z0-9_\-]{16,}$")


def redact_url(url: str) -> str:
    """The URL without credentials: no password, no query, token-like path parts hidden."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = _PORT.search(parts.netloc.rpartition("@")[2])  # as written: even if out of range
    if port:
        host = f"{host}:{port.group(1)}"
    if parts.username:
        host = f"***@{host}"
    path = "/".join("***" if _TOKEN_LIKE.match(seg) else seg for seg in parts.path.split("/"))
    return urlunsplit((parts.scheme, host, path, "***" if parts.query else "", ""))


def resolve_rpc_url(rpc_url: str | None = None, *, state_dir: Path | str | None = None) -> str:
    """The URL to use: ``rpc_url``, else ``$FLCHAIN_RPC_URL``, else the running devnet's."""
    return _resolve(rpc_url, state_dir)[0]


def _resolve(rpc_url: str | None, state_dir: Path | str | None) -> tuple[str, str]:
    """(url, where it came from)."""
    if rpc_url:
        return rpc_url, "the given URL"
    from_env = os.environ.get(RPC_URL_ENV)
    if from_env:
        return from_env, f"${RPC_URL_ENV}"
    directory = Path(state_dir) if state_dir is not None else default_state_dir()
    info = read_devnet_info(directory)
    if info is None:
        raise ChainUnavailableError(
            f"No RPC URL given, ${RPC_URL_ENV} is unset and no devnet is recorded in "
            f"{directory}; {START_HINT}."
        )
    return info.rpc_url, f"the devnet record {directory / 'devnet.json'}"


@dataclass(frozen=True)
class Endpoint:
    """A checked RPC URL, where it came from, and the chain id it must serve (if any)."""

    url: str
    source: str
    expected_chain_id: int | None

    @property
    def shown(self) -> str:
        """The URL as it may be printed or logged."""
        return redact_url(self.url)


def resolve_endpoint(
    rpc_url: str | None = None,
    expected_chain_id: int | None = None,
    *,
    state_dir: Path | str | None = None,
) -> Endpoint:
    """The endpoint to use, checked: http(s), a valid port; the expected chain id defaults
    to ``$FLCHAIN_CHAIN_ID``. ConfigError or ChainUnavailableError name what is wrong."""
    url, source = _resolve(rpc_url, state_dir)
    shown = redact_url(url)
    if expected_chain_id is None and os.environ.get(CHAIN_ID_ENV):
        try:
            expected_chain_id = int(os.environ[CHAIN_ID_ENV])
        except ValueError as exc:
            raise ConfigError(
                f"${CHAIN_ID_ENV} must be a chain id (an integer), got {os.environ[CHAIN_ID_ENV]!r}."
            ) from exc
    if urlsplit(url).scheme not in ("http", "https"):
        raise ConfigError(f"RPC URL {shown} ({source}) is not http(s)://; flchain speaks HTTP.")
    try:
        _ = urlsplit(url).port
    except ValueError as exc:
        raise ConfigError(
            f"RPC URL {shown} ({source}) has no valid port (0..65535); check the URL."
        ) from exc
    return Endpoint(url, source, expected_chain_id)
