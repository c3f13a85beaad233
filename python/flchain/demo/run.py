"""``flchain demo``: a full federated training on the local devnet, end to end.

Starts (or reuses) the devnet and the embedded store, deploys, creates a task, runs N
participants as separate OS processes, and conducts time: when every participant has done
its part of a phase, it fast-forwards Anvil's clock to the phase's deadline instead of
sleeping, so a round lasts about as long as its training. It evaluates each finalized global
model on the task's held-out test set and reports through a callback; the CLI renders it.
Everything it started is stopped on exit, Ctrl-C included; the devnet keeps its chain.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from web3 import Web3

from flchain.chain.accounts import DEV_ACCOUNT_COUNT, dev_signer
from flchain.chain.connection import connect
from flchain.chain.devnet import Devnet, default_state_dir, devnet_status
from flchain.chain.transactions import TxSender
from flchain.demo.conductor import Conductor
from flchain.demo.data import DATA_SOURCES, draw_shards, publish_task_data
from flchain.demo.privacy import (
    apply_dp_epsilon,
    privacy_summary,
    resting_tracker,
    round_epsilon,
)
from flchain.errors import ConfigError, FlchainError
from flchain.fl import rule_spec, select_device
from flchain.protocol.client import FLClient
from flchain.protocol.deploy import deploy
from flchain.protocol.records import RoundId, RoundInfo, RoundPhase, TaskId, TaskStatus
from flchain.roles.adversary import COLLUDERS_ENV, check_attack
from flchain.roles.data.datasets import ROOT_SAMPLES, load_test_data, root_data
from flchain.roles.exit_codes import EXPELLED
from flchain.roles.observer import (
    ParticipantView,
    evaluate_round,
    round_gas,
    round_rewards,
)
from flchain.roles.owner import create_task
from flchain.roles.privacy.keyrings import KeyringPublisher
from flchain.roles.privacy.round_keys import open_global_model
from flchain.roles.reference import ReferencePublisher
from flchain.roles.taskfile import TaskFile, check_encryption, check_rule, load_task_file
from flchain.storage.local import DEFAULT_STORE_ROOT, LocalStore

__all__ = ["DemoOptions", "DemoState", "RoundReport", "run_demo"]

logger = logging.getLogger(__name__)
TOKEN = 10**18


@dataclass(frozen=True)
class DemoOptions:
    """What the demo runs (defaults: 5 participants, the config's rounds)."""

    participants: int = 5
    rounds: int | None = None
    config: Path = Path("examples/digits.toml")
    partition: str | None = None
    rule: str | None = None
    store: Path = DEFAULT_STORE_ROOT
    devnet_dir: Path | None = None
    deployments: Path | None = None
    work_dir: Path = Path(".flchain/demo")
    phase_timeout: float = 180.0
    attack: str | None = None  # experiments: the last `malicious` participants run it
    malicious: int = 0
    stake_tokens: float = 0.0  # the task's minimum stake in tokens (set from the config)
    dp_epsilon: float | None = None  # a differential-privacy budget per participant
    private: bool = False  # encrypted updates and models; secure aggregation too with FedAvg
    data: str = "digits"  # or "onchain": shards published on chain (demo/data.py)
    device: str = "auto"  # where the participants train: auto, cpu, cuda or cuda:N


@dataclass(frozen=True)
class RoundReport:
    """One finalized round."""

    round: int
    accuracy: float
    loss: float
    model_cid: str
    gas_used: int
    rewards: dict[str, int]
    contributors: int
    attesters: int
    seconds: float
    epsilon: float | None = None  # the largest privacy loss of any participant so far (DP)


_NO_TASK = TaskId(0)  # before the demo's task exists
_NO_ROUND = RoundId(0)


@dataclass
class DemoState:
    """What the live view shows."""

    rpc_url: str = ""
    task_id: TaskId = _NO_TASK
    total_rounds: int = 0
    round: RoundId = _NO_ROUND
    phase: str = "starting"
    message: str = ""
    participants: list[ParticipantView] = field(default_factory=list)
    rounds: list[RoundReport] = field(default_factory=list)
    initial_accuracy: float = 0.0
    initial_loss: float = 0.0
    privacy: dict[str, object] | None = None  # the task's public DP parameters
    device: str = ""  # the device the participants trained on (``cpu``, ``cuda:0``...)


def _with_overrides(task: TaskFile, options: DemoOptions) -> TaskFile:
    doc = task.document
    if options.partition is not None:
        doc = dataclasses.replace(
            doc, data=dataclasses.replace(doc.data, partition=options.partition)
        )
    if options.rule is not None:
        rule = check_rule(options.rule)
        params = dict(doc.rule_params)
        if "num_malicious" in rule_spec(rule).param_names and options.malicious:
            params.setdefault("num_malicious", options.malicious)
        doc = dataclasses.replace(doc, rule=rule, rule_params=params)
    if options.private:
        doc = dataclasses.replace(
            doc, private=True, secure_aggregation=rule_spec(doc.rule).secure_aggregation
        )
    check_encryption(doc.rule, doc.private, doc.secure_aggregation)
    rounds = options.rounds if options.rounds is not None else task.rounds
    task = dataclasses.replace(task, document=doc, rounds=rounds)
    return apply_dp_epsilon(task, options.dp_epsilon, options.participants, options.config)


def _spawn(
    index: int, options: DemoOptions, rpc_url: str, task_id: TaskId, deployments: Path
) -> subprocess.Popen[bytes]:
    logs = options.work_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "flchain", "participant", "run", "--task", str(task_id),
        "--account", f"dev:{index + 1}", "--rpc", rpc_url, "--store", str(options.store),
        *(["--data", "onchain"] if options.data == "onchain" else
          ["--data", "digits", "--shard", f"{index}/{options.participants}"]),
        "--journal", str(options.work_dir / "journal"), "--device", options.device,
        # twice the minimum: an honest outlier survives a few rejected-update slashes
        "--stake", str(2 * options.stake_tokens),
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1", "FLCHAIN_DEPLOYMENTS": str(deployments)}
    if _is_malicious(index, options):
        command += ["--attack", str(options.attack)]
        # adaptive attackers share their honest updates (roles/adversary.py)
        shared = options.work_dir / "colluders" / f"task-{task_id}"
        colluders = f"{shared}:{options.malicious}:{options.participants}"
        env[COLLUDERS_ENV] = colluders
    with (logs / f"participant-{index + 1}.log").open("wb") as log:
        return subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )


