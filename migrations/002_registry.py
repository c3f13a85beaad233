"""Deploy the model registry."""

from flchain.protocol.deploy import MigrationContext
from flchain.protocol.deployment import StepRecord

DESCRIPTION = "deploy ModelRegistry"


def apply(ctx: MigrationContext) -> StepRecord:
    address, tx = ctx.deploy_contract("ModelRegistry", ctx.sender.address)
    return StepRecord(
        "002_registry",
        contracts={"ModelRegistry": address},
        transactions=[tx.tx_hash],
        blocks=[tx.block_number],
        artifact_hashes={"ModelRegistry": ctx.artifact("ModelRegistry").bytecode_hash},
    )
