"""The dataset registry on a real Anvil with a real store: publish, link, draw, fetch, refuse.

Each test starts from the module's deployment (``parties``, migrations 001-005 and 007) and
reverts what it did (``chain_snapshot``). Corruption is real: bytes of the store's block files
are changed on disk, or a dataset is registered with a digest that is not its content's.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from protocol_parties import TOKEN, Parties, task_config, task_with_members
from typer.testing import CliRunner
from web3 import Web3

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.controls import mine
from flchain.chain.devnet import Devnet
from flchain.chain.transactions import TxSender
from flchain.cli.data import app as data_app
from flchain.errors import ContractRevertError, IntegrityError
from flchain.fl import load_digits_dataset
from flchain.fl.shards import DatasetSchema, build_shards, split_dataset
from flchain.protocol.dataset_records import (
    BLOCKHASH_WINDOW,
    DatasetId,
    ShardInfo,
    draw_seed,
    draw_shards,
)
from flchain.protocol.datasets_registry import DatasetRegistryClient
from flchain.roles.data.publisher import (
    DIGITS_LICENSE,
    PublishedDataset,
    dataset_name,
    publish_dataset,
)
from flchain.roles.data.shard_draws import (
    close_draw_when_full,
    devnet_miner,
    load_assigned_data,
    settle_draw,
)
from flchain.roles.data.shard_fetch import fetch_shard, fetch_shards
from flchain.storage.local import LocalStore

pytestmark = pytest.mark.integration

runner = CliRunner(env={"COLUMNS": "200"})
SHARDS = 6
PER_MEMBER = 3


@dataclass(frozen=True)
class Registries:
    """The dataset registry as seen by the owner (dev 0), alice (dev 1) and bob (dev 2)."""

    owner: DatasetRegistryClient
    alice: DatasetRegistryClient
    bob: DatasetRegistryClient


@pytest.fixture
def registries(w3: Web3, parties: Parties, chain_snapshot: str) -> Registries:
    clients = [
        DatasetRegistryClient.open(w3, TxSender(w3, dev_signer(i, DEV_CHAIN_ID)), parties.directory)
        for i in range(3)
    ]
    return Registries(*clients)


@pytest.fixture
def devnet_rpc(devnet: Devnet) -> str:
    return devnet.rpc_url


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "store")


def _publish(registries: Registries, store: LocalStore, shards: int = SHARDS) -> PublishedDataset:
    return publish_dataset(
        registries.owner, store, load_digits_dataset(), name="digits", num_shards=shards,
        license_text=DIGITS_LICENSE, seed=5,
    )  # fmt: skip


def _assigned_task(w3: Web3, parties: Parties, registries: Registries, dataset_id: int) -> int:
    """A task of the owner's linked to ``dataset_id``; alice then bob request; the draw is fixed."""
    task_id = task_with_members(parties)
    registries.owner.link_task(task_id, dataset_id, PER_MEMBER)
    registries.alice.request_shards(task_id)
    registries.bob.request_shards(task_id)
    registries.owner.close_draw(task_id)
    mine(w3, 2)  # the target block, and one after it: Anvil estimates gas at the latest block
    registries.bob.fix_draw(task_id, 1)
    return task_id


def _requested_task(parties: Parties, registries: Registries, store: LocalStore) -> int:
    """A task of the owner's linked to a fresh 3-shard dataset, one shard a member; alice has
    requested hers and the draw is open."""
    published = _publish(registries, store, shards=3)
    task_id = task_with_members(parties)
    registries.owner.link_task(task_id, published.dataset_id, 1)
    registries.alice.request_shards(task_id)
    return task_id


