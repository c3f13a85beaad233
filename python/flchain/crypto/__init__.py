"""Privacy: encryption of updates and models, keyrings, and masks for secure aggregation.

A pure layer beside ``storage`` and ``fl``: it knows neither the chain nor torch, only bytes,
keys and integer arrays, with its cryptography from the ``cryptography`` library
(X25519, HKDF-SHA256, ChaCha20-Poly1305, HMAC-SHA256). ``roles`` wires it to rounds.

- :mod:`~flchain.crypto.keys`: X25519 key pairs derived from an account's secret, HKDF.
- :mod:`~flchain.crypto.envelope`: sealed envelopes (AEAD; deterministic variant).
- :mod:`~flchain.crypto.rounds`: round keys and what is sealed under them.
- :mod:`~flchain.crypto.keyring`: a round's keys wrapped for each member.
- :mod:`~flchain.crypto.masks`: pairwise masks that cancel in the sum.
"""

from __future__ import annotations

from flchain.crypto.envelope import is_sealed, open_envelope, seal, seal_deterministic
from flchain.crypto.keyring import Keyring, KeyringEntry, RoundKeys, build_keyring
from flchain.crypto.keys import KeyPair, hkdf
from flchain.crypto.masks import (
    decode_masked,
    encode_masked,
    mask_for,
    masked_row,
    prg,
    sum_masked,
)
from flchain.crypto.rounds import ModelCipher, RoundCipher, derive_round_key, key_commitment
from flchain.crypto.scope import TaskScope

__all__ = [
    "KeyPair",
    "Keyring",
    "KeyringEntry",
    "ModelCipher",
    "RoundCipher",
    "RoundKeys",
    "TaskScope",
    "build_keyring",
    "decode_masked",
    "derive_round_key",
    "encode_masked",
    "hkdf",
    "is_sealed",
    "key_commitment",
    "mask_for",
    "masked_row",
    "open_envelope",
    "prg",
    "seal",
    "seal_deterministic",
    "sum_masked",
]
