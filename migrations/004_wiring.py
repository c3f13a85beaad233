"""Allow the coordinator (and only it) to record models in the registry."""

from web3 import Web3

from flchain.protocol.deploy import MigrationContext
from flchain.protocol.deployment import StepRecord

DESCRIPTION = "wire ModelRegistry to FLCoordinator"


def apply(ctx: MigrationContext) -> StepRecord:
    registry = ctx.contract("ModelRegistry")
    coordinator = Web3.to_checksum_address(ctx.record.address("FLCoordinator") or "")
    if registry.functions.coordinator().call() == coordinator:  # already wired: idempotent
        return StepRecord("004_wiring")
    tx = ctx.sender.transact(registry.functions.setCoordinator(coordinator))
    return StepRecord("004_wiring", transactions=[tx.tx_hash], blocks=[tx.block_number])
