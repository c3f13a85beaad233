"""`flchain predict` on a Hardhat 3 node, whose `eth_call` gas is capped at 16,777,216 (2**24):
the whole digits test set is classified in batches that fit the cap, and equals the Python
fixed-point reference. Before, every batch call asked for 25,000,000 gas and Hardhat refused it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hardhat_node import hardhat_node
from test_inference import CONFIGS, CONFIGS_SPEC, _finalize_round_one, _train
from typer.testing import CliRunner
from web3 import Web3

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.connection import connect
from flchain.chain.transactions import TxSender
from flchain.cli.main import app
from flchain.fl import load_digits_dataset, train_test_split
from flchain.fl.quantize import predict_fixed, quantize_inputs, quantize_model
from flchain.protocol.client import FLClient
from flchain.protocol.deploy import deploy
from flchain.protocol.inference_registry import InferenceRegistryClient
from flchain.roles.inference import deploy_model
from flchain.roles.owner import create_task
from flchain.roles.taskfile import parse_task_file
from flchain.storage.local import LocalStore

pytestmark = pytest.mark.integration

TOKEN = 10**18


@pytest.fixture(scope="module")
def hardhat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with hardhat_node(tmp_path_factory.mktemp("hardhat") / "node.log") as url:
        yield url


def test_predict_classifies_the_digits_test_set_on_a_hardhat_node(
    hardhat: str, tmp_path: Path
) -> None:
    w3: Web3 = connect(hardhat)
    deployments, store = tmp_path / "deployments", LocalStore(tmp_path / "store")
    owner_sender = TxSender(w3, dev_signer(0, DEV_CHAIN_ID))
    report = deploy(w3, owner_sender, directory=deployments)
    assert report.deployment is not None
    parties = tuple(
        FLClient(w3, report.deployment, TxSender(w3, dev_signer(i, DEV_CHAIN_ID))) for i in range(3)
    )
    owner = parties[0]
    task_id = create_task(owner, store, parse_task_file(CONFIGS["mlp"])).task_id
    for member in parties[1:]:
        member.join(task_id, 10 * TOKEN)
    train, test = train_test_split(load_digits_dataset())
    model = _train(CONFIGS_SPEC["mlp"], train)
    _finalize_round_one(w3, store, parties, task_id, model)
    registry = InferenceRegistryClient.for_chain(w3, deployments, owner_sender)
    deploy_model(owner, registry, owner_sender, store, task_id)
    quantized = quantize_model(model)
    expected = predict_fixed(quantized, quantize_inputs(test.features, quantized.input_size))
    rows = tmp_path / "rows.npy"
    np.save(rows, test.features)

    result = CliRunner().invoke(
        app,
        ["predict", "--task", str(task_id), "--input", str(rows), "--json",
         "--rpc", hardhat, "--deployments", str(deployments)],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert len(document["labels"]) == len(test) == 359
    assert document["labels"] == np.argmax(expected.scores, axis=1).tolist()
    assert document["scores"] == expected.scores.tolist()
