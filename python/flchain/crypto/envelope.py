"""Sealed envelopes: ChaCha20-Poly1305 authenticated encryption with associated data.

Layout: ``b"FLCE" | version (1 byte) | nonce (12 bytes) | ciphertext + 16-byte tag``. The
header is authenticated with the caller's associated data, so a changed byte anywhere
fails :func:`open_envelope` with a DecryptionError.

:func:`seal` draws a random nonce (updates: each is sealed once). :func:`seal_deterministic`
derives the nonce from the plaintext by HMAC (a synthetic IV): the same key and plaintext
always give the same bytes, hence the same CID, which is how every aggregator arrives at
the identical encrypted global model. A nonce repeats only for an identical plaintext, so
the only thing determinism reveals is that two ciphertexts hold the same plaintext.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from flchain.errors import DecryptionError

__all__ = [
    "MAGIC",
    "OVERHEAD",
    "is_sealed",
    "nonce_of",
    "open_envelope",
    "seal",
    "seal_deterministic",
    "synthetic_nonce",
]

MAGIC = b"FLCE"
_VERSION = 1
_NONCE = 12
_HEADER = len(MAGIC) + 1
#: Bytes a sealed envelope adds to its plaintext.
OVERHEAD = _HEADER + _NONCE + 16


def is_sealed(data: bytes) -> bool:
    """Whether ``data`` looks like a sealed envelope (it may still fail to open)."""
    return len(data) >= OVERHEAD and data[: len(MAGIC)] == MAGIC


def nonce_of(sealed: bytes) -> bytes:
    """The nonce of a sealed envelope."""
    return sealed[_HEADER : _HEADER + _NONCE]


def _header() -> bytes:
    return MAGIC + bytes([_VERSION])


def _seal(key: bytes, nonce: bytes, plaintext: bytes, associated: bytes) -> bytes:
    header = _header()
    return header + nonce + ChaCha20Poly1305(key).encrypt(nonce, plaintext, header + associated)


def seal(key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    """Encrypt and authenticate ``plaintext`` (and ``associated``) under a random nonce."""
    return _seal(key, os.urandom(_NONCE), plaintext, associated)


def synthetic_nonce(nonce_key: bytes, plaintext: bytes) -> bytes:
    """The nonce :func:`seal_deterministic` uses: HMAC-SHA256(nonce_key, plaintext)[:12]."""
    return hmac.new(nonce_key, plaintext, hashlib.sha256).digest()[:_NONCE]


def seal_deterministic(key: bytes, nonce_key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    """Like :func:`seal`, with the nonce derived from the plaintext: same inputs, same bytes."""
    return _seal(key, synthetic_nonce(nonce_key, plaintext), plaintext, associated)


def open_envelope(key: bytes, sealed: bytes, associated: bytes, what: str = "content") -> bytes:
    """The plaintext of a sealed envelope; DecryptionError names ``what`` if it fails."""
    if not is_sealed(sealed) or sealed[len(MAGIC)] != _VERSION:
        raise DecryptionError(
            f"The {what} is not a flchain sealed envelope (version {_VERSION}); it is either "
            "plaintext or damaged."
        )
    try:
        return ChaCha20Poly1305(key).decrypt(
            nonce_of(sealed), sealed[_HEADER + _NONCE :], _header() + associated
        )
    except InvalidTag as exc:
        raise DecryptionError(
            f"The {what} fails authentication: it was modified, belongs to another task, round "
            "or sender, or this is not its key."
        ) from exc
