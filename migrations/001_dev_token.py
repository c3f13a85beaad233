"""Deploy the devnet ERC-20 used for stakes and rewards."""

from flchain.protocol.deploy import MigrationContext
from flchain.protocol.deployment import StepRecord

DESCRIPTION = "deploy FLDevToken (stake and reward token)"


def apply(ctx: MigrationContext) -> StepRecord:
    address, tx = ctx.deploy_contract("FLDevToken", ctx.sender.address)
    return StepRecord(
        "001_dev_token",
        contracts={"FLDevToken": address},
        transactions=[tx.tx_hash],
        blocks=[tx.block_number],
        artifact_hashes={"FLDevToken": ctx.artifact("FLDevToken").bytecode_hash},
    )
