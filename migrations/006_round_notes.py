"""Deploy RoundNotes: per-round documents published by task owners (FLTrust references,
keyrings of encrypted tasks)."""

from flchain.protocol.deploy import MigrationContext
from flchain.protocol.deployment import StepRecord

DESCRIPTION = "deploy RoundNotes"


def apply(ctx: MigrationContext) -> StepRecord:
    coordinator = ctx.record.address("FLCoordinator")
    address, tx = ctx.deploy_contract("RoundNotes", coordinator)
    return StepRecord(
        "006_round_notes",
        contracts={"RoundNotes": address},
        transactions=[tx.tx_hash],
        blocks=[tx.block_number],
        artifact_hashes={"RoundNotes": ctx.artifact("RoundNotes").bytecode_hash},
    )
