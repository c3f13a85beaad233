"""Datasets as shards on chain: gas per DatasetRegistry operation, and the time to publish and to
fetch + verify the digits data as shards, against loading it in memory in the same run.

On a fresh Anvil with a fresh store: the owner publishes digits as 128 shards (two addShards
batches of 64), links a task, ``MEMBERS`` members request shards, the draw is closed and fixed;
a second draw is left to expire and renewed. Then every shard is fetched, verified and decoded.
The baseline is scikit-learn loading the same samples from its bundled file (warm). Prints a
table and, as its last line, one JSON object.

    .venv/bin/python bench/dataset_shards.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from flchain.chain.accounts import dev_signer
from flchain.chain.connection import connect
from flchain.chain.controls import mine
from flchain.chain.devnet import Devnet
from flchain.chain.transactions import TxSender
from flchain.fl import load_digits_dataset
from flchain.protocol.client import FLClient
from flchain.protocol.datasets_registry import DatasetRegistryClient
from flchain.protocol.deploy import deploy
from flchain.protocol.records import TaskConfig
from flchain.roles.data.publisher import DIGITS_LICENSE, publish_dataset
from flchain.roles.data.shard_fetch import fetch_shards, shards_dataset
from flchain.storage.local import LocalStore

SHARDS = 128
MEMBERS = 4
TOKEN = 10**18


def _task(owner: FLClient) -> int:
    digest = bytes(range(32))
    config = TaskConfig(
        token=owner.deployment.token, initial_model_digest=digest, initial_model_codec=0x55,
        model_spec_digest=digest, model_spec_codec=0x55, num_rounds=1, commit_duration=600,
        reveal_duration=600, attest_duration=600, min_stake=TOKEN, reward_per_round=TOKEN,
    )  # fmt: skip
    return owner.create_task(config)[0]


def measure() -> dict[str, float]:
    figures: dict[str, float] = {}
    with Devnet() as devnet, tempfile.TemporaryDirectory() as tmp:
        w3 = connect(devnet.rpc_url)
        chain_id = int(w3.eth.chain_id)
        senders = [TxSender(w3, dev_signer(i, chain_id)) for i in range(MEMBERS + 1)]
        report = deploy(w3, senders[0], directory=Path(tmp) / "deployments")
        assert report.deployment is not None
        clients = [FLClient(w3, report.deployment, s) for s in senders]
        registries = [DatasetRegistryClient.open(w3, s, Path(tmp) / "deployments") for s in senders]
        store = LocalStore(Path(tmp) / "store")

        load_digits_dataset()  # warm: the baseline is loading the arrays, not importing sklearn
        started = time.perf_counter()
        memory = load_digits_dataset()
        figures["load_in_memory_s"] = time.perf_counter() - started
        started = time.perf_counter()
        published = publish_dataset(
            registries[0], store, memory, name="digits", num_shards=SHARDS,
            license_text=DIGITS_LICENSE,
        )  # fmt: skip
        figures["publish_s"] = time.perf_counter() - started
        figures["publish_gas"] = published.gas_used
        figures["dataset_bytes"] = published.total_bytes

        started = time.perf_counter()
        fetched = fetch_shards(registries[1], store, published.dataset_id)
        data = shards_dataset(fetched)
        figures["fetch_verify_decode_s"] = time.perf_counter() - started
        assert len(data) == len(memory)
        figures["fetch_vs_memory_ratio"] = (
            figures["fetch_verify_decode_s"] / figures["load_in_memory_s"]
        )

        # the same shards registered again, call by call, for gas per operation
        infos = [shard.as_info() for shard in published.shards]
        again, tx = registries[0].register_dataset(
            "digits", published.schema_cid.to_chain(), published.license_cid.to_chain()
        )
        figures["register_dataset"] = tx.gas_used
        batches = registries[0].add_shards(again, infos)
        figures["add_shards_64_first_batch"] = batches[0].gas_used
        figures["add_shards_64_second_batch"] = batches[1].gas_used
        figures["add_shards_per_shard"] = batches[1].gas_used / 64
        figures["seal_dataset"] = registries[0].seal_dataset(again).gas_used
        figures.update(_draw_gas(w3, clients, registries, published.dataset_id))
    return figures


def _draw_gas(
    w3: object, clients: list[FLClient], registries: list[DatasetRegistryClient], dataset_id: int
) -> dict[str, float]:
    from web3 import Web3

    assert isinstance(w3, Web3)
    owner = registries[0]
    gas: dict[str, float] = {}
    task_id = _task(clients[0])
    gas["link_task"] = owner.link_task(task_id, dataset_id, 2).gas_used
    requests = []
    for client, registry in zip(clients[1:], registries[1:], strict=True):
        client.join(task_id, TOKEN)
        requests.append(registry.request_shards(task_id)[1].gas_used)
    gas["request_shards_first"], gas["request_shards_later"] = requests[0], max(requests[1:])
    gas["close_draw"] = owner.close_draw(task_id)[1].gas_used
    mine(w3, 2)
    gas["fix_draw"] = registries[1].fix_draw(task_id, 1).gas_used
    gas["assigned_shards_view"] = owner.contract.functions.assignedShards(
        task_id, registries[1].account
    ).estimate_gas()
    # a second task whose draw expires: renew it
    other = _task(clients[0])
    owner.link_task(other, dataset_id, 2)
    clients[1].join(other, TOKEN)
    registries[1].request_shards(other)
    owner.close_draw(other)
    mine(w3, 258)
    gas["renew_draw"] = owner.renew_draw(other, 1).gas_used
    return gas


def main() -> int:
    figures = measure()
    print(f"digits as {SHARDS} shards ({figures['dataset_bytes']:,.0f} bytes), {MEMBERS} members")
    for key, value in figures.items():
        shown = f"{value:,.3f}" if isinstance(value, float) and value < 1000 else f"{value:,.0f}"
        print(f"{key:<28}{shown:>14}")
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
