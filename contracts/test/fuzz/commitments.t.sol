// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../interfaces/IFLCoordinator.sol";
import {Base} from "../Base.t.sol";

/// @notice A commitment binds (cid, codec, salt, sender, task, round, chain id, coordinator):
/// changing any one of them makes the reveal fail.
contract CommitmentBindingTest is Base {
    uint32 private constant ROUND = 1;
    /// @dev Kept in storage: under viaIR a local copy of `block.chainid` may be re-read after
    /// `vm.chainId` changed it.
    uint256 private homeChain;

    function setUp() public override {
        super.setUp();
        homeChain = block.chainid;
        joinThreeAndStart();
    }

    function spec(bytes32 cid, uint8 codec, bytes32 salt, address sender, uint256 task, uint32 round, uint256 chain, address at)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(cid, codec, salt, sender, task, round, chain, at));
    }

    /// @dev alice commits `commitment` in round 1, then reveals (cid, codec, salt) in the reveal phase.
    function commitThenExpectMismatch(bytes32 commitment, bytes32 cid, uint8 codec, bytes32 salt) private {
        vm.assume(commitment != bytes32(0));
        vm.prank(alice);
        coordinator.commit(taskId, ROUND, commitment);
        warpToReveal();
        vm.expectRevert(err(IFLCoordinator.RevealMismatch.selector, taskId, ROUND, alice));
        vm.prank(alice);
        coordinator.reveal(taskId, ROUND, cid, codec, salt);
    }

    function honest(bytes32 cid, uint8 codec, bytes32 salt) private view returns (bytes32) {
        return spec(cid, codec, salt, alice, taskId, ROUND, block.chainid, address(coordinator));
    }

    function testFuzz_ComputeCommitment_MatchesSpec(
        bytes32 cid,
        uint8 codec,
        bytes32 salt,
        address sender,
        uint256 task,
        uint32 round
    ) external view {
        assertEq(
            coordinator.computeCommitment(cid, codec, salt, sender, task, round),
            spec(cid, codec, salt, sender, task, round, block.chainid, address(coordinator)),
            "commitment"
        );
    }

    function testFuzz_Reveal_HonestCommitmentMatches(bytes32 cid, uint8 codec, bytes32 salt) external {
        vm.prank(alice);
        coordinator.commit(taskId, ROUND, honest(cid, codec, salt));
        warpToReveal();
        vm.prank(alice);
        coordinator.reveal(taskId, ROUND, cid, codec, salt);
        assertEq(round_().revealCount, 1, "revealed");
    }

    function testFuzz_Reveal_RevertWhen_CidChanged(bytes32 cid, uint8 codec, bytes32 salt, bytes32 otherCid) external {
        vm.assume(otherCid != cid);
        commitThenExpectMismatch(honest(cid, codec, salt), otherCid, codec, salt);
    }

    function testFuzz_Reveal_RevertWhen_CodecChanged(bytes32 cid, uint8 codec, bytes32 salt, uint8 otherCodec)
        external
    {
        vm.assume(otherCodec != codec);
        commitThenExpectMismatch(honest(cid, codec, salt), cid, otherCodec, salt);
    }

    function testFuzz_Reveal_RevertWhen_SaltChanged(bytes32 cid, uint8 codec, bytes32 salt, bytes32 otherSalt)
        external
    {
        vm.assume(otherSalt != salt);
        commitThenExpectMismatch(honest(cid, codec, salt), cid, codec, otherSalt);
    }

    /// @dev A commitment made for another sender (e.g. copied from its UpdateCommitted event)
    /// cannot be revealed by the copier.
    function testFuzz_Reveal_RevertWhen_SenderChanged(bytes32 cid, uint8 codec, bytes32 salt, address author)
        external
    {
        vm.assume(author != alice);
        bytes32 copied = spec(cid, codec, salt, author, taskId, ROUND, block.chainid, address(coordinator));
        commitThenExpectMismatch(copied, cid, codec, salt);
    }

    function testFuzz_Reveal_RevertWhen_TaskChanged(bytes32 cid, uint8 codec, bytes32 salt, uint256 otherTask)
        external
    {
        vm.assume(otherTask != taskId);
        bytes32 c = spec(cid, codec, salt, alice, otherTask, ROUND, block.chainid, address(coordinator));
        commitThenExpectMismatch(c, cid, codec, salt);
    }

    function testFuzz_Reveal_RevertWhen_RoundChanged(bytes32 cid, uint8 codec, bytes32 salt, uint32 otherRound)
        external
    {
        vm.assume(otherRound != ROUND);
        bytes32 c = spec(cid, codec, salt, alice, taskId, otherRound, block.chainid, address(coordinator));
        commitThenExpectMismatch(c, cid, codec, salt);
    }

    /// @dev A commitment computed on another chain (the contract's own helper, under another
    /// chain id) does not open here.
    function testFuzz_Reveal_RevertWhen_ComputedOnOtherChain(bytes32 cid, uint8 codec, bytes32 salt, uint64 otherChain)
        external
    {
        vm.assume(otherChain != homeChain && otherChain != 0);
        vm.chainId(otherChain);
        bytes32 c = coordinator.computeCommitment(cid, codec, salt, alice, taskId, ROUND);
        vm.chainId(homeChain);
        assertEq(block.chainid, homeChain, "back home");
        commitThenExpectMismatch(c, cid, codec, salt);
    }

    /// @dev A commit made before a chain split cannot be revealed on the other side of it.
    function testFuzz_Reveal_RevertWhen_RevealedOnOtherChain(bytes32 cid, uint8 codec, bytes32 salt, uint64 otherChain)
        external
    {
        vm.assume(otherChain != block.chainid && otherChain != 0);
        vm.prank(alice);
        coordinator.commit(taskId, ROUND, honest(cid, codec, salt));
        warpToReveal();
        vm.chainId(otherChain);
        vm.expectRevert(err(IFLCoordinator.RevealMismatch.selector, taskId, ROUND, alice));
        vm.prank(alice);
        coordinator.reveal(taskId, ROUND, cid, codec, salt);
    }

    function testFuzz_Reveal_RevertWhen_CoordinatorChanged(bytes32 cid, uint8 codec, bytes32 salt, address other)
        external
    {
        vm.assume(other != address(coordinator));
        bytes32 c = spec(cid, codec, salt, alice, taskId, ROUND, block.chainid, other);
        commitThenExpectMismatch(c, cid, codec, salt);
    }
}
