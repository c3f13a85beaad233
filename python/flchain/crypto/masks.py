"""Pairwise additive masks for secure aggregation (Bonawitz et al., without dropout recovery).

Every two members ``a < b`` of a round's roster (addresses compared lower-case) agree on a
seed, HKDF-SHA256 of their X25519 shared secret bound to the task, the round and the pair;
nobody else can compute it. The seed expands into a ChaCha20 keystream read as unsigned
64-bit integers ``p_ab``. Member ``a`` adds ``p_ab``, member ``b`` subtracts it, all modulo
2**64, so that the masks of the whole roster cancel exactly in the sum:

    sum_i (x_i + m_i) = sum_i x_i   (mod 2**64),   m_i = sum_{j>i} p_ij - sum_{j<i} p_ji

Each masked row alone is uniformly distributed: it shows nothing of ``x_i``. If a member of
the roster is missing from the sum, its masks do not cancel and the sum is noise; flchain
then fails the round (see :mod:`flchain.roles.privacy.secure_rounds`) instead of recovering it.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

from flchain.crypto.keys import KeyPair, hkdf
from flchain.crypto.scope import TaskScope
from flchain.errors import SecureAggregationError

__all__ = [
    "decode_masked",
    "encode_masked",
    "mask_for",
    "masked_row",
    "pair_seed",
    "prg",
    "sum_masked",
]

_MAGIC = b"FLSA"
_VERSION = 1
_HEADER = struct.Struct("<4sBQ")  # magic, version, count


def pair_seed(own: KeyPair, peer_key: bytes, scope: TaskScope, round_id: int, pair: str) -> bytes:
    """The 32-byte seed two members share for ``round_id`` (``pair``: ``"a|b"`` sorted)."""
    return hkdf(own.exchange(peer_key), scope.label("mask seed", round_id, pair))


def prg(seed: bytes, count: int) -> npt.NDArray[np.uint64]:
    """``count`` pseudo-random uint64 from a 32-byte seed (ChaCha20 keystream, little-endian)."""
    encryptor = Cipher(algorithms.ChaCha20(seed, bytes(16)), mode=None).encryptor()
    stream = encryptor.update(bytes(8 * count))
    return np.frombuffer(stream, dtype="<u8").astype(np.uint64, copy=False)


def mask_for(
    address: str,
    own: KeyPair,
    roster: Mapping[str, bytes],
    scope: TaskScope,
    round_id: int,
    count: int,
) -> npt.NDArray[np.uint64]:
    """Member ``address``'s mask ``m_i`` over ``count`` values, against every other roster
    member (``roster``: address -> registered X25519 public key)."""
    me = address.lower()
    members = {a.lower(): key for a, key in roster.items()}
    if me not in members:
        raise SecureAggregationError(
            f"{address} is not in the roster of task {scope.task_id} round {round_id}; it cannot "
            "take part in this round's secure aggregation."
        )
    mask = np.zeros(count, dtype=np.uint64)
    for peer, key in sorted(members.items()):
        if peer == me:
            continue
        low, high = sorted((me, peer))
        stream = prg(pair_seed(own, key, scope, round_id, f"{low}|{high}"), count)
        if me == low:
            mask += stream  # uint64 arrays wrap modulo 2**64, silently
        else:
            mask -= stream
    return mask


def masked_row(
    values: npt.NDArray[np.int64], mask: npt.NDArray[np.uint64]
) -> npt.NDArray[np.uint64]:
    """``values + mask`` modulo 2**64 (values in two's complement)."""
    if values.shape != mask.shape or values.dtype != np.int64:
        raise SecureAggregationError(
            f"A mask of shape {mask.shape} cannot mask {values.dtype} values of shape {values.shape}."
        )
    row: npt.NDArray[np.uint64] = values.view(np.uint64) + mask
    return row


def sum_masked(rows: Sequence[npt.NDArray[np.uint64]]) -> npt.NDArray[np.int64]:
    """The sum of masked rows modulo 2**64, read as int64: the plain sum once masks cancel."""
    if not rows:
        raise SecureAggregationError("There is no masked update to sum.")
    total = np.zeros(rows[0].shape, dtype=np.uint64)
    for row in rows:
        if row.shape != total.shape:
            raise SecureAggregationError(
                f"Masked updates differ in length ({row.shape} vs {total.shape})."
            )
        total += row
    return total.view(np.int64)


def encode_masked(row: npt.NDArray[np.uint64]) -> bytes:
    """The bytes of a masked update: a small header and the uint64 values, little-endian."""
    return _HEADER.pack(_MAGIC, _VERSION, row.size) + row.astype("<u8", copy=False).tobytes()


def decode_masked(data: bytes, count: int) -> npt.NDArray[np.uint64]:
    """A masked update of ``count`` values; SecureAggregationError if it is not one."""
    if len(data) < _HEADER.size:
        raise SecureAggregationError("A masked update is shorter than its header.")
    magic, version, size = _HEADER.unpack_from(data)
    if magic != _MAGIC or version != _VERSION or size != count:
        raise SecureAggregationError(
            f"Not a masked update of {count} values (magic {magic!r}, version {version}, {size} values)."
        )
    payload = data[_HEADER.size :]
    if len(payload) != 8 * count:
        raise SecureAggregationError(
            f"A masked update holds {len(payload)} bytes of values; {8 * count} expected."
        )
    return np.frombuffer(payload, dtype="<u8").astype(np.uint64)
