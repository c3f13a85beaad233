"""Let the coordinator read the dataset registry's stake locks (shard-draw tickets)."""

from web3 import Web3

from flchain.protocol.deploy import MigrationContext
from flchain.protocol.deployment import StepRecord

DESCRIPTION = "wire DatasetRegistry as FLCoordinator's stake locker"


def apply(ctx: MigrationContext) -> StepRecord:
    coordinator = ctx.contract("FLCoordinator")
    datasets = Web3.to_checksum_address(ctx.record.address("DatasetRegistry") or "")
    if coordinator.functions.stakeLocker().call() == datasets:  # already wired: idempotent
        return StepRecord("009_stake_locker")
    tx = ctx.sender.transact(coordinator.functions.setStakeLocker(datasets))
    return StepRecord("009_stake_locker", transactions=[tx.tx_hash], blocks=[tx.block_number])
