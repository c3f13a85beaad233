"""Deploy the coordinator, pointing at the registry."""

from flchain.protocol.deploy import MigrationContext
from flchain.protocol.deployment import StepRecord

DESCRIPTION = "deploy FLCoordinator"


def apply(ctx: MigrationContext) -> StepRecord:
    registry = ctx.record.address("ModelRegistry")
    address, tx = ctx.deploy_contract("FLCoordinator", registry)
    return StepRecord(
        "003_coordinator",
        contracts={"FLCoordinator": address},
        transactions=[tx.tx_hash],
        blocks=[tx.block_number],
        artifact_hashes={"FLCoordinator": ctx.artifact("FLCoordinator").bytecode_hash},
    )
