"""Privacy: encryption of updates and models, keyrings, and masks for secure aggregation.

A pure layer beside ``storage`` and ``fl``: it knows neither the chain nor torch, only bytes,
keys and integer arrays, with its cryptography from the ``cryptography`` library
(X25519, HKDF-SHA256, ChaCha20-Poly1305, HMAC-SHA256). ``roles`` wires it to rounds.

- :mod:`~flchain.privacy.keys`: X25519 key pairs derived from an account's secret, HKDF.
- :mod:`~flchain.privacy.envelope`: sealed envelopes (AEAD; deterministic variant).
- :mod:`~flchain.privacy.rounds`: round keys and what is sealed under them.
- :mod:`~flchain.privacy.keyring`: a round's keys wrapped for each member.
- :mod:`~flchain.privacy.masks`: pairwise masks that cancel in the sum.
"""

from __future__ import annotations

from flchain.privacy.envelope import is_sealed, open_envelope, seal, seal_deterministic
from flchain.privacy.keyring import Keyring, KeyringEntry, RoundKeys, build_keyring
from flchain.privacy.keys import KeyPair, hkdf
from flchain.privacy.masks import (
    decode_masked,
    encode_masked,
    mask_for,
    masked_row,
    prg,
    sum_masked,
)
from flchain.privacy.rounds import RoundCipher, derive_round_key, key_commitment
from flchain.privacy.scope import TaskScope

__all__ = [
    "KeyPair",
    "Keyring",
    "KeyringEntry",
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
