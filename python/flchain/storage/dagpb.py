"""The dag-pb block format and the UnixFS ``Data`` message inside it, encoded by hand.

Two tiny protobuf (proto2) schemas, written exactly as Kubo (go-merkledag, boxo) writes them::

    message PBLink { optional bytes Hash = 1; optional string Name = 2; optional uint64 Tsize = 3; }
    message PBNode { repeated PBLink Links = 2; optional bytes Data = 1; }   // Links first
    message Data {                                    // UnixFS
      required DataType Type = 1;                     // Raw 0, Directory 1, File 2, ...
      optional bytes Data = 2;
      optional uint64 filesize = 3;
      repeated uint64 blocksizes = 4;                 // not packed
      ...                                             // hashType, fanout, mode, mtime: unused
    }

Kubo writes an empty ``Name`` on file links (``12 00``) and omits ``Data.Data`` when a node
carries no bytes of its own; both details change the CID, so they are reproduced here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flchain.errors import IntegrityError, InvalidCidError
from flchain.storage.cid import Cid, decode_varint, encode_varint

__all__ = [
    "UNIXFS_FILE",
    "UNIXFS_RAW",
    "PBLink",
    "PBNode",
    "UnixfsData",
    "decode_node",
    "decode_unixfs",
    "encode_node",
    "encode_unixfs",
]

UNIXFS_RAW = 0
UNIXFS_FILE = 2

_VARINT = 0
_LEN = 2


@dataclass(frozen=True, slots=True)
class PBLink:
    """A link from a dag-pb node to a child block."""

    cid: Cid
    tsize: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class PBNode:
    """A dag-pb node: links to children and an opaque data field (UnixFS ``Data``)."""

    links: tuple[PBLink, ...] = ()
    data: bytes | None = None


@dataclass(frozen=True, slots=True)
class UnixfsData:
    """The UnixFS ``Data`` message of a file node (directories are not used by flchain)."""

    type: int = UNIXFS_FILE
    data: bytes | None = None
    filesize: int | None = None
    blocksizes: tuple[int, ...] = field(default=())


def encode_node(node: PBNode) -> bytes:
    """Serialize a dag-pb node in canonical form (links, then data)."""
    out = bytearray()
    for link in node.links:
        body = _field_bytes(1, link.cid.to_bytes())
        body += _field_bytes(2, link.name.encode("utf-8"))
        body += _field_varint(3, link.tsize)
        out += _field_bytes(2, body)
    if node.data is not None:
        out += _field_bytes(1, node.data)
    return bytes(out)


def encode_unixfs(message: UnixfsData) -> bytes:
    """Serialize a UnixFS ``Data`` message as Kubo does."""
    out = bytearray(_field_varint(1, message.type))
    if message.data is not None:
        out += _field_bytes(2, message.data)
    if message.filesize is not None:
        out += _field_varint(3, message.filesize)
    for size in message.blocksizes:
        out += _field_varint(4, size)
    return bytes(out)


def decode_node(block: bytes) -> PBNode:
    """Parse a dag-pb block; raise IntegrityError when it is not one."""
    links: list[PBLink] = []
    data: bytes | None = None
    for number, value in _fields(block):
        if number == 2 and isinstance(value, bytes):
            links.append(_decode_link(value))
        elif number == 1 and isinstance(value, bytes):
            data = value
        else:
            raise IntegrityError(f"dag-pb block has unexpected field {number}; it is malformed.")
    return PBNode(tuple(links), data)


def decode_unixfs(payload: bytes) -> UnixfsData:
    """Parse a UnixFS ``Data`` message; unknown optional fields are skipped."""
    kind: int | None = None
    data: bytes | None = None
    filesize: int | None = None
    sizes: list[int] = []
    for number, value in _fields(payload):
        if number == 1 and isinstance(value, int):
            kind = value
        elif number == 2 and isinstance(value, bytes):
            data = value
        elif number == 3 and isinstance(value, int):
            filesize = value
        elif number == 4 and isinstance(value, int):
            sizes.append(value)
        elif number == 4 and isinstance(value, bytes):
            sizes.extend(_packed_varints(value))
    if kind is None:
        raise IntegrityError("UnixFS node has no Type field; the block is malformed.")
    return UnixfsData(kind, data, filesize, tuple(sizes))


def _decode_link(payload: bytes) -> PBLink:
    cid: Cid | None = None
    name = ""
    tsize = 0
    for number, value in _fields(payload):
        if number == 1 and isinstance(value, bytes):
            try:
                cid = Cid.from_bytes(value)
            except InvalidCidError as exc:
                raise IntegrityError(f"dag-pb link holds an unreadable CID: {exc}") from exc
        elif number == 2 and isinstance(value, bytes):
            name = value.decode("utf-8", errors="replace")
        elif number == 3 and isinstance(value, int):
            tsize = value
    if cid is None:
        raise IntegrityError("dag-pb link has no Hash field; the block is malformed.")
    return PBLink(cid, tsize, name)


def _fields(buf: bytes) -> list[tuple[int, int | bytes]]:
    """Split a protobuf message into ``(field number, varint or bytes)`` pairs."""
    out: list[tuple[int, int | bytes]] = []
    pos = 0
    try:
        while pos < len(buf):
            key, pos = decode_varint(buf, pos)
            number, wire = key >> 3, key & 7
            if wire == _VARINT:
                value, pos = decode_varint(buf, pos)
                out.append((number, value))
            elif wire == _LEN:
                size, pos = decode_varint(buf, pos)
                if pos + size > len(buf):
                    raise IntegrityError("protobuf field runs past the end of the block.")
                out.append((number, buf[pos : pos + size]))
                pos += size
            else:
                raise IntegrityError(f"protobuf wire type {wire} is not used by dag-pb/UnixFS.")
    except InvalidCidError as exc:
        raise IntegrityError(f"block is not valid protobuf: {exc}") from exc
    return out


def _packed_varints(buf: bytes) -> list[int]:
    values: list[int] = []
    pos = 0
    try:
        while pos < len(buf):
            value, pos = decode_varint(buf, pos)
            values.append(value)
    except InvalidCidError as exc:
        raise IntegrityError(f"UnixFS blocksizes are not valid varints: {exc}") from exc
    return values


def _field_varint(number: int, value: int) -> bytes:
    return encode_varint(number << 3 | _VARINT) + encode_varint(value)


def _field_bytes(number: int, value: bytes) -> bytes:
    return encode_varint(number << 3 | _LEN) + encode_varint(len(value)) + value