def test_publish_registers_a_sealed_dataset_whose_shards_are_in_the_store(
    registries: Registries, store: LocalStore
) -> None:
    published = _publish(registries, store)

    info = registries.owner.dataset(published.dataset_id)
    on_chain = registries.alice.shards(published.dataset_id)
    assert (info.name, info.shard_count, info.sealed) == ("digits", SHARDS, True)
    assert info.owner == registries.owner.account
    assert info.total_bytes == published.total_bytes
    assert on_chain == [s.as_info() for s in published.shards]
    schema = DatasetSchema.from_json(store.get(published.schema_cid))
    assert (schema.samples, schema.shards, schema.sample_shape) == (1797, SHARDS, (1, 8, 8))
    assert store.get(published.license_cid) == DIGITS_LICENSE
    for shard in on_chain:
        data = store.get(published.shards[shard.index].cid)
        assert hashlib.sha256(data).digest() == shard.content_digest


def test_members_are_dealt_consecutive_shards_from_the_target_block_hash(
    w3: Web3, parties: Parties, registries: Registries, store: LocalStore
) -> None:
    published = _publish(registries, store)

    task_id = _assigned_task(w3, parties, registries, published.dataset_id)

    draw = registries.owner.draw(task_id, 1)
    block_hash = bytes(w3.eth.get_block(draw.target_block)["hash"])
    seed = draw_seed(block_hash, DEV_CHAIN_ID, registries.owner.address, task_id, 1)
    assert draw.seed == seed
    alice = registries.owner.assigned_shards(task_id, registries.alice.account)
    bob = registries.owner.assigned_shards(task_id, registries.bob.account)
    assert alice == draw_shards(seed, 0, PER_MEMBER, SHARDS)
    assert bob == draw_shards(seed, 1, PER_MEMBER, SHARDS)
    assert sorted(alice + bob) == list(range(SHARDS))  # two tickets x 3 = 6: dealt once each
    assert registries.owner.assignment_of(task_id, registries.bob.account).indices == bob


def test_member_fetches_verified_assigned_shards_that_are_its_part_of_the_split(
    w3: Web3, parties: Parties, registries: Registries, store: LocalStore
) -> None:
    published = _publish(registries, store)
    task_id = _assigned_task(w3, parties, registries, published.dataset_id)

    assigned = load_assigned_data(parties.alice, registries.alice, store, task_id, timeout=30)

    expected = split_dataset(load_digits_dataset(), SHARDS, seed=5)
    indices = assigned.assignment.indices
    assert [s.info.index for s in assigned.shards] == indices
    features = np.concatenate([expected[i].features for i in indices])
    assert np.array_equal(assigned.data.features, features)
    assert np.array_equal(
        assigned.data.labels, np.concatenate([expected[i].labels for i in indices])
    )


def test_fetch_refuses_a_shard_whose_stored_bytes_were_corrupted(
    registries: Registries, store: LocalStore
) -> None:
    published = _publish(registries, store)
    victim = published.shards[2]
    data = store.get(victim.cid)
    (block,) = [
        p for p in (store.root / "blocks").rglob("*") if p.is_file() and p.read_bytes() == data
    ]
    damaged = bytearray(data)
    damaged[1000] ^= 0x01
    block.write_bytes(bytes(damaged))

    with pytest.raises(IntegrityError, match=r"Shard 2 of dataset \d+ .* is corrupt in the store"):
        fetch_shards(registries.alice, store, published.dataset_id, [2])
    assert len(fetch_shards(registries.alice, store, published.dataset_id, [1, 3])) == 2


def test_fetch_refuses_a_shard_whose_bytes_differ_from_its_registered_digest(
    registries: Registries, store: LocalStore
) -> None:
    published = _publish(registries, store, shards=2)
    real = published.shards[0]
    lying = ShardInfo(0, *real.cid.to_chain(), real.size, hashlib.sha256(b"other bytes").digest())
    dataset_id, _ = registries.owner.register_dataset(
        "liar", published.schema_cid.to_chain(), published.license_cid.to_chain()
    )
    registries.owner.add_shards(dataset_id, [lying])
    registries.owner.seal_dataset(dataset_id)

    registered = registries.bob.shard(dataset_id, 0)
    with pytest.raises(
        IntegrityError, match="does not match its registered digest and was refused"
    ):
        fetch_shard(store, dataset_id, registered)


