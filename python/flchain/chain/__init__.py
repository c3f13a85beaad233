"""The chain layer: devnet process, connection, accounts, transactions, reverts, events.

Generic EVM plumbing; it knows nothing of federated learning or of flchain's contracts.
The devnet controls ``snapshot``/``revert`` live in :mod:`flchain.chain.controls` and are
not re-exported here: ``revert`` would clash with the :mod:`flchain.chain.revert` module.

Each name is loaded from its module on first use (PEP 562): importing one light module of
the layer (the devnet record, the RPC URL) does not import web3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flchain.exports import lazy_exports

if TYPE_CHECKING:
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

_EXPORTS: dict[str, str] = {
    "AccountSpec": "flchain.chain.accounts",
    "DEV_CHAIN_ID": "flchain.chain.accounts",
    "Devnet": "flchain.chain.devnet",
    "DevnetInfo": "flchain.chain.devnet",
    "DevnetStatus": "flchain.chain.devnet",
    "EventDecoder": "flchain.chain.events",
    "EventRecord": "flchain.chain.events",
    "LogPager": "flchain.chain.events",
    "PendingTx": "flchain.chain.transactions",
    "RPC_URL_ENV": "flchain.chain.connection",
    "RevertDecoder": "flchain.chain.revert",
    "Signer": "flchain.chain.accounts",
    "TxRequest": "flchain.chain.transactions",
    "TxResult": "flchain.chain.transactions",
    "TxSender": "flchain.chain.transactions",
    "connect": "flchain.chain.connection",
    "decode_logs": "flchain.chain.events",
    "decode_revert": "flchain.chain.revert",
    "default_state_dir": "flchain.chain.devnet",
    "dev_signer": "flchain.chain.accounts",
    "devnet_status": "flchain.chain.devnet",
    "forget_nonces": "flchain.chain.nonces",
    "increase_time": "flchain.chain.controls",
    "load_signer": "flchain.chain.accounts",
    "mine": "flchain.chain.controls",
    "parse_account_spec": "flchain.chain.accounts",
    "read_devnet_info": "flchain.chain.devnet",
    "redact_url": "flchain.chain.connection",
    "reset_devnet": "flchain.chain.devnet",
    "resolve_rpc_url": "flchain.chain.connection",
    "revert_data_from_exception": "flchain.chain.revert",
    "set_next_block_timestamp": "flchain.chain.controls",
    "start_devnet": "flchain.chain.devnet",
    "stop_devnet": "flchain.chain.devnet",
}

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


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
