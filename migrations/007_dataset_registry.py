"""Deploy the dataset registry, reading tasks and members from the coordinator."""

from flchain.protocol.deploy import MigrationContext
from flchain.protocol.deployment import StepRecord

DESCRIPTION = "deploy DatasetRegistry (datasets as shards, task links, shard draws)"


def apply(ctx: MigrationContext) -> StepRecord:
    coordinator = ctx.record.address("FLCoordinator")
    address, tx = ctx.deploy_contract("DatasetRegistry", coordinator)
    return StepRecord(
        "007_dataset_registry",
        contracts={"DatasetRegistry": address},
        transactions=[tx.tx_hash],
        blocks=[tx.block_number],
        artifact_hashes={"DatasetRegistry": ctx.artifact("DatasetRegistry").bytecode_hash},
    )
