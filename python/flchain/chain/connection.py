"""Connect to an EVM node: resolve its URL, check it answers and is the expected chain.

The URL comes from, in order: the explicit argument (``--rpc``), ``$FLCHAIN_RPC_URL``, the
running devnet's ``devnet.json``. The provider retries transient HTTP failures only for
read methods (:data:`IDEMPOTENT_METHODS`); sending a transaction is never retried here,
:class:`flchain.chain.transactions.TxSender` does it after checking by hash.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from web3 import Web3
from web3.exceptions import Web3Exception
from web3.providers.rpc.utils import ExceptionRetryConfiguration

from flchain.chain.devnet import default_state_dir, read_devnet_info
from flchain.errors import ChainUnavailableError, ConfigError, WrongChainError

__all__ = [
    "CHAIN_ID_ENV",
    "DEFAULT_RPC_TIMEOUT",
    "IDEMPOTENT_METHODS",
    "RPC_URL_ENV",
    "connect",
    "genesis_hash",
    "redact_url",
    "resolve_rpc_url",
]

logger = logging.getLogger(__name__)

#: Environment variable holding the RPC URL when ``--rpc`` is not given.
RPC_URL_ENV = "FLCHAIN_RPC_URL"
#: Environment variable holding the chain id the node must have (set by ``--network``).
CHAIN_ID_ENV = "FLCHAIN_CHAIN_ID"
DEFAULT_RPC_TIMEOUT = 30.0

#: JSON-RPC methods that read only: retrying them after a transient failure is harmless.
IDEMPOTENT_METHODS: tuple[str, ...] = (
    "web3_clientVersion",
    "net_version",
    "eth_chainId",
    "eth_syncing",
    "eth_gasPrice",
    "eth_maxPriorityFeePerGas",
    "eth_feeHistory",
    "eth_blockNumber",
    "eth_getBalance",
    "eth_getStorageAt",
    "eth_getCode",
    "eth_getBlockByNumber",
    "eth_getBlockByHash",
    "eth_getTransactionByHash",
    "eth_getTransactionReceipt",
    "eth_getTransactionCount",
    "eth_call",
    "eth_estimateGas",
    "eth_getLogs",
)

_RETRIED_ERRORS = (requests.ConnectionError, requests.Timeout, requests.HTTPError)
_START_HINT = "start the local devnet with `flchain devnet start`, or pass --rpc URL"
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
            f"{directory}; {_START_HINT}."
        )
    return info.rpc_url, f"the devnet record {directory / 'devnet.json'}"


def connect(
    rpc_url: str | None = None,
    expected_chain_id: int | None = None,
    *,
    state_dir: Path | str | None = None,
    timeout: float = DEFAULT_RPC_TIMEOUT,
) -> Web3:
    """A Web3 on an HTTP(S) node that answered ``eth_chainId`` (and matched, if expected)."""
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
    retry = ExceptionRetryConfiguration(
        errors=_RETRIED_ERRORS, retries=3, backoff_factor=0.1, method_allowlist=IDEMPOTENT_METHODS
    )
    provider = Web3.HTTPProvider(
        url, request_kwargs={"timeout": timeout}, exception_retry_configuration=retry
    )
    w3 = Web3(provider)
    try:
        chain_id = int(w3.eth.chain_id)
    except (requests.RequestException, Web3Exception, ValueError) as exc:
        raise ChainUnavailableError(
            f"No Ethereum node answers at {shown} (from {source}): "
            f"{type(exc).__name__}; {_START_HINT}."
        ) from exc
    if expected_chain_id is not None and chain_id != expected_chain_id:
        raise WrongChainError(
            f"The node at {shown} is chain {chain_id}, not the expected chain "
            f"{expected_chain_id}; pass the RPC URL of chain {expected_chain_id}."
        )
    logger.debug("Connected to chain %s at %s", chain_id, shown)
    return w3


def genesis_hash(w3: Web3) -> str:
    """The 0x-hex hash of the chain's block 0: with the chain id, it tells two chains apart
    (a reset devnet, or two nodes that share a chain id)."""
    try:
        block = w3.eth.get_block(0)
    except (requests.RequestException, Web3Exception, ValueError) as exc:
        raise ChainUnavailableError(
            f"The node does not serve block 0 ({type(exc).__name__}); is it an archive of "
            "this chain?"
        ) from exc
    value = block["hash"]
    return "0x" + bytes(value).hex()
