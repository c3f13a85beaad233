"""UnixFS DAGs: building the balanced layout and reading any file DAG back, verified."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flchain.errors import ContentNotFoundError, IntegrityError
from flchain.storage import DAG_PB, RAW, Cid, build_file_dag, unixfs
from flchain.storage.dagpb import (
    PBLink,
    PBNode,
    UnixfsData,
    decode_node,
    decode_unixfs,
    encode_node,
    encode_unixfs,
)
from flchain.storage.unixfs import read_file


def loader(blocks: dict[Cid, bytes]) -> unixfs.BlockLoader:
    def load(cid: Cid) -> bytes:
        if cid not in blocks:
            raise ContentNotFoundError(f"no block {cid}")
        return blocks[cid]

    return load


def tiny_layout() -> mock._patch[int]:
    """4-byte chunks and 3 links per node: deep trees from small inputs."""
    return mock.patch.multiple(unixfs, CHUNK_SIZE=4, MAX_LINKS=3)


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=200), version=st.sampled_from([0, 1]))
def test_read_file_returns_input_when_dag_built_with_tiny_chunks(data: bytes, version: int) -> None:
    with tiny_layout():
        dag = build_file_dag(data, version)

    blocks = {block.cid: block.data for block in dag.blocks}

    assert read_file(dag.root, loader(blocks)) == data


@settings(max_examples=40, deadline=None)
@given(data=st.binary(min_size=1, max_size=200))
def test_build_file_dag_keeps_links_within_limit_when_tiny_chunks(data: bytes) -> None:
    with tiny_layout():
        dag = build_file_dag(data, 1)

    for block in dag.blocks:
        if block.cid.codec == DAG_PB:
            node = decode_node(block.data)
            assert 1 <= len(node.links) <= 3
            meta = decode_unixfs(node.data or b"")
            assert len(meta.blocksizes) == len(node.links)


def test_build_file_dag_uses_balanced_depth_when_one_chunk_past_full_node() -> None:
    with tiny_layout():
        dag = build_file_dag(bytes(range(13)), 1)  # 4 chunks: 3 in a full node, 1 beyond

    root = decode_node(next(b.data for b in dag.blocks if b.cid == dag.root))
    assert len(root.links) == 2
    assert decode_unixfs(root.data or b"").blocksizes == (12, 1)


def test_build_file_dag_reports_kubo_dag_size_when_multi_chunk() -> None:
    data = bytes(600_000)

    dag = build_file_dag(data, 0)

    root_block = next(b.data for b in dag.blocks if b.cid == dag.root)
    leaves = decode_node(root_block).links
    assert dag.dag_size == len(root_block) + sum(link.tsize for link in leaves)


def test_read_file_reads_non_default_layout_when_dag_valid() -> None:
    leaves = [b"abc", b"defgh"]
    leaf_cids = [Cid.for_block(leaf, RAW) for leaf in leaves]
    meta = UnixfsData(data=b"0", filesize=9, blocksizes=(3, 5))
    links = tuple(PBLink(cid, len(leaf)) for cid, leaf in zip(leaf_cids, leaves, strict=True))
    root_block = encode_node(PBNode(links, encode_unixfs(meta)))
    root = Cid.for_block(root_block, DAG_PB)
    blocks = {root: root_block, **dict(zip(leaf_cids, leaves, strict=True))}

    assert read_file(root, loader(blocks)) == b"0abcdefgh"


def test_read_file_raises_integrity_error_when_blocksizes_lie() -> None:
    leaf = b"abc"
    leaf_cid = Cid.for_block(leaf, RAW)
    meta = UnixfsData(filesize=4, blocksizes=(4,))
    root_block = encode_node(PBNode((PBLink(leaf_cid, 3),), encode_unixfs(meta)))
    root = Cid.for_block(root_block, DAG_PB)

    with pytest.raises(IntegrityError, match="malformed"):
        read_file(root, loader({root: root_block, leaf_cid: leaf}))


def test_read_file_raises_integrity_error_when_node_is_directory() -> None:
    block = encode_node(PBNode((), encode_unixfs(UnixfsData(type=1))))
    cid = Cid.for_block(block, DAG_PB)

    with pytest.raises(IntegrityError, match="not a file"):
        read_file(cid, loader({cid: block}))


def test_read_file_raises_integrity_error_when_block_is_not_protobuf() -> None:
    block = b"\xff\xff\xff"
    cid = Cid.for_block(block, DAG_PB)

    with pytest.raises(IntegrityError):
        read_file(cid, loader({cid: block}))


def test_read_file_raises_integrity_error_when_loader_returns_other_bytes() -> None:
    cid = Cid.for_block(b"expected", RAW)

    with pytest.raises(IntegrityError, match="corrupt"):
        read_file(cid, loader({cid: b"received"}))