def test_expired_draw_is_renewed_then_fixed_from_its_new_target(
    w3: Web3, parties: Parties, registries: Registries, store: LocalStore
) -> None:
    task_id = _requested_task(parties, registries, store)
    registries.owner.close_draw(task_id)
    mine(w3, 258)

    with pytest.raises(ContractRevertError) as refused:
        registries.bob.fix_draw(task_id, 1)
    renewed = settle_draw(registries.bob, registries.bob.draw(task_id, 1))
    mine(w3, 2)
    fixed = settle_draw(registries.bob, registries.bob.draw(task_id, 1))

    assert refused.value.error_name == "DatasetDrawExpired"
    assert (renewed, fixed) == (False, True)
    draw = registries.bob.draw(task_id, 1)
    assert draw.renewals == 1
    assert draw.seed == draw_seed(
        bytes(w3.eth.get_block(draw.target_block)["hash"]), DEV_CHAIN_ID,
        registries.bob.address, task_id, 1,
    )  # fmt: skip


def test_request_by_a_non_member_reverts_with_a_decoded_error(
    parties: Parties, registries: Registries, store: LocalStore
) -> None:
    published = _publish(registries, store, shards=2)
    task_id, _ = parties.owner.create_task(task_config(parties.owner.deployment.token))
    registries.owner.link_task(task_id, published.dataset_id, 1)

    with pytest.raises(ContractRevertError) as refused:
        registries.alice.request_shards(task_id)

    assert refused.value.error_name == "DatasetNotMember"
    assert refused.value.error_args == {"taskId": task_id, "member": registries.alice.account}
    assert "DatasetNotMember(" in str(refused.value)


def test_cli_publishes_lists_and_fetches_with_verification(
    devnet_rpc: str, parties: Parties, registries: Registries, store: LocalStore, tmp_path: Path
) -> None:
    where = ["--rpc", devnet_rpc, "--deployments", str(parties.directory)]
    published = runner.invoke(
        data_app, ["publish", "digits", "--shards", "4", "--store", str(store.root), *where]
    )
    assert published.exit_code == 0, published.output
    dataset_id = int(published.stdout.strip().splitlines()[-1])

    listing = runner.invoke(data_app, ["ls", *where, "--json"])
    fetched = runner.invoke(
        data_app,
        ["fetch", "--dataset", str(dataset_id), "--store", str(store.root), "-o", str(tmp_path / "out"),
         *where, "--json"],
    )  # fmt: skip

    assert listing.exit_code == 0, listing.output
    assert fetched.exit_code == 0, fetched.output

    (row,) = [d for d in json.loads(listing.stdout) if d["dataset"] == dataset_id]
    assert (row["shards"], row["sealed"], row["name"]) == (4, True, "digits")
    files = json.loads(fetched.stdout)
    assert [f["index"] for f in files] == [0, 1, 2, 3]
    assert all(f["verified"] for f in files)
    assert sum(Path(f["path"]).stat().st_size for f in files) == row["bytes"]


def test_cli_lists_a_dataset_named_with_rich_markup_and_an_unknown_codec_verbatim(
    devnet_rpc: str, parties: Parties, registries: Registries
) -> None:
    # Anyone registers datasets: a name that is rich markup and a codec flchain does not know.
    digest = hashlib.sha256(b"schema").digest()
    dataset_id, _ = registries.alice.register_dataset("[/bold]", (digest, 0x99), (digest, 0x55))
    registries.alice.add_shards(dataset_id, [ShardInfo(0, digest, 0x42, 10, digest)])
    where = ["--rpc", devnet_rpc, "--deployments", str(parties.directory)]

    listing = runner.invoke(data_app, ["ls", *where])
    shards = runner.invoke(data_app, ["ls", str(dataset_id), *where])

    assert listing.exit_code == 0, listing.output
    assert shards.exit_code == 0, shards.output
    assert "│ [/bold] " in listing.stdout
    assert "invalid CID" in listing.stdout
    assert f"dataset {dataset_id} ([/bold])" in shards.stdout
    assert "invalid CID" in shards.stdout


