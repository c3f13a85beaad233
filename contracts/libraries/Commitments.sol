// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Commitments
/// @notice The commit of a model update, bound to its author, task, round, chain and contract,
/// so that a commit cannot be copied by another sender nor replayed in another round, task,
/// chain or deployment.
library Commitments {
    /// @notice keccak256(abi.encode(cidDigest, codec, salt, sender, taskId, round, chainid, coordinator)).
    function compute(
        bytes32 cidDigest,
        uint8 codec,
        bytes32 salt,
        address sender,
        uint256 taskId,
        uint256 round,
        uint256 chainId,
        address coordinator
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(cidDigest, codec, salt, sender, taskId, round, chainId, coordinator));
    }

    /// @notice The commit of an attestation: keccak256(abi.encode(modelDigest, codec,
    /// acceptedBitmap, metricsDigest, salt, sender, taskId, round, chainid, coordinator)). It
    /// binds the whole result tuple, so a revealed attestation cannot be copied into a commitment
    /// made before it (the commit window closes before any reveal), nor replayed by another sender.
    /// Ten words against the update commit's eight: the two preimages never coincide.
    function computeAttestation(
        bytes32 modelDigest,
        uint8 codec,
        uint256 acceptedBitmap,
        bytes32 metricsDigest,
        bytes32 salt,
        address sender,
        uint256 taskId,
        uint256 round,
        uint256 chainId,
        address coordinator
    ) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                modelDigest, codec, acceptedBitmap, metricsDigest, salt, sender, taskId, round, chainId, coordinator
            )
        );
    }
}
