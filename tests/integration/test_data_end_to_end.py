"""End to end from on-chain shards: the owner publishes the digits training split as shards and
links the task; three participant processes (``--data onchain``) join, request shards, fetch
and verify the ones the draw deals them, train on them, and finish the task. Nothing is mocked.

One round only: the clock conducting of test_roles_end_to_end is reused as is.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from role_network import Network, conduct, small_task, wait_for_members

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.transactions import TxSender
from flchain.fl import build_model, evaluate, load_into
from flchain.protocol.datasets_registry import DatasetRegistryClient
from flchain.protocol.records import TaskStatus
from flchain.roles.data.datasets import load_test_data
from flchain.roles.data.publisher import DIGITS_LICENSE, load_source, publish_dataset
from flchain.roles.data.shard_draws import close_draw_when_full, devnet_miner
from flchain.roles.owner import create_task
from flchain.storage.cid import Cid

pytestmark = pytest.mark.integration

PARTICIPANTS = 3
PER_MEMBER = 2


class OnchainNetwork(Network):
    """test_roles_end_to_end's network, whose participants train on their on-chain shards."""

    def spawn(self, index: int, task_id: int, attack: str | None = None, *extra: str) -> None:
        command = [
            sys.executable, "-m", "flchain", "participant", "run", "--task", str(task_id),
            "--account", f"dev:{index + 1}", "--rpc", self.devnet.rpc_url, "--data", "onchain",
            "--store", str(self.store.root), "--journal", str(self.root / "journal"),
            "--timeout", "240", *extra,
        ]  # fmt: skip
        env = {**os.environ, "OMP_NUM_THREADS": "1", "FLCHAIN_DEPLOYMENTS": str(self.deployments)}
        log = (self.root / f"participant-{index}.log").open("ab")
        self.procs[index] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)


@pytest.fixture
def network(tmp_path: Path) -> Iterator[OnchainNetwork]:
    net = OnchainNetwork(tmp_path)
    yield net
    net.close()


def test_participants_train_on_disjoint_verified_shards_dealt_on_chain_when_data_is_onchain(
    network: OnchainNetwork,
) -> None:
    task_file = small_task(rounds=1)
    created = create_task(network.owner, network.store, task_file)
    registry = DatasetRegistryClient.open(
        network.w3, TxSender(network.w3, dev_signer(0, DEV_CHAIN_ID)), network.deployments
    )
    train = load_source("digits", task_file.document.data)
    published = publish_dataset(
        registry, network.store, train, name="digits-train", num_shards=PARTICIPANTS * PER_MEMBER,
        license_text=DIGITS_LICENSE,
    )  # fmt: skip
    registry.link_task(created.task_id, published.dataset_id, PER_MEMBER)
    for index in range(PARTICIPANTS):
        network.spawn(index, created.task_id)
    wait_for_members(network, created.task_id, PARTICIPANTS)
    draw = close_draw_when_full(
        registry, created.task_id, PARTICIPANTS, timeout=120, advance=devnet_miner(network.w3)
    )
    network.owner.start_round(created.task_id)

    conduct(network, created.task_id)

    task = network.owner.task(created.task_id)
    assert task.status == TaskStatus.COMPLETED
    assert draw.tickets == PARTICIPANTS
    dealt = [
        registry.assigned_shards(created.task_id, dev_signer(i + 1, DEV_CHAIN_ID).address)
        for i in range(PARTICIPANTS)
    ]
    assert sorted(i for shards in dealt for i in shards) == list(range(PARTICIPANTS * PER_MEMBER))
    final = network.owner.latest_model(created.task_id)
    assert final.round == 1
    assert final.contributors == PARTICIPANTS
    test = load_test_data("digits", task_file.document.data)
    accuracies = []
    for record in (network.owner.model_at(created.task_id, 0), final):
        model = build_model(task_file.document.model, seed=0)
        load_into(model, network.store.get(Cid.from_chain(record.model_digest, record.codec)))
        accuracies.append(evaluate(model, test)[0])
    assert accuracies[1] > accuracies[0] + 0.3
    for proc in network.procs.values():
        assert proc.wait(timeout=60) == 0