def _is_malicious(index: int, options: DemoOptions) -> bool:
    """The last ``malicious`` participants run the attack."""
    return options.attack is not None and index >= options.participants - options.malicious


def _stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for proc in processes:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 10
    for proc in processes:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_demo(
    options: DemoOptions, on_update: Callable[[DemoState], None] = lambda _s: None
) -> DemoState:
    """Run the demo; returns the final state (the rounds' reports included)."""
    if options.attack is not None and not 1 <= options.malicious <= options.participants:
        raise ConfigError(
            f"--malicious must be within [1, {options.participants}] with --attack, got {options.malicious}."
        )
    check_attack(options.attack)
    if options.data not in DATA_SOURCES:
        raise ConfigError(f"--data must be one of {', '.join(DATA_SOURCES)}, got {options.data!r}.")
    if not 1 <= options.participants <= DEV_ACCOUNT_COUNT - 1:
        raise ConfigError(
            f"--participants must be within [1, {DEV_ACCOUNT_COUNT - 1}] (one dev account each), got {options.participants}."
        )
    device = str(select_device(options.device))  # refused now if this machine lacks it
    task_file = _with_overrides(load_task_file(options.config), options)
    options = dataclasses.replace(options, stake_tokens=task_file.min_stake / TOKEN, device=device)
    state = DemoState(
        total_rounds=task_file.rounds, privacy=privacy_summary(task_file), device=device
    )
    with ExitStack() as stack:
        state.rpc_url = _devnet(stack, options)
        w3 = connect(state.rpc_url)
        deployments = options.deployments or Path.cwd() / "deployments"
        owner_sender = TxSender(w3, dev_signer(0, int(w3.eth.chain_id)))
        report = deploy(w3, owner_sender, directory=deployments)
        assert report.deployment is not None
        owner = FLClient(w3, report.deployment, owner_sender)
        store = LocalStore(options.store)
        created = create_task(owner, store, task_file)
        state.task_id = created.task_id
        onchain = None
        if options.data == "onchain":
            onchain = publish_task_data(
                w3, owner_sender, deployments, store, task_file, created.task_id, options.participants
            )  # fmt: skip
        test = load_test_data("digits", task_file.document.data)
        state.initial_accuracy, state.initial_loss, _ = evaluate_round(
            owner, store, task_file.document, created.task_id, RoundId(0), test
        )
        state.message = (
            f"task {created.task_id} created; starting {options.participants} participants"
        )
        on_update(state)
        processes: list[subprocess.Popen[bytes]] = []
        stack.callback(_stop_all, processes)
        for i in range(options.participants):
            processes.append(_spawn(i, options, state.rpc_url, created.task_id, deployments))
        members = [
            str(dev_signer(i + 1, report.deployment.chain_id).address)
            for i in range(options.participants)
        ]
        _wait_for_members(owner, created.task_id, options, processes, state, on_update)
        if onchain is not None:
            draw_shards(onchain, created.task_id, options.participants, options.phase_timeout)
        owner.start_round(created.task_id)
        _conduct(w3, owner, store, task_file, test, members, processes, state, options, on_update)
        _finish(processes, state, on_update)
    return state


def _devnet(stack: ExitStack, options: DemoOptions) -> str:
    directory = options.devnet_dir or default_state_dir()
    status = devnet_status(directory)
    if status.running and status.info is not None:
        return status.info.rpc_url  # a devnet the user started: reuse it and leave it running
    # detached: Anvil runs in its own session, so Ctrl-C does not kill it before the demo
    # has stopped the participants; the exit stack still stops it (and it dumps its state).
    return stack.enter_context(Devnet(directory, detached=True)).rpc_url


