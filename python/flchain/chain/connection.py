"""Connect to an EVM node: resolve its URL, check it answers and is the expected chain.

The URL comes from, in order: the explicit argument (``--rpc``), ``$FLCHAIN_RPC_URL``, the
running devnet's ``devnet.json``. The provider retries transient HTTP failures only for
read methods (:data:`IDEMPOTENT_METHODS`); sending a transaction is never retried here,
:class:`flchain.chain.transactions.TxSender` does it after checking by hash.
"""

from __future__ import annotations

import logging
from pathlib import Path

import requests
from web3 import Web3
from web3.exceptions import Web3Exception
from web3.providers.rpc.utils import ExceptionRetryConfiguration

from flchain.chain.endpoint import (
    CHAIN_ID_ENV,
    RPC_URL_ENV,
    START_HINT,
    redact_url,
    resolve_endpoint,
    resolve_rpc_url,
)
from flchain.errors import ChainUnavailableError, WrongChainError

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


def connect(
    rpc_url: str | None = None,
    expected_chain_id: int | None = None,
    *,
    state_dir: Path | str | None = None,
    timeout: float = DEFAULT_RPC_TIMEOUT,
) -> Web3:
    """A Web3 on an HTTP(S) node that answered ``eth_chainId`` (and matched, if expected)."""
    endpoint = resolve_endpoint(rpc_url, expected_chain_id, state_dir=state_dir)
    url, source, shown = endpoint.url, endpoint.source, endpoint.shown
    expected_chain_id = endpoint.expected_chain_id
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
            f"{type(exc).__name__}; {START_HINT}."
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
