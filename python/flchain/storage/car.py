"""CARv1 archives: a DAG's blocks in one file, as ``ipfs dag export`` writes and
``ipfs dag import`` reads them.

Layout (https://ipld.io/specs/transport/car/carv1/)::

    varint(len(header)) header        header = dag-cbor {"roots": [CID, ...], "version": 1}
    varint(len(cid) + len(block)) cid block      ... once per block

A CIDv0 is written as its bare multihash; CIDs in the header are CBOR tag 42 byte strings
with a leading 0x00. Only the small dag-cbor subset the header needs is encoded here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flchain.errors import InvalidCidError, StorageError
from flchain.storage.block import Block, verify_block
from flchain.storage.cid import Cid, decode_varint, encode_varint
from flchain.storage.unixfs import BlockLoader, child_cids

__all__ = ["CarFile", "encode_car", "export_car", "read_car"]

_CID_TAG = 42
_MAJOR_UINT, _MAJOR_BYTES, _MAJOR_TEXT, _MAJOR_ARRAY, _MAJOR_MAP, _MAJOR_TAG = 0, 2, 3, 4, 5, 6


@dataclass(frozen=True, slots=True)
class CarFile:
    """The content of a CARv1 file: its root CIDs and its blocks (verified on reading)."""

    roots: tuple[Cid, ...]
    blocks: tuple[Block, ...]


def encode_car(roots: Iterable[Cid], blocks: Iterable[Block]) -> bytes:
    """Serialize ``blocks`` under ``roots`` as a CARv1 archive."""
    root_list = list(roots)
    header = bytearray(b"\xa2")  # map of 2 entries, keys in dag-cbor order
    header += _cbor_head(_MAJOR_TEXT, 5) + b"roots"
    header += _cbor_head(_MAJOR_ARRAY, len(root_list))
    for root in root_list:
        link = b"\x00" + root.to_bytes()
        header += _cbor_head(_MAJOR_TAG, _CID_TAG) + _cbor_head(_MAJOR_BYTES, len(link)) + link
    header += _cbor_head(_MAJOR_TEXT, 7) + b"version" + _cbor_head(_MAJOR_UINT, 1)
    out = bytearray(encode_varint(len(header)) + header)
    for block in blocks:
        cid_bytes = block.cid.to_bytes()
        out += encode_varint(len(cid_bytes) + len(block.data)) + cid_bytes + block.data
    return bytes(out)


def export_car(root: Cid, load: BlockLoader) -> bytes:
    """The CAR of the DAG under ``root``: blocks depth-first from the root, each once.

    Every block is verified against its CID before it is written.
    """
    blocks: list[Block] = []
    seen: set[Cid] = set()
    stack = [root]
    while stack:
        cid = stack.pop()
        if cid in seen:
            continue
        seen.add(cid)
        data = load(cid)
        verify_block(cid, data)
        blocks.append(Block(cid, data))
        stack.extend(reversed(child_cids(cid, data)))
    return encode_car([root], blocks)


def read_car(data: bytes) -> CarFile:
    """Parse a CARv1 archive and verify every block against its CID.

    Raises StorageError when the bytes are not a CARv1 file, IntegrityError when a block
    does not match its CID.
    """
    try:
        size, pos = decode_varint(data, 0)
        roots = _decode_header(data[pos : pos + size])
        pos += size
        blocks: list[Block] = []
        while pos < len(data):
            size, pos = decode_varint(data, pos)
            end = pos + size
            if size == 0 or end > len(data):
                raise _malformed("a block section runs past the end of the file")
            cid, start = _read_cid(data, pos)
            block = Block(cid, data[start:end])
            verify_block(cid, block.data, where="the CAR file")
            blocks.append(block)
            pos = end
    except InvalidCidError as exc:
        raise _malformed(str(exc)) from exc
    return CarFile(roots, tuple(blocks))


def _read_cid(data: bytes, pos: int) -> tuple[Cid, int]:
    if data[pos : pos + 2] == b"\x12\x20":
        return Cid.from_bytes(data[pos : pos + 34]), pos + 34
    start = pos
    digest_size = 0
    for _ in range(4):  # version, codec, hash code, digest length
        digest_size, pos = decode_varint(data, pos)
    end = pos + digest_size
    return Cid.from_bytes(data[start:end]), end


def _decode_header(header: bytes) -> tuple[Cid, ...]:
    value, end = _cbor_item(header, 0)
    if end != len(header) or not isinstance(value, dict):
        raise _malformed("the header is not a dag-cbor map")
    if value.get("version") != 1:
        raise _malformed(f"version {value.get('version')!r} is not 1 (only CARv1 is read)")
    roots = value.get("roots")
    if not isinstance(roots, list) or not all(isinstance(root, Cid) for root in roots):
        raise _malformed("the header has no list of root CIDs")
    return tuple(roots)


def _cbor_item(buf: bytes, pos: int) -> tuple[object, int]:
    """Decode the dag-cbor subset a CAR header uses: uint, bytes, text, array, map, tag 42."""
    if pos >= len(buf):
        raise _malformed("the header is truncated")
    major, info = buf[pos] >> 5, buf[pos] & 0x1F
    pos += 1
    if info < 24:
        arg = info
    elif 24 <= info <= 27:
        width = 1 << (info - 24)
        arg = int.from_bytes(buf[pos : pos + width], "big")
        pos += width
    else:
        raise _malformed("the header uses indefinite-length CBOR")
    if major == _MAJOR_UINT:
        return arg, pos
    if major in (_MAJOR_BYTES, _MAJOR_TEXT):
        raw = buf[pos : pos + arg]
        return (raw if major == _MAJOR_BYTES else raw.decode("utf-8", "replace")), pos + arg
    if major == _MAJOR_ARRAY:
        items: list[object] = []
        for _ in range(arg):
            item, pos = _cbor_item(buf, pos)
            items.append(item)
        return items, pos
    if major == _MAJOR_MAP:
        entries: dict[object, object] = {}
        for _ in range(arg):
            key, pos = _cbor_item(buf, pos)
            if not isinstance(key, str):
                raise _malformed("the header has a map key that is not text")
            entries[key], pos = _cbor_item(buf, pos)
        return entries, pos
    if major == _MAJOR_TAG and arg == _CID_TAG:
        link, pos = _cbor_item(buf, pos)
        if not isinstance(link, bytes) or not link.startswith(b"\x00"):
            raise _malformed("a root CID is not a tag-42 byte string")
        return Cid.from_bytes(link[1:]), pos
    raise _malformed(f"the header uses CBOR major type {major}, which CAR headers do not")


def _cbor_head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * width):
            return bytes([major << 5 | info]) + arg.to_bytes(width, "big")
    raise ValueError(f"CBOR argument {arg} is too large")


def _malformed(reason: str) -> StorageError:
    reason = reason.rstrip(".")
    return StorageError(f"The data is not a valid CARv1 file: {reason}; export it again.")
