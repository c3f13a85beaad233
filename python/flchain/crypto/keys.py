"""X25519 key pairs and HKDF-SHA256, from the ``cryptography`` library.

A member's X25519 key pair is derived from a 32-byte secret (see
:meth:`flchain.chain.accounts.Signer.derive_secret`): the same account gets the same key
pair after a restart, on any machine, with no key file to keep; the public half is what it
registers on chain when joining a task.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from flchain.errors import KeyringError

__all__ = ["KEY_BYTES", "KeyPair", "hkdf", "load_public_key", "usable_public_key"]

KEY_BYTES = 32


def hkdf(secret: bytes, info: bytes, salt: bytes | None = None, length: int = KEY_BYTES) -> bytes:
    """HKDF-SHA256 of ``secret`` for the purpose ``info``."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(secret)


def load_public_key(raw: bytes) -> X25519PublicKey:
    """An X25519 public key from its 32 raw bytes; KeyringError if it is not one."""
    if len(raw) != KEY_BYTES or raw == bytes(KEY_BYTES):
        raise KeyringError(
            f"{raw.hex() or 'an empty value'} is not an X25519 public key (32 non-zero bytes)."
        )
    return X25519PublicKey.from_public_bytes(raw)


@dataclass(frozen=True, repr=False)
class KeyPair:
    """An X25519 key pair; its repr never shows the private half."""

    private: X25519PrivateKey

    @classmethod
    def from_secret(cls, secret: bytes, info: bytes = b"flchain x25519 key pair") -> KeyPair:
        """The key pair derived from ``secret`` (any 32 bytes make a valid X25519 key)."""
        return cls(X25519PrivateKey.from_private_bytes(hkdf(secret, info)))

    @classmethod
    def generate(cls) -> KeyPair:
        """A fresh random key pair (ephemeral keys, tests)."""
        return cls(X25519PrivateKey.generate())

    @property
    def public(self) -> bytes:
        """The 32-byte public key, as registered on chain."""
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def exchange(self, peer: bytes) -> bytes:
        """The X25519 shared secret with the peer's 32-byte public key."""
        try:
            return self.private.exchange(load_public_key(peer))
        except ValueError as exc:  # a low-order point gives an all-zero secret
            raise KeyringError(
                f"The public key {peer.hex()} gives no usable shared secret; it is not a valid key."
            ) from exc

    def __repr__(self) -> str:
        return f"KeyPair(public={self.public.hex()})"


def usable_public_key(raw: bytes) -> bool:
    """Whether ``raw`` is an X25519 public key that gives a usable shared secret (not a
    low-order point, which the chain would accept as any other 32 bytes)."""
    try:
        KeyPair.generate().exchange(raw)
    except KeyringError:
        return False
    return True
