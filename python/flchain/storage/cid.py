"""Content identifiers: the ``Cid`` value, its text and binary forms, and its on-chain pair.

flchain only uses what ``ipfs add`` produces with Kubo's defaults: sha2-256 multihashes,
CIDv0 (dag-pb, text in base58btc, ``Qm...``) and CIDv1 (dag-pb or raw, text in base32
lower case, ``b...``).

On chain a CID is stored as ``(digest: bytes32, codec: uint8)``. The codec byte is fixed:

======  ===========================================
byte    meaning
======  ===========================================
0x00    CIDv0 (dag-pb, printed in base58btc)
0x70    CIDv1 dag-pb (the multicodec code of dag-pb)
0x55    CIDv1 raw (the multicodec code of raw)
======  ===========================================

The hash function is always sha2-256, so the digest alone is the multihash payload.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from flchain.errors import InvalidCidError

__all__ = [
    "CHAIN_CODEC_V0",
    "DAG_PB",
    "RAW",
    "SHA2_256",
    "Cid",
    "decode_varint",
    "encode_varint",
]

DAG_PB = 0x70
"""Multicodec code of dag-pb (UnixFS nodes)."""
RAW = 0x55
"""Multicodec code of raw blocks."""
SHA2_256 = 0x12
"""Multihash code of sha2-256."""
CHAIN_CODEC_V0 = 0x00
"""On-chain codec byte of a CIDv0."""

_DIGEST_SIZE = 32
_CODEC_NAMES = {DAG_PB: "dag-pb", RAW: "raw"}
_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: index for index, char in enumerate(_B58_ALPHABET)}
_MULTIHASH_PREFIX = bytes([SHA2_256, _DIGEST_SIZE])


@dataclass(frozen=True, slots=True)
class Cid:
    """A sha2-256 content identifier, CIDv0 or CIDv1 (dag-pb or raw).

    ``str(cid)`` is the canonical text (``Qm...`` or ``b...``); ``Cid.parse`` reads it back.
    """

    version: int
    codec: int
    digest: bytes

    def __post_init__(self) -> None:
        if self.version not in (0, 1):
            raise InvalidCidError(f"CID version {self.version} is not supported; use 0 or 1.")
        if self.codec not in _CODEC_NAMES:
            raise InvalidCidError(
                f"CID codec 0x{self.codec:x} is not supported; flchain uses dag-pb (0x70) "
                "or raw (0x55)."
            )
        if self.version == 0 and self.codec != DAG_PB:
            raise InvalidCidError("A CIDv0 is always dag-pb; use version 1 for raw blocks.")
        if not isinstance(self.digest, bytes) or len(self.digest) != _DIGEST_SIZE:
            raise InvalidCidError(
                f"A sha2-256 digest has 32 bytes, got {len(self.digest)}; pass the full digest."
            )

    # -- construction -------------------------------------------------------------------

    @classmethod
    def for_block(cls, block: bytes, codec: int, version: int = 1) -> Cid:
        """The CID of one block of bytes under ``codec`` (hashes the block)."""
        return cls(version, codec, hashlib.sha256(block).digest())

    @classmethod
    def parse(cls, text: str) -> Cid:
        """Read a CID from its text form: ``Qm...`` (v0) or ``b...`` (v1, base32 lower)."""
        text = text.strip()
        if len(text) == 46 and text.startswith("Qm"):
            cid = cls.from_bytes(_b58decode(text))
        elif text.startswith("b") and len(text) > 1:
            cid = cls.from_bytes(_b32decode(text[1:]))
        else:
            raise InvalidCidError(
                f"{text[:80]!r} is not a CID flchain understands; expected a CIDv0 ('Qm...', "
                "46 characters) or a CIDv1 in base32 ('b...')."
            )
        if str(cid) != text:
            raise InvalidCidError(f"{text[:80]!r} is not in canonical form; use {str(cid)!r}.")
        return cid

    @classmethod
    def from_bytes(cls, raw: bytes) -> Cid:
        """Read a CID from its binary form (a bare multihash for v0)."""
        if len(raw) == 34 and raw.startswith(_MULTIHASH_PREFIX):
            return cls(0, DAG_PB, raw[2:])
        version, pos = decode_varint(raw, 0)
        if version != 1:
            raise InvalidCidError(f"Binary CID has version {version}; flchain reads 0 and 1.")
        codec, pos = decode_varint(raw, pos)
        hash_code, pos = decode_varint(raw, pos)
        size, pos = decode_varint(raw, pos)
        if hash_code != SHA2_256 or size != _DIGEST_SIZE or len(raw) - pos != _DIGEST_SIZE:
            raise InvalidCidError(
                f"Binary CID uses multihash 0x{hash_code:x} of {size} bytes; "
                "flchain only reads sha2-256 (0x12, 32 bytes)."
            )
        return cls(1, codec, raw[pos:])

    @classmethod
    def from_chain(cls, digest: bytes, codec: int) -> Cid:
        """Rebuild a CID from its on-chain pair (see the module docstring for codec bytes)."""
        if codec == CHAIN_CODEC_V0:
            return cls(0, DAG_PB, bytes(digest))
        if codec in _CODEC_NAMES:
            return cls(1, codec, bytes(digest))
        raise InvalidCidError(
            f"On-chain codec byte 0x{codec:02x} is unknown; expected 0x00 (CIDv0), "
            "0x70 (CIDv1 dag-pb) or 0x55 (CIDv1 raw)."
        )

    # -- representations ----------------------------------------------------------------

    @property
    def multihash(self) -> bytes:
        """The multihash: sha2-256 code, digest length, digest."""
        return _MULTIHASH_PREFIX + self.digest

    def to_bytes(self) -> bytes:
        """The binary CID, as it appears in dag-pb links and CAR files."""
        if self.version == 0:
            return self.multihash
        return encode_varint(1) + encode_varint(self.codec) + self.multihash

    def to_chain(self) -> tuple[bytes, int]:
        """The on-chain pair ``(digest, codec byte)``."""
        return self.digest, CHAIN_CODEC_V0 if self.version == 0 else self.codec

    def __str__(self) -> str:
        if self.version == 0:
            return _b58encode(self.to_bytes())
        return "b" + base64.b32encode(self.to_bytes()).decode("ascii").lower().rstrip("=")

    def __repr__(self) -> str:
        return f"Cid({str(self)!r})"

    @property
    def codec_name(self) -> str:
        """``"dag-pb"`` or ``"raw"``."""
        return _CODEC_NAMES[self.codec]


def encode_varint(value: int) -> bytes:
    """Unsigned LEB128 (protobuf / multiformats varint)."""
    if value < 0:
        raise ValueError(f"varint cannot encode negative value {value}")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def decode_varint(data: bytes, pos: int) -> tuple[int, int]:
    """Read an unsigned varint at ``pos``; return ``(value, next position)``."""
    value = 0
    shift = 0
    while pos < len(data) and shift < 64:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
    raise InvalidCidError("Truncated or overlong varint; the bytes are not a valid CID.")


def _b58encode(raw: bytes) -> str:
    number = int.from_bytes(raw, "big")
    chars: list[str] = []
    while number:
        number, rem = divmod(number, 58)
        chars.append(_B58_ALPHABET[rem])
    zeros = len(raw) - len(raw.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(chars))


def _b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _B58_INDEX:
            raise InvalidCidError(f"{text!r} is not base58btc: {char!r} is not in its alphabet.")
        number = number * 58 + _B58_INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def _b32decode(text: str) -> bytes:
    if text != text.lower():
        raise InvalidCidError(f"'b{text[:60]}' mixes cases; base32 CIDs are lower case.")
    try:
        return base64.b32decode(text.upper() + "=" * (-len(text) % 8))
    except ValueError as exc:
        raise InvalidCidError(f"'b{text[:60]}' is not valid base32 ({exc}).") from exc
