"""Deploy the InferenceRegistry, which links (task, round) models to inference contracts.

Depends only on the ModelRegistry (002): links are checked against its records.
"""

from flchain.errors import NotDeployedError
from flchain.protocol.deploy import MigrationContext
from flchain.protocol.deployment import StepRecord

DESCRIPTION = "deploy InferenceRegistry (on-chain inference links)"


def apply(ctx: MigrationContext) -> StepRecord:
    registry = ctx.record.address("ModelRegistry")
    if registry is None:
        raise NotDeployedError(
            "No earlier step deployed ModelRegistry; the migrations are out of order."
        )
    address, tx = ctx.deploy_contract("InferenceRegistry", registry)
    return StepRecord(
        "008_inference_registry",
        contracts={"InferenceRegistry": address},
        transactions=[tx.tx_hash],
        blocks=[tx.block_number],
        artifact_hashes={"InferenceRegistry": ctx.artifact("InferenceRegistry").bytecode_hash},
    )
