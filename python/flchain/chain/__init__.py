"""The chain layer: devnet process, connection, accounts, transactions, reverts, events.

Generic EVM plumbing; it knows nothing of federated learning or of flchain's contracts.
The devnet controls ``snapshot``/``revert`` live in :mod:`flchain.chain.controls` and are
not re-exported here: ``revert`` would clash with the :mod:`flchain.chain.revert` module.
"""

from __future__ import annotations

from flchain.chain.accounts import (
    DEV_CHAIN_ID,
    AccountSpec,
    Signer,
    dev_signer,
    load_signer,
    parse_account_spec,
)
from flchain.chain.connection import RPC_URL_ENV, connect, redact_url, resolve_rpc_url
from flchain.chain.controls import increase_time, mine, set_next_block_timestamp
from flchain.chain.devnet import (
    Devnet,
    DevnetInfo,
    DevnetStatus,
    default_state_dir,
    devnet_status,
    read_devnet_info,
    reset_devnet,
    start_devnet,
    stop_devnet,
)
from flchain.chain.events import EventDecoder, EventRecord, LogPager, decode_logs
from flchain.chain.nonces import forget_nonces
from flchain.chain.revert import RevertDecoder, decode_revert, revert_data_from_exception
from flchain.chain.transactions import PendingTx, TxRequest, TxResult, TxSender

__all__ = [
    "DEV_CHAIN_ID",
    "RPC_URL_ENV",
    "AccountSpec",
    "Devnet",
    "DevnetInfo",
    "DevnetStatus",
    "EventDecoder",
    "EventRecord",
    "LogPager",
    "PendingTx",
    "RevertDecoder",
    "Signer",
    "TxRequest",
    "TxResult",
    "TxSender",
    "connect",
    "decode_logs",
    "decode_revert",
    "default_state_dir",
    "dev_signer",
    "devnet_status",
    "forget_nonces",
    "increase_time",
    "load_signer",
    "mine",
    "parse_account_spec",
    "read_devnet_info",
    "redact_url",
    "reset_devnet",
    "resolve_rpc_url",
    "revert_data_from_exception",
    "set_next_block_timestamp",
    "start_devnet",
    "stop_devnet",
]
