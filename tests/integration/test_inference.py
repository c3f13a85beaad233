"""On-chain inference on a real Anvil: digits models trained here, finalized on chain, deployed.

The module builds, once (inside a module snapshot): a deployment with the InferenceRegistry
(migration 008); a logistic-regression task and a 64-32-10 MLP task whose round 1 global
model is a model trained here on the digits training split (alice and bob commit and reveal,
both attest it, the owner finalizes: a real finalized model of the registry); and a CNN task.
Both trained models are deployed for inference with :func:`deploy_model` as the owner. The
tests then compare the contracts' answers with the Python fixed-point reference.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
from protocol_parties import attest_all
from torch import nn
from typer.testing import CliRunner
from web3 import Web3

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.controls import increase_time, mine, revert, snapshot
from flchain.chain.devnet import Devnet
from flchain.chain.transactions import TxSender
from flchain.cli.main import app
from flchain.errors import ConfigError, ContractRevertError, UnsupportedModelError
from flchain.fl import (
    ArrayDataset,
    ModelSpec,
    build_model,
    encode_model,
    load_digits_dataset,
    train_local,
    train_test_split,
)
from flchain.fl.quantize import QuantizedModel, predict_fixed, quantize_inputs, quantize_model
from flchain.protocol.client import FLClient
from flchain.protocol.deploy import deploy
from flchain.protocol.inference import InferenceContract
from flchain.protocol.inference_registry import InferenceRegistryClient
from flchain.roles.inference import DeployedModel, deploy_model, predict_rows
from flchain.roles.owner import create_task
from flchain.roles.taskfile import parse_task_file
from flchain.storage.local import LocalStore

pytestmark = pytest.mark.integration

TOKEN = 10**18
PHASE = 100
FAMILIES = ("logreg", "mlp")
runner = CliRunner(env={"COLUMNS": "200"})


def _config(name: str, model: dict[str, object]) -> dict[str, object]:
    task = {
        "name": name,
        "rounds": 2,
        "commit_seconds": PHASE,
        "reveal_seconds": PHASE,
        "attest_seconds": PHASE,
    }
    return {"task": task, "model": model}


CONFIGS = {
    "logreg": _config("digits-logreg", {"family": "logreg"}),
    "mlp": _config("digits-mlp", {"family": "mlp", "hidden_sizes": [32]}),
    "cnn": _config("digits-cnn", {"family": "cnn", "channels": [4]}),
}


@dataclass(frozen=True)
class Trained:
    """A task whose round 1 global model is ``model``, and its inference contract."""

    task_id: int
    spec: ModelSpec
    model: nn.Module
    deployed: DeployedModel


@dataclass(frozen=True)
class World:
    rpc: str
    deployments: Path
    store: Path
    owner: FLClient
    alice: FLClient
    registry: InferenceRegistryClient
    test: ArrayDataset
    trained: dict[str, Trained]
    cnn_task: int

    def options(self) -> list[str]:
        return ["--rpc", self.rpc, "--deployments", str(self.deployments)]


def _next_phase(w3: Web3) -> None:
    increase_time(w3, PHASE)
    mine(w3)


def _finalize_round_one(
    w3: Web3, store: LocalStore, p: tuple[FLClient, ...], task_id: int, model: nn.Module
) -> None:
    """alice reveals ``model`` and bob another update; both attest ``model``; owner finalizes."""
    owner, alice, bob = p
    owner.start_round(task_id)
    trained = store.put(encode_model(model)).to_chain()
    other = store.put(encode_model(build_model(CONFIGS_SPEC["logreg"], seed=99))).to_chain()
    salts = (b"\x01" * 32, b"\x02" * 32)
    for member, (digest, codec), salt in zip((alice, bob), (trained, other), salts, strict=True):
        member.commit(task_id, 1, digest, codec, salt)
    _next_phase(w3)
    for member, (digest, codec), salt in zip((alice, bob), (trained, other), salts, strict=True):
        member.reveal(task_id, 1, digest, codec, salt)
    _next_phase(w3)
    attest_all([alice, bob], task_id, 1, (trained[0], trained[1], 0b11, b"\x44" * 32))
    owner.finalize_round(task_id, trained[0], trained[1], 0b11, b"\x44" * 32)


CONFIGS_SPEC = {name: parse_task_file(config).document.model for name, config in CONFIGS.items()}


def _train(spec: ModelSpec, data: ArrayDataset) -> nn.Module:
    model = build_model(spec, seed=0)
    train_local(model, data, epochs=8, batch_size=16, lr=0.1, seed=0)
    return model.eval()


@pytest.fixture(scope="module")
def world(w3: Web3, devnet: Devnet, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    module_snapshot = snapshot(w3)
    deployments = tmp_path_factory.mktemp("deployments")
    store_dir = tmp_path_factory.mktemp("store")
    owner_sender = TxSender(w3, dev_signer(0, DEV_CHAIN_ID))
    report = deploy(w3, owner_sender, directory=deployments)
    assert report.deployment is not None
    parties = tuple(
        FLClient(w3, report.deployment, TxSender(w3, dev_signer(i, DEV_CHAIN_ID))) for i in range(3)
    )
    owner, alice, bob = parties
    store = LocalStore(store_dir)
    registry = InferenceRegistryClient.for_chain(w3, deployments, owner_sender)
    train, test = train_test_split(load_digits_dataset())
    trained: dict[str, Trained] = {}
    for family in FAMILIES:
        task_id = create_task(owner, store, parse_task_file(CONFIGS[family])).task_id
        for member in (alice, bob):
            member.join(task_id, 10 * TOKEN)
        model = _train(CONFIGS_SPEC[family], train)
        _finalize_round_one(w3, store, parties, task_id, model)
        deployed = deploy_model(owner, registry, owner_sender, store, task_id)
        trained[family] = Trained(task_id, CONFIGS_SPEC[family], model, deployed)
    cnn_task = create_task(owner, store, parse_task_file(CONFIGS["cnn"])).task_id
    yield World(
        devnet.rpc_url, deployments, store_dir, owner, alice, registry, test, trained, cnn_task
    )
    revert(w3, module_snapshot)


def _reference(world: World, family: str) -> tuple[QuantizedModel, np.ndarray, np.ndarray]:
    """(quantized model, int64 inputs of the test set, Python fixed-point scores)."""
    quantized = quantize_model(world.trained[family].model)
    inputs = quantize_inputs(world.test.features, quantized.input_size)
    return quantized, inputs, predict_fixed(quantized, inputs).scores


def _contract(world: World, family: str) -> InferenceContract:
    return InferenceContract(world.owner.w3, world.trained[family].deployed.address)


# ---------------------------------------------------------------------- deploy-model


@pytest.mark.parametrize("family", FAMILIES)
def test_deploy_model_links_a_contract_holding_the_quantized_round_model(
    world: World, family: str
) -> None:
    trained = world.trained[family]
    contract = _contract(world, family)
    record = world.owner.model_at(trained.task_id, 1)
    weights = quantize_model(trained.model).to_bytes()

    linked = world.registry.inference_of(trained.task_id, 1, world.owner.address)

    assert trained.deployed.round == 1  # the default: the latest finalized round
    assert linked == trained.deployed.address
    assert (contract.model_digest(), contract.model_codec()) == (record.model_digest, record.codec)
    assert contract.read_weights() == weights
    assert contract.matches(weights)
    expected = (64, 10) if family == "logreg" else (64, 32, 10)
    assert contract.architecture()[0] == expected == trained.deployed.sizes


# ---------------------------------------------------------------------- predictions


@pytest.mark.parametrize("family", FAMILIES)
def test_contract_equals_the_fixed_point_reference_on_the_whole_digits_test_set(
    world: World, family: str
) -> None:
    _, inputs, scores = _reference(world, family)

    found = _contract(world, family).predict_batch(inputs.tolist())

    assert len(found) == len(world.test) == 359
    assert [p.label for p in found] == np.argmax(scores, axis=1).tolist()
    assert [list(p.scores) for p in found] == scores.tolist()


@pytest.mark.parametrize("family", FAMILIES)
def test_single_predict_equals_the_fixed_point_reference(world: World, family: str) -> None:
    _, inputs, scores = _reference(world, family)
    contract = _contract(world, family)

    found = [contract.predict(inputs[i].tolist()) for i in range(8)]

    assert [p.label for p in found] == np.argmax(scores[:8], axis=1).tolist()
    assert [list(p.scores) for p in found] == scores[:8].tolist()


def test_a_model_spanning_several_weight_chunks_predicts_as_the_fixed_point_reference(
    world: World, w3: Web3, chain_snapshot: str
) -> None:
    # A 64-256-10 MLP with its initial (random) weights as the finalized round 1 model:
    # 19,210 int16 parameters, 38,420 bytes, more than one chunk of CHUNK_CAPACITY bytes.
    config = _config("digits-mlp-256", {"family": "mlp", "hidden_sizes": [256]})
    spec = parse_task_file(config).document.model
    store = LocalStore(world.store)
    owner, alice = world.owner, world.alice
    bob = FLClient(w3, owner.deployment, TxSender(w3, dev_signer(2, DEV_CHAIN_ID)))
    task_id = create_task(owner, store, parse_task_file(config)).task_id
    for member in (alice, bob):
        member.join(task_id, 10 * TOKEN)
    model = build_model(spec, seed=7).eval()
    _finalize_round_one(w3, store, (owner, alice, bob), task_id, model)
    sender = TxSender(w3, dev_signer(0, DEV_CHAIN_ID))
    registry = InferenceRegistryClient.for_chain(w3, world.deployments, sender)

    deployed = deploy_model(owner, registry, sender, store, task_id)

    quantized = quantize_model(model)
    assert quantized.parameter_count * 2 > 24_575
    assert len(deployed.chunks) == -(-quantized.parameter_count * 2 // 24_575) >= 2
    contract = InferenceContract(w3, deployed.address)
    assert contract.read_weights() == quantized.to_bytes()
    inputs = quantize_inputs(world.test.features[:6], quantized.input_size)
    scores = predict_fixed(quantized, inputs).scores
    found = [contract.predict(row.tolist()) for row in inputs]
    assert [list(p.scores) for p in found] == scores.tolist()
    assert [p.label for p in found] == np.argmax(scores, axis=1).tolist()


@pytest.mark.parametrize("family", FAMILIES)
def test_fixed_point_accuracy_is_within_half_a_point_of_the_float_model(
    world: World, family: str
) -> None:
    labels = world.test.labels
    with torch.no_grad():
        float_labels = world.trained[family].model(torch.from_numpy(world.test.features)).argmax(1)

    result = predict_rows(
        world.owner, world.registry, world.trained[family].task_id, world.test.features
    )

    float_accuracy = float((float_labels.numpy() == labels).mean())
    fixed_accuracy = float((np.array(result.labels) == labels).mean())
    assert float_accuracy > 0.9
    assert abs(fixed_accuracy - float_accuracy) <= 0.005


# ---------------------------------------------------------------------- CLI


def test_cli_deploy_model_prints_the_address_and_predict_prints_one_class_per_row(
    world: World, chain_snapshot: str, tmp_path: Path
) -> None:
    trained = world.trained["mlp"]
    _, _inputs, scores = _reference(world, "mlp")
    csv = tmp_path / "rows.csv"
    header = ",".join(f"pixel{i}" for i in range(64))
    rows = world.test.features.reshape(len(world.test), -1)
    csv.write_text(header + "\n" + "\n".join(",".join(repr(float(v)) for v in r) for r in rows))

    deployed = runner.invoke(
        app, ["deploy-model", str(trained.task_id), *world.options(), "--store", str(world.store)]
    )
    predicted = runner.invoke(
        app, ["predict", "--task", str(trained.task_id), "--input", str(csv), *world.options()]
    )

    assert deployed.exit_code == 0, deployed.output
    address = deployed.stdout.strip()
    assert Web3.is_checksum_address(address)
    assert world.registry.inference_of(trained.task_id, 1, world.owner.address) == address
    assert predicted.exit_code == 0, predicted.output
    assert predicted.stdout.split() == [str(c) for c in np.argmax(scores, axis=1)]


def test_cli_predict_reads_npy_and_prints_json_with_scores(world: World, tmp_path: Path) -> None:
    trained = world.trained["logreg"]
    _, _, scores = _reference(world, "logreg")
    array = tmp_path / "rows.npy"
    np.save(array, world.test.features[:5])  # (5, 1, 8, 8): trailing axes are flattened

    result = runner.invoke(
        app,
        [
            "predict",
            "--task",
            str(trained.task_id),
            "--round",
            "1",
            "--input",
            str(array),
            "--json",
            *world.options(),
        ],
    )

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["address"] == trained.deployed.address
    assert document["labels"] == np.argmax(scores[:5], axis=1).tolist()
    assert document["scores"] == scores[:5].tolist()
    assert document["score_frac_bits"] == 16


# ---------------------------------------------------------------------- errors


def test_deploy_model_refuses_a_cnn_with_one_sentence(world: World) -> None:
    sender = TxSender(world.owner.w3, dev_signer(0, DEV_CHAIN_ID))
    store = LocalStore(world.store)

    with pytest.raises(UnsupportedModelError) as refused:
        deploy_model(world.owner, world.registry, sender, store, world.cnn_task, 0)

    assert str(refused.value) == (
        "A 'cnn' model cannot run on chain: on-chain inference supports dense layers with ReLU "
        "between them (families 'logreg' and 'mlp') only, not convolutions or pooling."
    )


def test_deploy_model_refuses_a_task_without_finalized_round(world: World) -> None:
    sender = TxSender(world.owner.w3, dev_signer(0, DEV_CHAIN_ID))

    with pytest.raises(ConfigError, match=r"has no finalized round yet; give ROUND 0"):
        deploy_model(world.owner, world.registry, sender, LocalStore(world.store), world.cnn_task)


def test_deploy_model_refuses_a_round_with_no_global_model_yet(world: World) -> None:
    sender = TxSender(world.owner.w3, dev_signer(0, DEV_CHAIN_ID))
    task_id = world.trained["logreg"].task_id

    with pytest.raises(
        ConfigError, match=r"Round 2 of task \d+ is in its [\w ]+ phase and has no global model yet"
    ):
        deploy_model(world.owner, world.registry, sender, LocalStore(world.store), task_id, 2)


def test_predict_refuses_rows_of_the_wrong_width(world: World) -> None:
    task_id = world.trained["mlp"].task_id
    narrow = world.test.features.reshape(len(world.test), -1)[:3, :63]

    with pytest.raises(ConfigError) as refused:
        predict_rows(world.owner, world.registry, task_id, narrow, source="rows.csv")

    assert str(refused.value) == (
        f"rows.csv has rows of 63 features, but the model of task {task_id} round 1 takes 64 "
        "features per row."
    )


def test_cli_predict_reports_a_wrong_shape_in_one_line(world: World, tmp_path: Path) -> None:
    csv = tmp_path / "short.csv"
    csv.write_text("0.5,0.25\n1,0\n")
    task_id = world.trained["logreg"].task_id

    result = runner.invoke(
        app, ["predict", "--task", str(task_id), "--input", str(csv), *world.options()]
    )

    assert result.exit_code != 0
    assert isinstance(result.exception, ConfigError)
    assert "has rows of 2 features, but the model" in str(result.exception)


def test_registry_refuses_to_link_a_contract_of_another_model(
    world: World, chain_snapshot: str
) -> None:
    logreg = world.trained["logreg"].deployed.address
    mlp_task = world.trained["mlp"].task_id

    with pytest.raises(ContractRevertError) as refused:
        world.registry.link(mlp_task, 1, logreg)

    assert refused.value.error_name == "InferenceRegistryModelMismatch"
    assert refused.value.error_args["taskId"] == mlp_task
    assert refused.value.error_args["statedDigest"] == _contract(world, "logreg").model_digest()


def test_predict_names_other_linkers_when_the_owner_linked_nothing(
    world: World, chain_snapshot: str
) -> None:
    task_id = world.trained["mlp"].task_id
    alice_sender = TxSender(world.owner.w3, dev_signer(1, DEV_CHAIN_ID))
    alice_registry = InferenceRegistryClient(world.owner.w3, world.registry.address, alice_sender)
    deployed = deploy_model(
        world.alice, alice_registry, alice_sender, LocalStore(world.store), task_id, 0
    )
    rows = world.test.features[:4]

    with pytest.raises(ConfigError) as refused:
        predict_rows(world.owner, world.registry, task_id, rows, round_id=0)
    by_alice = predict_rows(
        world.owner, world.registry, task_id, rows, round_id=0, linker=world.alice.address
    )

    assert str(refused.value).startswith(
        f"The task owner {world.owner.address} has linked no inference contract to task "
        f"{task_id} round 0 (linked by: {world.alice.address}); deploy one with"
    )
    assert by_alice.address == deployed.address
    assert len(by_alice.labels) == 4