def test_a_fix_mined_just_past_the_window_is_a_race_and_the_draw_is_then_renewed(
    w3: Web3, parties: Parties, registries: Registries, store: LocalStore
) -> None:
    task_id = _requested_task(parties, registries, store)
    registries.owner.close_draw(task_id)
    target = registries.bob.draw(task_id, 1).target_block
    # The last block at which the draw is not expired: the fix lands one block later.
    mine(w3, target + BLOCKHASH_WINDOW - int(w3.eth.block_number))

    at_edge = settle_draw(registries.bob, registries.bob.draw(task_id, 1))
    renewed = settle_draw(registries.bob, registries.bob.draw(task_id, 1))

    assert (at_edge, renewed) == (False, False)
    assert registries.bob.draw(task_id, 1).renewals == 1


def test_owner_waiting_for_tickets_sees_the_draw_a_member_closed_publicly_fixed(
    w3: Web3, parties: Parties, registries: Registries, store: LocalStore
) -> None:
    task_id = _requested_task(parties, registries, store)

    with ThreadPoolExecutor(1) as pool:
        # The owner waits for two tickets; only one comes, and alice closes the draw herself
        # once the window has passed.
        owner = pool.submit(
            close_draw_when_full, registries.owner, task_id, 2, timeout=60, poll=0.05,
            advance=devnet_miner(w3),
        )  # fmt: skip
        mine(w3, BLOCKHASH_WINDOW)
        closed, _ = registries.alice.close_draw(task_id)
        fixed = owner.result()

    assert (closed, fixed.draw, fixed.tickets, fixed.fixed) == (1, 1, 1, True)


class _InterruptedError(Exception):
    """Stands for the Ctrl-C or crash that stops a publication after its registration."""


def _interrupted_publication(registries: Registries, store: LocalStore, added: int) -> DatasetId:
    """``flchain data publish digits --shards 4`` stopped once registered and ``added`` shards
    in; returns the dataset id its progress reported."""
    reported: list[str] = []

    def stop_once_registered(message: str) -> None:
        reported.append(message)
        if message.startswith("registered dataset"):
            raise _InterruptedError

    with pytest.raises(_InterruptedError):
        publish_dataset(
            registries.owner, store, load_digits_dataset(), name="digits", num_shards=4,
            license_text=DIGITS_LICENSE, on_progress=stop_once_registered,
        )  # fmt: skip
    dataset_id = DatasetId(int(reported[-1].split()[2]))
    assert f"--resume {dataset_id}" in reported[-1]
    encoded = build_shards(load_digits_dataset(), 4, seed=0)[:added]
    first = [ShardInfo(e.index, *store.put(e.data).to_chain(), e.size, e.digest) for e in encoded]
    registries.owner.add_shards(dataset_id, first)
    return dataset_id


def test_cli_resumes_an_interrupted_publication_and_seals_it(
    devnet_rpc: str, parties: Parties, registries: Registries, store: LocalStore
) -> None:
    dataset_id = _interrupted_publication(registries, store, added=2)
    where = ["--rpc", devnet_rpc, "--deployments", str(parties.directory)]

    resumed = runner.invoke(
        data_app,
        ["publish", "digits", "--shards", "4", "--store", str(store.root), "--resume",
         str(dataset_id), *where],
    )  # fmt: skip

    assert resumed.exit_code == 0, resumed.output
    assert int(resumed.stdout.strip().splitlines()[-1]) == dataset_id
    info = registries.alice.dataset(dataset_id)
    assert (info.shard_count, info.sealed) == (4, True)
    expected = build_shards(load_digits_dataset(), 4, seed=0)
    registered = registries.alice.shards(dataset_id)
    assert [s.content_digest for s in registered] == [e.digest for e in expected]
    assert len(fetch_shards(registries.alice, store, dataset_id)) == 4


