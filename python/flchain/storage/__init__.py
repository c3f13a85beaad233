"""flchain.storage: CIDs, the embedded store, the Kubo RPC store, integrity checks.

Knows nothing of the chain; the on-chain form of a CID is ``Cid.to_chain()``.
"""

from __future__ import annotations

from flchain.storage.block import Block, verify_block
from flchain.storage.car import CarFile, encode_car, export_car, read_car
from flchain.storage.cid import CHAIN_CODEC_V0, DAG_PB, RAW, Cid
from flchain.storage.kubo import DEFAULT_API_URL, KuboStore
from flchain.storage.local import DEFAULT_STORE_ROOT, LocalStore
from flchain.storage.server import StoreServer
from flchain.storage.store import Store
from flchain.storage.unixfs import CHUNK_SIZE, MAX_LINKS, FileDag, build_file_dag, compute_cid

__all__ = [
    "CHAIN_CODEC_V0",
    "CHUNK_SIZE",
    "DAG_PB",
    "DEFAULT_API_URL",
    "DEFAULT_STORE_ROOT",
    "MAX_LINKS",
    "RAW",
    "Block",
    "CarFile",
    "Cid",
    "FileDag",
    "KuboStore",
    "LocalStore",
    "Store",
    "StoreServer",
    "build_file_dag",
    "compute_cid",
    "encode_car",
    "export_car",
    "read_car",
    "verify_block",
]
