"""The commits of a model update and of an attestation, computed exactly as
contracts/libraries/Commitments.sol does."""

from __future__ import annotations

import secrets

from eth_abi.abi import encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from flchain.protocol.records import RoundId, TaskId

__all__ = ["compute_attestation_commitment", "compute_commitment", "new_salt", "result_id"]


def compute_commitment(
    cid_digest: bytes,
    codec: int,
    salt: bytes,
    sender: str,
    task_id: TaskId,
    round_id: RoundId,
    chain_id: int,
    coordinator: str,
) -> bytes:
    """keccak256(abi.encode(cidDigest, codec, salt, sender, taskId, round, chainid, coordinator))."""
    return keccak(
        encode(
            ["bytes32", "uint8", "bytes32", "address", "uint256", "uint256", "uint256", "address"],
            [
                cid_digest,
                codec,
                salt,
                to_checksum_address(sender),
                task_id,
                round_id,
                chain_id,
                to_checksum_address(coordinator),
            ],
        )
    )


def compute_attestation_commitment(
    model_digest: bytes,
    codec: int,
    accepted_bitmap: int,
    metrics_digest: bytes,
    salt: bytes,
    sender: str,
    task_id: TaskId,
    round_id: RoundId,
    chain_id: int,
    coordinator: str,
) -> bytes:
    """keccak256(abi.encode(modelDigest, codec, acceptedBitmap, metricsDigest, salt, sender,
    taskId, round, chainid, coordinator)): binds the whole result, its sender and its round."""
    types = ["bytes32", "uint8", "uint256", "bytes32", "bytes32", "address"]
    types += ["uint256", "uint256", "uint256", "address"]
    values = [model_digest, codec, accepted_bitmap, metrics_digest, salt]
    values += [to_checksum_address(sender), task_id, round_id, chain_id]
    values.append(to_checksum_address(coordinator))
    return keccak(encode(types, values))


def result_id(
    model_digest: bytes, codec: int, accepted_bitmap: int, metrics_digest: bytes
) -> bytes:
    """The id of an attested result: keccak256(abi.encode(digest, codec, bitmap, metrics))."""
    return keccak(
        encode(
            ["bytes32", "uint8", "uint256", "bytes32"],
            [model_digest, codec, accepted_bitmap, metrics_digest],
        )
    )


def new_salt() -> bytes:
    """32 random bytes for a commitment."""
    return secrets.token_bytes(32)