def test_cli_refuses_to_resume_another_split_a_sealed_dataset_or_anothers(
    devnet_rpc: str, parties: Parties, registries: Registries, store: LocalStore
) -> None:
    dataset_id = _interrupted_publication(registries, store, added=1)
    where = ["--rpc", devnet_rpc, "--deployments", str(parties.directory)]
    publish = ["publish", "digits", "--shards", "4", "--store", str(store.root), *where]

    info = registries.owner.dataset(dataset_id)
    # Same schema and license, but a first shard that is not this split's.
    liar_id, _ = registries.owner.register_dataset(
        "digits", (info.schema_digest, info.schema_codec), (info.license_digest, info.license_codec)
    )
    real = registries.owner.shard(dataset_id, 0)
    registries.owner.add_shards(liar_id, [ShardInfo(0, real.cid_digest, real.codec, 5, b"x" * 32)])

    def resume(*extra: str, dataset: int = dataset_id) -> str:
        refused = runner.invoke(data_app, [*publish, "--resume", str(dataset), *extra])
        assert refused.exit_code != 0
        return str(refused.exception)

    other_split = resume("--seed", "1")
    other_shards = resume(dataset=liar_id)
    others = resume("--account", "dev:1")
    assert registries.owner.dataset(dataset_id).shard_count == 1  # refused: nothing added
    registries.owner.seal_dataset(dataset_id)
    sealed = resume()

    assert f"Dataset {dataset_id} was registered with another schema or license" in other_split
    assert f"Dataset {liar_id} was registered with another split" in other_shards
    assert f"Dataset {dataset_id} belongs to {registries.owner.account}" in others
    assert f"Dataset {dataset_id} is sealed already" in sealed


def test_a_dataset_named_beyond_64_utf8_bytes_is_cut_at_a_character(
    registries: Registries, store: LocalStore
) -> None:
    label = "é" * 40  # 80 bytes in UTF-8

    published = publish_dataset(
        registries.owner, store, load_digits_dataset(), name=dataset_name(label), num_shards=2,
        license_text=DIGITS_LICENSE,
    )  # fmt: skip

    assert registries.owner.dataset(published.dataset_id).name == "é" * 32


def test_a_ticket_locks_its_holders_stake_until_the_draw_is_fixed(
    w3: Web3, parties: Parties, registries: Registries, store: LocalStore
) -> None:
    # One stake cannot serve address after address in one open draw (issue 11): the ticket
    # keeps the stake in the task until the draw is fixed, then the member leaves with all of it.
    published = _publish(registries, store, shards=2)
    token = parties.alice.token()
    before = token.functions.balanceOf(parties.alice.address).call()
    task_id, _ = parties.owner.create_task(task_config(parties.owner.deployment.token))
    registries.owner.link_task(task_id, published.dataset_id, 1)
    parties.alice.join(task_id, 10 * TOKEN)
    registries.alice.request_shards(task_id)

    with pytest.raises(ContractRevertError) as locked:
        parties.alice.leave(task_id)
    registries.owner.close_draw(task_id)
    mine(w3, 2)
    registries.owner.fix_draw(task_id, 1)
    parties.alice.leave(task_id)

    assert locked.value.error_name == "MemberStakeLocked"
    assert locked.value.error_args["draw"] == 1
    assert token.functions.balanceOf(parties.alice.address).call() == before
    assert not parties.alice.member(task_id, parties.alice.address).joined
    assert len(registries.owner.assigned_shards(task_id, registries.alice.account)) == 1
