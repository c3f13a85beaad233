"""``flchain registry`` and ``flchain task`` against a task with one finalized round.

The module builds the task once (inside a module snapshot): the owner role creates it from a
task config, two participants commit and reveal real model updates kept in a tmp store, the
aggregator role aggregates them, both attest and one finalizes; the chain clock is moved past
each phase. The commands then read only the chain and the store, as a fresh process would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from protocol_parties import attest_salt, move_to_attest_reveal
from typer.testing import CliRunner, Result
from web3 import Web3

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.controls import increase_time, mine, revert, snapshot
from flchain.chain.devnet import Devnet
from flchain.chain.transactions import TxSender
from flchain.cli.registry import app as registry_app
from flchain.cli.task import app as task_app
from flchain.errors import ConfigError, ContentNotFoundError
from flchain.fl import build_model, encode_model
from flchain.protocol.client import FLClient
from flchain.protocol.deploy import deploy
from flchain.protocol.task_reader import open_task_reader
from flchain.roles.aggregator import RoundResult, aggregate_round
from flchain.roles.owner import CreatedTask, create_task
from flchain.roles.taskfile import parse_task_file
from flchain.storage.cid import Cid
from flchain.storage.local import LocalStore
from flchain.storage.unixfs import compute_cid

pytestmark = pytest.mark.integration

TOKEN = 10**18
PHASE = 100
CONFIG = {
    "task": {
        "name": "registry-test",
        "rounds": 2,
        "rule": "fedavg",
        "commit_seconds": PHASE,
        "reveal_seconds": PHASE,
        "attest_seconds": PHASE,
    },
    "model": {"family": "mlp", "hidden_sizes": [4]},
}
CONFIG_TOML = """
[task]
name = "created-by-cli"
rounds = 3
rule = "fedavg"
commit_seconds = 100
reveal_seconds = 100
attest_seconds = 100

[model]
family = "logreg"
"""

runner = CliRunner(env={"COLUMNS": "200"})  # wide enough for unfolded addresses


@dataclass(frozen=True)
class World:
    """The chain, store and facts the commands are checked against."""

    rpc: str
    deployments: Path
    store: Path
    owner: FLClient
    alice: FLClient
    bob: FLClient
    created: CreatedTask
    result: RoundResult
    round_one_gas: int

    def options(self, *, store: Path | None = None) -> list[str]:
        location = ["--rpc", self.rpc, "--deployments", str(self.deployments)]
        return [*location, "--store", str(store or self.store)]


def _next_phase(w3: Web3) -> None:
    increase_time(w3, PHASE)
    mine(w3)


def _run_round_one(
    w3: Web3, store: LocalStore, owner: FLClient, members: list[FLClient], task_id: int
) -> tuple[RoundResult, int]:
    """Drive round 1 by hand; returns the aggregate and the gas of the round's transactions."""
    gas = owner.start_round(task_id)[1].gas_used
    updates = []
    for seed, member in enumerate(members, start=10):
        digest, codec = store.put(encode_model(build_model(CONFIG_SPEC, seed=seed))).to_chain()
        salt = bytes([seed]) * 32
        gas += member.commit(task_id, 1, digest, codec, salt).gas_used
        updates.append((member, digest, codec, salt))
    _next_phase(w3)
    for member, digest, codec, salt in updates:
        gas += member.reveal(task_id, 1, digest, codec, salt).gas_used
    _next_phase(w3)
    initial = owner.model_at(task_id, 0)
    parent = Cid.from_chain(initial.model_digest, initial.codec)
    revealed = owner.revealed_updates(task_id, 1)
    result = aggregate_round(task_id, 1, "fedavg", parent, store.get(parent), revealed, store)
    digest, codec = result.model_cid.to_chain()
    attested = (digest, codec, result.accepted_bitmap, result.metrics_digest)
    for member in members:
        gas += member.commit_attestation(task_id, 1, *attested, attest_salt(member)).gas_used
    move_to_attest_reveal(members[0], task_id, 1)
    for member in members:
        gas += member.reveal_attestation(task_id, 1, *attested, attest_salt(member))[0].gas_used
    gas += owner.finalize_round(
        task_id, digest, codec, result.accepted_bitmap, result.metrics_digest
    ).gas_used
    return result, gas


