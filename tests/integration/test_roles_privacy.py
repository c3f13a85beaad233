"""Differential privacy end to end, with the demo machinery on a real Anvil and a real store.

Two participant processes train with DP-SGD under a budget that fits two of the task's three
rounds: they contribute to rounds 1 and 2, then stop (and say so in their logs and privacy
ledgers) while still attesting, so round 3 finalizes the unchanged model with no contributor.
The epsilon in ``summary.json``, in the participants' ledgers and in ``flchain registry
privacy`` (recomputed from the task document and the chain alone) must agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flchain.chain.devnet import Devnet
from flchain.cli.registry import app as registry_app
from flchain.demo.run import DemoOptions, DemoState, run_demo
from flchain.demo.summary import summary_document
from flchain.fl.privacy import PrivacyParams, epsilon_curve
from flchain.protocol.session import open_client
from flchain.roles.privacy.training import LEDGER_FILE
from flchain.roles.privacy.view import resting_members, task_document
from flchain.storage.local import LocalStore

pytestmark = pytest.mark.integration

PARTICIPANTS = 2
ROUNDS = 3
EPOCHS = 1
PRIVACY = PrivacyParams("sample", 1.0, 1.0, 1e-5, sample_rate=0.1)

runner = CliRunner(env={"COLUMNS": "200"})


@dataclass(frozen=True)
class Run:
    """A finished demo run and where it left its traces."""

    state: DemoState
    devnet: Devnet
    root: Path
    curve: tuple[float, ...]  # epsilon after 1, 2, 3 contributed rounds


def write_config(path: Path, budget: float) -> Path:
    path.write_text(
        f"""
[task]
name = "dp-budget"
rounds = {ROUNDS}
rule = "fedavg"

[model]
family = "mlp"
hidden_sizes = [64]

[training]
epochs = {EPOCHS}
lr = 0.5

[privacy]
mode = "sample"
noise_multiplier = {PRIVACY.noise_multiplier}
epsilon = {budget!r}
sample_rate = {PRIVACY.sample_rate}
clip_norm = {PRIVACY.clip_norm}
delta = {PRIVACY.delta}
"""
    )
    return path


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    root = tmp_path_factory.mktemp("dp-demo")
    curve = epsilon_curve(PRIVACY, EPOCHS, ROUNDS)
    config = write_config(root / "task.toml", budget=(curve[1] + curve[2]) / 2)
    with Devnet(root / "devnet", persist=False) as devnet:  # the demo reuses a running devnet
        options = DemoOptions(
            participants=PARTICIPANTS,
            config=config,
            store=root / "store",
            devnet_dir=root / "devnet",
            deployments=root / "deployments",
            work_dir=root / "work",
            phase_timeout=120,
        )
        state = run_demo(options)
        yield Run(state, devnet, root, curve)


def ledgers(run: Run) -> list[dict[str, object]]:
    paths = sorted((run.root / "work" / "journal").glob(f"*/{LEDGER_FILE}"))
    return [json.loads(p.read_text()) for p in paths]


def test_participants_stop_contributing_when_the_next_round_would_exceed_the_budget(
    run: Run,
) -> None:
    rounds = run.state.rounds

    assert [r.round for r in rounds] == [1, 2, 3]
    assert [r.contributors for r in rounds] == [PARTICIPANTS, PARTICIPANTS, 0]
    assert rounds[2].attesters == PARTICIPANTS  # they still attest
    assert rounds[2].model_cid == rounds[1].model_cid  # nothing new was learned
    assert rounds[1].accuracy > 0.3  # DP-SGD learned something in two rounds


def test_summary_carries_epsilon_spent_so_far_per_round_when_dp_is_on(run: Run) -> None:
    summary = summary_document(run.state)

    spent = [r["epsilon"] for r in summary["rounds"]]  # type: ignore[index]
    assert spent == pytest.approx([run.curve[0], run.curve[1], run.curve[1]], rel=1e-9)
    assert summary["privacy"]["noise_multiplier"] == PRIVACY.noise_multiplier  # type: ignore[index]


def test_summary_records_the_device_the_participants_trained_on(run: Run) -> None:
    summary = summary_document(run.state)

    assert summary["device"] == "cpu"  # no GPU here: `auto` resolves to the CPU
    for log in sorted((run.root / "work" / "logs").glob("participant-*.log")):
        assert "(trained on cpu)" in log.read_text()


def test_ledgers_and_logs_record_the_stop_when_the_budget_is_spent(run: Run) -> None:
    found = ledgers(run)

    assert len(found) == PARTICIPANTS
    for ledger in found:
        assert ledger["rounds"] == pytest.approx({"1": run.curve[0], "2": run.curve[1]})
        assert ledger["stopped"]["round"] == 3  # type: ignore[index]
        assert ledger["stopped"]["epsilon_next"] == pytest.approx(run.curve[2])  # type: ignore[index]
    for log in (run.root / "work" / "logs").glob("participant-*.log"):
        assert "releases no more updates" in log.read_text()


def test_registry_recomputes_epsilon_per_round_and_participant_from_public_data(
    run: Run,
) -> None:
    common = [
        "--rpc",
        run.devnet.rpc_url,
        "--store",
        str(run.root / "store"),
        "--deployments",
        str(run.root / "deployments"),
        "--json",
    ]

    privacy = runner.invoke(registry_app, ["privacy", str(run.state.task_id), *common])
    rounds = runner.invoke(registry_app, ["rounds", str(run.state.task_id), *common])

    assert privacy.exit_code == 0, privacy.output
    view = json.loads(privacy.stdout)
    assert [r["epsilon_spent"] for r in view["rounds"]] == pytest.approx(
        [run.curve[0], run.curve[1], run.curve[1]], rel=1e-9
    )
    assert [r["contributors"] for r in view["rounds"]] == [2, 2, 0]
    assert view["affordable_rounds"] == 2
    assert all(p["exhausted"] and p["rounds"] == [1, 2] for p in view["participants"])
    assert rounds.exit_code == 0, rounds.output
    listed = json.loads(rounds.stdout)["rounds"]
    assert [r["epsilon"] for r in listed] == pytest.approx(
        [0.0, run.curve[0], run.curve[1], run.curve[1]], rel=1e-9
    )


def test_task_document_publishes_the_dp_parameters_and_the_conductor_skips_spent_members(
    run: Run,
) -> None:
    client = open_client(run.devnet.rpc_url, deployments=run.root / "deployments")
    doc = task_document(client, LocalStore(run.root / "store"), run.state.task_id)
    members = sorted({a for r in run.state.rounds for a in r.rewards})

    assert doc is not None
    assert doc.privacy is not None
    assert doc.privacy.noise_multiplier == PRIVACY.noise_multiplier
    assert doc.privacy.epsilon == pytest.approx((run.curve[1] + run.curve[2]) / 2)
    assert len(members) == PARTICIPANTS
    assert resting_members(client, run.state.task_id, doc, members, 2) == frozenset()
    assert resting_members(client, run.state.task_id, doc, members, 3) == frozenset(members)