def _check_alive(processes: list[subprocess.Popen[bytes]], options: DemoOptions) -> None:
    for i, proc in enumerate(processes):
        code = proc.poll()
        if code not in (None, 0, EXPELLED):  # an expelled participant left: carry on
            log = options.work_dir / "logs" / f"participant-{i + 1}.log"
            tail = (
                log.read_text(errors="replace").strip().splitlines()[-1:] if log.is_file() else []
            )
            raise FlchainError(
                f"Participant {i + 1} exited with code {code} ({' '.join(tail) or 'no output'}); see {log}."
            )


def _wait_for_members(
    owner: FLClient,
    task_id: TaskId,
    options: DemoOptions,
    processes: list[subprocess.Popen[bytes]],
    state: DemoState,
    on_update: Callable[[DemoState], None],
) -> None:
    deadline = time.monotonic() + options.phase_timeout
    while owner.task(task_id).member_count < options.participants:
        _check_alive(processes, options)
        if time.monotonic() > deadline:
            raise FlchainError(
                f"Only {owner.task(task_id).member_count} of {options.participants} participants joined "
                f"within {options.phase_timeout:.0f} s; see {options.work_dir / 'logs'}."
            )
        time.sleep(0.2)
    state.message = "all participants joined; round 1 opens"
    on_update(state)


def _conduct(
    w3: Web3,
    owner: FLClient,
    store: LocalStore,
    task_file: TaskFile,
    test: object,
    members: list[str],
    processes: list[subprocess.Popen[bytes]],
    state: DemoState,
    options: DemoOptions,
    on_update: Callable[[DemoState], None],
) -> None:
    from flchain.fl.data import ArrayDataset

    assert isinstance(test, ArrayDataset)
    task_id = state.task_id
    copiers = frozenset(
        m for i, m in enumerate(members) if options.attack == "copier" and _is_malicious(i, options)
    )
    duties: list[Callable[[RoundInfo], object]] = []
    if "reference" in rule_spec(task_file.document.rule).side_inputs:
        root = root_data(task_file.document.data, ROOT_SAMPLES)
        duties.append(ReferencePublisher(owner, store, task_file.document, task_id, root))
    if task_file.document.private:
        duties.append(KeyringPublisher(owner, store, task_id))
    resting = resting_tracker(owner, task_id, task_file, members)
    conductor = Conductor(
        w3, owner, task_id, members, options.phase_timeout, copiers, duties, resting
    )

    def reader(round_id: RoundId, data: bytes) -> bytes:
        return open_global_model(owner, store, task_id, round_id, data, owner.sender.signer)

    addresses = {owner.deployment.coordinator, owner.deployment.token}
    round_started, round_block = time.monotonic(), int(w3.eth.block_number)
    reported = 0
    while True:
        task = owner.task(task_id)
        for finalized in range(reported + 1, task.finalized_rounds + 1):
            rnd = _finalized_round(owner, task_id, finalized)
            accuracy, loss, cid = evaluate_round(
                owner, store, task_file.document, task_id, rnd.round, test, reader
            )
            last_block = int(w3.eth.block_number)
            state.rounds.append(RoundReport(
                rnd.round, accuracy, loss, str(cid), round_gas(w3, addresses, round_block, last_block),
                round_rewards(owner, task_id, rnd), rnd.accepted_count, rnd.winning_attesters,
                time.monotonic() - round_started, round_epsilon(owner, task_id, task_file, rnd.round),
            ))  # fmt: skip
            round_started, round_block, reported = time.monotonic(), last_block + 1, finalized
        if task.status != TaskStatus.ACTIVE:
            return
        _check_alive(processes, options)
        rnd = owner.round(task_id, task.current_round)
        state.round, state.phase = rnd.round, rnd.phase.label
        state.participants = conductor.views(rnd)
        on_update(state)
        conductor.drive(rnd, state.participants)
        time.sleep(0.1)


def _finalized_round(owner: FLClient, task_id: TaskId, index: int) -> RoundInfo:
    """The ``index``-th finalized round (failed attempts are skipped)."""
    count = 0
    for round_id in map(RoundId, range(1, owner.task(task_id).current_round + 1)):
        rnd = owner.round(task_id, round_id)
        if rnd.phase == RoundPhase.FINALIZED:
            count += 1
            if count == index:
                return rnd
    raise FlchainError(f"Task {task_id} has no finalized round number {index}.")


def _finish(
    processes: list[subprocess.Popen[bytes]],
    state: DemoState,
    on_update: Callable[[DemoState], None],
) -> None:
    state.phase = "done"
    state.message = "task complete; participants claim their rewards"
    on_update(state)
    deadline = time.monotonic() + 60
    for proc in processes:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            logger.warning("A participant did not exit after the task ended; stopping it")
