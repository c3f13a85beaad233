"""On the devnet only: mint dev tokens to Anvil's ten dev accounts."""

from flchain.chain.accounts import DEV_ACCOUNT_COUNT, dev_signer
from flchain.chain.devnet import DEVNET_CHAIN_ID
from flchain.protocol.deploy import MigrationContext
from flchain.protocol.deployment import StepRecord

DESCRIPTION = "mint FLDevToken to the devnet accounts (chain 31337 only)"
#: 1,000,000 tokens of 18 decimals per account.
MINT_PER_ACCOUNT = 1_000_000 * 10**18


def apply(ctx: MigrationContext) -> StepRecord:
    if ctx.chain_id != DEVNET_CHAIN_ID:
        return StepRecord("005_devnet_mint")
    token = ctx.contract("FLDevToken")
    hashes, blocks = [], []
    for index in range(DEV_ACCOUNT_COUNT):
        tx = ctx.sender.transact(
            token.functions.mint(dev_signer(index, ctx.chain_id).address, MINT_PER_ACCOUNT)
        )
        hashes.append(tx.tx_hash)
        blocks.append(tx.block_number)
    return StepRecord("005_devnet_mint", transactions=hashes, blocks=blocks)