CONFIG_SPEC = parse_task_file(CONFIG).document.model


@pytest.fixture(scope="module")
def world(w3: Web3, devnet: Devnet, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    module_snapshot = snapshot(w3)
    deployments = tmp_path_factory.mktemp("deployments")
    store_dir = tmp_path_factory.mktemp("store")
    report = deploy(w3, TxSender(w3, dev_signer(0, DEV_CHAIN_ID)), directory=deployments)
    assert report.deployment is not None
    owner, alice, bob = (
        FLClient(w3, report.deployment, TxSender(w3, dev_signer(i, DEV_CHAIN_ID))) for i in range(3)
    )
    store = LocalStore(store_dir)
    created = create_task(owner, store, parse_task_file(CONFIG))
    for member in (alice, bob):
        member.join(created.task_id, 10 * TOKEN)
    result, gas = _run_round_one(w3, store, owner, [alice, bob], created.task_id)
    yield World(devnet.rpc_url, deployments, store_dir, owner, alice, bob, created, result, gas)
    revert(w3, module_snapshot)


def _json(app: Any, args: list[str]) -> Any:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # the whole of stdout is one JSON document


def _fails(app: Any, args: list[str]) -> BaseException:
    result: Result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert result.exception is not None
    return result.exception


# ---------------------------------------------------------------------- registry tasks / rounds


def test_registry_tasks_lists_the_task_with_rounds_members_rule_and_amounts(world: World) -> None:
    listing = _json(
        registry_app, ["tasks", "--rpc", world.rpc, "--deployments", str(world.deployments)]
    )

    assert listing["chain_id"] == DEV_CHAIN_ID
    (task,) = listing["tasks"]
    assert task["task_id"] == world.created.task_id
    assert (task["owner"], task["status"], task["rule"]) == (
        world.owner.address,
        "active",
        "fedavg",
    )
    assert (task["finalized_rounds"], task["num_rounds"], task["members"]) == (1, 2, 2)
    assert (task["total_stake"], task["reward_pool"]) == (20 * TOKEN, 100 * TOKEN)


def test_registry_tasks_prints_a_table_for_humans(world: World) -> None:
    result = runner.invoke(
        registry_app, ["tasks", "--rpc", world.rpc, "--deployments", str(world.deployments)]
    )

    assert result.exit_code == 0, result.output
    assert "fedavg" in result.stdout
    assert "1/2" in result.stdout
    assert "active" in result.stdout


def test_registry_rounds_lists_initial_finalized_and_open_rounds(world: World) -> None:
    listing = _json(registry_app, ["rounds", "1", *world.options()])

    initial, first, second = listing["rounds"]
    assert (initial["round"], initial["phase"], initial["model_cid"]) == (
        0,
        "initial",
        str(world.created.initial_model),
    )
    assert (first["phase"], first["parent_round"], first["revealed"]) == ("finalized", 0, 2)
    assert (first["contributors"], first["attesters"]) == (2, 2)
    assert first["model_cid"] == str(world.result.model_cid)
    assert first["metrics_cid"] == str(world.result.metrics_cid)
    assert (second["phase"], second["parent_round"], second["model_cid"]) == ("commit", 1, None)


# ---------------------------------------------------------------------- registry show


def test_registry_show_gives_contributors_attestations_metrics_and_gas_of_a_round(
    world: World,
) -> None:
    detail = _json(registry_app, ["show", "1", "1", *world.options()])

    assert (detail["round"], detail["phase"], detail["parent_round"]) == (1, "finalized", 0)
    assert detail["model_cid"] == str(world.result.model_cid)
    contributors = [
        (c["address"], c["reveal_index"], c["accepted"]) for c in detail["contributors"]
    ]
    assert contributors == [(world.alice.address, 0, True), (world.bob.address, 1, True)]
    attestations = [(a["attester"], a["agrees"], a["weight"]) for a in detail["attestations"]]
    assert attestations == [
        (world.alice.address, True, 10 * TOKEN),
        (world.bob.address, True, 10 * TOKEN),
    ]
    assert {a["model_cid"] for a in detail["attestations"]} == {str(world.result.model_cid)}
    assert detail["metrics"] == json.loads(world.result.metrics)
    # start, 2 commits, 2 reveals, 2 attestation commits, 2 attestation reveals, finalize
    assert (detail["gas_used"], detail["transactions"]) == (world.round_one_gas, 10)


def test_registry_show_defaults_to_the_latest_finalized_round(world: World) -> None:
    detail = _json(registry_app, ["show", "1", *world.options()])

    assert (detail["round"], detail["model_cid"]) == (1, str(world.result.model_cid))


def test_registry_show_counts_no_gas_for_a_round_opened_by_the_previous_finalization(
    world: World,
) -> None:
    detail = _json(registry_app, ["show", "1", "2", *world.options()])

    assert (detail["phase"], detail["model_cid"], detail["contributors"]) == ("commit", None, [])
    assert (detail["gas_used"], detail["transactions"]) == (0, 0)


def test_registry_show_round_zero_gives_the_initial_model_and_creation_gas(world: World) -> None:
    detail = _json(registry_app, ["show", "1", "0", *world.options()])

    assert (detail["phase"], detail["model_cid"]) == ("initial", str(world.created.initial_model))
    assert (detail["gas_used"], detail["transactions"]) == (world.created.gas_used, 1)


def test_registry_show_prints_the_round_for_humans(world: World) -> None:
    result = runner.invoke(registry_app, ["show", "1", "1", *world.options()])

    assert result.exit_code == 0, result.output
    assert str(world.result.model_cid) in result.stdout
    assert "Contributors" in result.stdout
    assert "Attestations" in result.stdout
    assert '"rule": "fedavg"' in result.stdout  # the metrics document


def test_registry_show_says_the_task_does_not_exist_when_it_does_not(world: World) -> None:
    error = _fails(registry_app, ["show", "9", *world.options()])

    assert isinstance(error, ConfigError)
    assert "Task 9 does not exist" in str(error)
    assert "flchain registry tasks" in str(error)


# ---------------------------------------------------------------------- registry download


def test_registry_download_writes_the_verified_model_and_prints_how_to_load_it(
    world: World, tmp_path: Path
) -> None:
    target = tmp_path / "round1.bin"

    result = runner.invoke(
        registry_app, ["download", "1", "1", "-o", str(target), *world.options()]
    )

    assert result.exit_code == 0, result.output
    assert compute_cid(target.read_bytes()) == world.result.model_cid
    assert target.read_bytes() == world.result.model
    snippet = result.stdout.split("load it with:\n", 1)[1]
    namespace: dict[str, Any] = {}
    exec(snippet, namespace)  # the printed instructions run and load the model
    assert encode_model(namespace["model"]) == world.result.model


def test_registry_download_json_defaults_to_the_latest_model(world: World, tmp_path: Path) -> None:
    target = tmp_path / "latest.bin"

    document = _json(registry_app, ["download", "1", "-o", str(target), *world.options()])

    assert (document["round"], document["cid"], document["bytes"]) == (
        1,
        str(world.result.model_cid),
        len(world.result.model),
    )
    assert document["spec"]["hidden_sizes"] == [4]
    assert "load_into(model" in document["load"]


def test_registry_download_names_the_missing_model_when_the_store_lacks_it(
    world: World, tmp_path: Path
) -> None:
    error = _fails(
        registry_app,
        [
            "download",
            "1",
            "1",
            "-o",
            str(tmp_path / "m.bin"),
            *world.options(store=tmp_path / "empty"),
        ],
    )

    assert isinstance(error, ContentNotFoundError)
    assert f"lacks the global model of task 1 round 1 ({world.result.model_cid})" in str(error)
    assert not (tmp_path / "m.bin").exists()


def test_registry_download_refuses_a_round_without_a_model_yet(
    world: World, tmp_path: Path
) -> None:
    error = _fails(
        registry_app, ["download", "1", "2", "-o", str(tmp_path / "m.bin"), *world.options()]
    )

    assert isinstance(error, ConfigError)
    assert "commit phase and has no global model yet; the latest is round 1" in str(error)


def test_flchain_command_prints_only_the_task_list_json_from_a_fresh_process(world: World) -> None:
    flchain = Path(sys.executable).parent / "flchain"  # the installed console script
    args = [
        "registry",
        "tasks",
        "--json",
        "--rpc",
        world.rpc,
        "--deployments",
        str(world.deployments),
    ]

    done = subprocess.run(
        [str(flchain), *args], capture_output=True, text=True, timeout=60, check=False
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["tasks"][0]["task_id"] == 1  # stdout is one JSON document


TASKS_PROBE = """
import sys
from flchain.cli.main import run
sys.argv = ["flchain", "registry", "tasks", "--json", "--rpc", sys.argv[1], "--deployments", sys.argv[2]]
try:
    run()
except SystemExit:
    pass
print("loaded:", "torch" in sys.modules, "web3" in sys.modules, file=sys.stderr)
"""


def test_registry_tasks_lists_the_tasks_without_importing_torch_or_web3(world: World) -> None:
    args = [world.rpc, str(world.deployments)]

    done = subprocess.run(
        [sys.executable, "-c", TASKS_PROBE, *args], capture_output=True, text=True, check=True
    )

    assert json.loads(done.stdout)["tasks"][0]["task_id"] == world.created.task_id
    assert done.stderr.strip().endswith("loaded: False False")


def test_task_reader_reads_the_same_task_as_the_web3_client(world: World) -> None:
    reader = open_task_reader(world.rpc, world.deployments)

    task = reader.task(world.created.task_id)

    assert reader.deployment == world.owner.deployment
    assert reader.task_count() == world.owner.task_count()
    assert task == world.owner.task(world.created.task_id)


# ---------------------------------------------------------------------- task create / start / status


def test_task_create_start_status_run_a_task_from_a_config_file(
    world: World, chain_snapshot: str, tmp_path: Path
) -> None:
    config = tmp_path / "task.toml"
    config.write_text(CONFIG_TOML)
    options = world.options()

    created = _json(task_app, ["create", "--config", str(config), "--account", "dev:0", *options])
    world.alice.join(created["task"], 10 * TOKEN)
    started = _json(task_app, ["start", str(created["task"]), "--account", "dev:0", *options[:4]])
    status = _json(task_app, ["status", str(created["task"]), *options[:4]])

    assert created["task"] == 2
    store = LocalStore(world.store)
    assert store.has(Cid.parse(created["initial_model"]))
    assert store.has(Cid.parse(created["document"]))
    assert world.owner.task(2).model_spec_digest == Cid.parse(created["document"]).to_chain()[0]
    assert (started["round"], started["reveal_deadline"] - started["commit_deadline"]) == (1, PHASE)
    assert (status["round"], status["phase"], status["commit_deadline"]) == (
        1,
        "commit",
        started["commit_deadline"],
    )
    assert status["chain_time"] < status["commit_deadline"]
    assert (status["task"]["num_rounds"], status["task"]["rule"]) == (3, "fedavg")
    assert [(m["address"], m["state"], m["stake"]) for m in status["members"]] == [
        (world.alice.address, "waiting", 10 * TOKEN)
    ]


def test_task_status_shows_a_completed_task_as_completed(
    world: World, w3: Web3, chain_snapshot: str
) -> None:
    one_round = replace(parse_task_file(CONFIG), rounds=1)
    created = create_task(world.owner, LocalStore(world.store), one_round)
    for member in (world.alice, world.bob):
        member.join(created.task_id, 10 * TOKEN)
    _run_round_one(
        w3, LocalStore(world.store), world.owner, [world.alice, world.bob], created.task_id
    )

    status = _json(task_app, ["status", str(created.task_id), *world.options()[:4]])
    shown = runner.invoke(task_app, ["status", str(created.task_id), *world.options()[:4]])

    assert (status["task"]["status"], status["phase"], status["commit_deadline"]) == (
        "completed",
        "completed",
        None,
    )
    assert f"task {created.task_id} completed: round 1 (completed)" in shown.stdout


def test_task_status_prints_phase_deadlines_and_members_for_humans(world: World) -> None:
    result = runner.invoke(
        task_app, ["status", "1", "--rpc", world.rpc, "--deployments", str(world.deployments)]
    )

    assert result.exit_code == 0, result.output
    assert "round 2 (commit)" in result.stdout
    assert "2 member(s)" in result.stdout
    assert world.bob.address in result.stdout


def test_task_create_names_the_key_when_the_config_is_wrong(world: World, tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[task]\nquorum = 0.4\n")

    error = _fails(task_app, ["create", "--config", str(config), *world.options()])

    assert isinstance(error, ConfigError)
    assert "task.quorum" in str(error)
