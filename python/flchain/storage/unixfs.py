"""UnixFS files: bytes to a DAG of blocks exactly as ``ipfs add`` builds it, and back.

Kubo's defaults, reproduced here:

- chunker ``size-262144``: fixed 256 KiB chunks (an empty input is one empty chunk);
- balanced layout, at most 174 links per node, all leaves at the same depth;
- CIDv0: leaves are dag-pb UnixFS ``File`` nodes; ``--cid-version=1`` implies raw leaves,
  so a one-chunk CIDv1 file is simply the raw CID of its bytes;
- a link's Tsize is the size of the whole sub-DAG it points to (block plus descendants).

``read_file`` walks any UnixFS file DAG (not only the default layout), verifying every
block against its CID before using it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flchain.errors import IntegrityError
from flchain.storage.block import Block, verify_block
from flchain.storage.cid import DAG_PB, RAW, Cid
from flchain.storage.dagpb import (
    UNIXFS_FILE,
    UNIXFS_RAW,
    PBLink,
    PBNode,
    UnixfsData,
    decode_node,
    decode_unixfs,
    encode_node,
    encode_unixfs,
)

__all__ = [
    "CHUNK_SIZE",
    "MAX_LINKS",
    "FileDag",
    "build_file_dag",
    "child_cids",
    "compute_cid",
    "read_file",
]

CHUNK_SIZE = 262_144
"""Kubo's default chunk size (``size-262144``)."""
MAX_LINKS = 174
"""Kubo's default maximum number of links per node in the balanced layout."""

BlockLoader = Callable[[Cid], bytes]
"""Returns the stored bytes of one block; raises ContentNotFoundError when absent."""


@dataclass(frozen=True, slots=True)
class FileDag:
    """The blocks of one UnixFS file, root last, each block once."""

    root: Cid
    blocks: tuple[Block, ...]
    dag_size: int
    """Cumulative size of the DAG (the root's Tsize; Kubo's ``Size`` in ``add`` output)."""


@dataclass(frozen=True, slots=True)
class _Child:
    cid: Cid
    tsize: int
    filesize: int


def build_file_dag(data: bytes, version: int = 1, *, raw_leaves: bool | None = None) -> FileDag:
    """Split ``data`` into the blocks ``ipfs add --cid-version=VERSION`` would store.

    ``raw_leaves`` defaults to Kubo's choice (true for CIDv1, false for CIDv0).
    """
    if version not in (0, 1):
        raise ValueError(f"CID version must be 0 or 1, got {version}")
    raw = version == 1 if raw_leaves is None else raw_leaves
    blocks: dict[Cid, Block] = {}

    def store(cid: Cid, block: bytes) -> None:
        blocks.setdefault(cid, Block(cid, block))

    chunks = [data[i : i + CHUNK_SIZE] for i in range(0, len(data), CHUNK_SIZE)] or [b""]
    level = [_leaf(chunk, version, raw, store) for chunk in chunks]
    while len(level) > 1:
        level = [
            _parent(level[i : i + MAX_LINKS], version, store)
            for i in range(0, len(level), MAX_LINKS)
        ]
    root = level[0]
    return FileDag(root.cid, tuple(blocks.values()), root.tsize)


def compute_cid(data: bytes, version: int = 1, *, raw_leaves: bool | None = None) -> Cid:
    """The CID ``ipfs add`` gives ``data`` with Kubo's default import settings."""
    return build_file_dag(data, version, raw_leaves=raw_leaves).root


def read_file(root: Cid, load: BlockLoader) -> bytes:
    """Reassemble a UnixFS file from its DAG, verifying every block against its CID.

    Raises IntegrityError for a corrupt or malformed block and lets ``load``'s
    ContentNotFoundError through for a missing one.
    """
    pieces: list[bytes] = []
    stack: list[tuple[Cid, int | None]] = [(root, None)]
    while stack:
        cid, expected = stack.pop()
        block = load(cid)
        verify_block(cid, block)
        if cid.codec == RAW:
            _check_size(cid, len(block), expected)
            pieces.append(block)
            continue
        own, children = _file_node(cid, block, expected)
        pieces.append(own)
        stack.extend(reversed(children))
    return b"".join(pieces)


def child_cids(cid: Cid, block: bytes) -> list[Cid]:
    """The CIDs a block links to, in order (none for raw blocks)."""
    if cid.codec != DAG_PB:
        return []
    return [link.cid for link in decode_node(block).links]


def _leaf(chunk: bytes, version: int, raw: bool, store: Callable[[Cid, bytes], None]) -> _Child:
    if raw:
        cid = Cid.for_block(chunk, RAW, version=1)
        store(cid, chunk)
        return _Child(cid, len(chunk), len(chunk))
    payload = UnixfsData(UNIXFS_FILE, chunk or None, len(chunk))
    block = encode_node(PBNode((), encode_unixfs(payload)))
    cid = Cid.for_block(block, DAG_PB, version)
    store(cid, block)
    return _Child(cid, len(block), len(chunk))


def _parent(children: list[_Child], version: int, store: Callable[[Cid, bytes], None]) -> _Child:
    sizes = tuple(child.filesize for child in children)
    payload = UnixfsData(UNIXFS_FILE, None, sum(sizes), sizes)
    links = tuple(PBLink(child.cid, child.tsize) for child in children)
    block = encode_node(PBNode(links, encode_unixfs(payload)))
    cid = Cid.for_block(block, DAG_PB, version)
    store(cid, block)
    return _Child(cid, len(block) + sum(child.tsize for child in children), sum(sizes))


def _file_node(
    cid: Cid, block: bytes, expected: int | None
) -> tuple[bytes, list[tuple[Cid, int | None]]]:
    """Own bytes and ``(child, expected size)`` pairs of a dag-pb UnixFS file node."""
    node = decode_node(block)
    if node.data is None:
        raise IntegrityError(f"Block {cid} is dag-pb without UnixFS data; it is not a file.")
    meta = decode_unixfs(node.data)
    if meta.type not in (UNIXFS_FILE, UNIXFS_RAW):
        raise IntegrityError(
            f"Block {cid} is a UnixFS node of type {meta.type}, not a file; "
            "flchain stores single files only."
        )
    own = meta.data or b""
    if node.links and len(meta.blocksizes) != len(node.links):
        raise IntegrityError(
            f"Block {cid} lists {len(meta.blocksizes)} block sizes for "
            f"{len(node.links)} links; the file DAG is malformed."
        )
    total = len(own) + sum(meta.blocksizes)
    if meta.filesize is not None and meta.filesize != total:
        raise IntegrityError(
            f"Block {cid} declares {meta.filesize} bytes but holds {total}; "
            "the file DAG is malformed."
        )
    _check_size(cid, total, expected)
    children: list[tuple[Cid, int | None]] = [
        (link.cid, size) for link, size in zip(node.links, meta.blocksizes, strict=False)
    ]
    return own, children


def _check_size(cid: Cid, actual: int, expected: int | None) -> None:
    if expected is not None and actual != expected:
        raise IntegrityError(
            f"Block {cid} holds {actual} bytes of the file where its parent says "
            f"{expected}; the file DAG is malformed."
        )
