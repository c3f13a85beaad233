"""A devnet with flchain deployed and participants as separate OS processes, for the tests
that run whole tasks (test_roles_*.py): the :class:`Network`, the task they run, and the clock
played like `flchain demo` (a phase ends once every participant has done its part).

The ``network`` fixture (conftest.py) gives a fresh one per test, closed after it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.connection import connect
from flchain.chain.controls import increase_time, mine
from flchain.chain.devnet import Devnet
from flchain.chain.transactions import TxSender
from flchain.demo.conductor import skip_owner_window
from flchain.protocol.client import FLClient
from flchain.protocol.deploy import deploy
from flchain.protocol.records import MemberInfo, RoundPhase, TaskStatus
from flchain.roles.exit_codes import EXPELLED
from flchain.roles.owner import CreatedTask, create_task
from flchain.roles.taskfile import TaskFile, load_task_file
from flchain.storage.local import LocalStore

PROJECT = Path(__file__).resolve().parents[2]
PARTICIPANTS = 4  # 1 liar among 4 equal stakes leaves 3/4 > the 0.67 quorum


class Network:
    """A devnet with flchain deployed, a store, and an owner client."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.devnet = Devnet()
        self.devnet.start()
        self.w3 = connect(self.devnet.rpc_url)
        sender = TxSender(self.w3, dev_signer(0, DEV_CHAIN_ID))
        self.deployments = root / "deployments"
        report = deploy(self.w3, sender, directory=self.deployments)
        assert report.deployment is not None
        self.owner = FLClient(self.w3, report.deployment, sender)
        self.store = LocalStore(root / "store")
        self.procs: dict[int, subprocess.Popen[bytes]] = {}
        self.observers: set[str] = set()  # aggregator-only nodes: they never commit

    def spawn(self, index: int, task_id: int, attack: str | None = None, *extra: str) -> None:
        command = [
            sys.executable, "-m", "flchain", "participant", "run", "--task", str(task_id),
            "--account", f"dev:{index + 1}", "--rpc", self.devnet.rpc_url, "--data", "digits",
            "--shard", f"{index}/{PARTICIPANTS}", "--store", str(self.store.root),
            "--journal", str(self.root / "journal"), "--timeout", "240",
            *(["--attack", attack] if attack else []), *extra,
        ]  # fmt: skip
        env = {**os.environ, "OMP_NUM_THREADS": "1", "FLCHAIN_DEPLOYMENTS": str(self.deployments)}
        log = (self.root / f"participant-{index}.log").open("ab")
        self.procs[index] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)

    def members(self, task_id: int) -> list[MemberInfo]:
        """Every node this network started (trainers and aggregator-only ones)."""
        return [
            self.owner.member(task_id, dev_signer(i + 1, DEV_CHAIN_ID).address)
            for i in sorted(self.procs)
        ]

    def close(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        self.devnet.stop()


def small_task(rounds: int) -> TaskFile:
    return replace(load_task_file(PROJECT / "examples" / "digits.toml"), rounds=rounds)


def conduct(
    net: Network,
    task_id: int,
    on_tick: Callable[[], None] = lambda: None,
    after_advance: Callable[[], None] = lambda: None,
    expelled: frozenset[int] = frozenset(),
) -> None:
    """Drive the clock until the task ends (or fail after a wall-clock limit). Participants may
    exit only with success, or, for the ``expelled`` ones (attackers slashed below the minimum
    stake), with the EXPELLED code."""
    limit = time.monotonic() + 240
    while net.owner.task(task_id).status == TaskStatus.ACTIVE:
        assert time.monotonic() < limit, "the task did not finish in time; see participant logs"
        for index, proc in net.procs.items():
            code = proc.poll()
            allowed = (None, 0, EXPELLED) if index in expelled else (None, 0)
            assert code in allowed, (net.root / f"participant-{index}.log").read_text()[-2000:]
        on_tick()
        task = net.owner.task(task_id)
        if task.current_round:
            rnd = net.owner.round(task_id, task.current_round)
            if rnd.phase == RoundPhase.FAILED:  # members restart it after the owner's window
                skip_owner_window(net.w3, net.owner, task_id, rnd)
            everyone = [m for m in net.members(task_id) if m.joined]
            trainers = [m for m in everyone if m.address not in net.observers]
            attesting = rnd.phase in (RoundPhase.ATTEST_COMMIT, RoundPhase.ATTEST_REVEAL)
            members = everyone if attesting else trainers
            work = {
                RoundPhase.COMMIT: (MemberInfo.COMMITTED, rnd.commit_deadline),
                RoundPhase.REVEAL: (MemberInfo.REVEALED, rnd.reveal_deadline),
                RoundPhase.ATTEST_COMMIT: (MemberInfo.ATTEST_COMMITTED, rnd.attest_commit_deadline),
                # all attested and still no quorum: the round failed, let the next one start
                RoundPhase.ATTEST_REVEAL: (MemberInfo.ATTESTED, rnd.attest_deadline),
            }.get(rnd.phase)
            done = work and all(m.did(work[0], rnd.round) for m in members)
            # re-read: a quorum may have finalized the round (and opened the next) meanwhile
            if done and net.owner.phase(task_id, rnd.round) == rnd.phase:
                now = int(net.w3.eth.get_block("latest")["timestamp"])
                increase_time(net.w3, max(1, work[1] - now))
                mine(net.w3)
                after_advance()
        time.sleep(0.1)


def start(
    net: Network, rounds: int, attacks: dict[int, str] | None = None, observers: int = 0
) -> CreatedTask:
    created = create_task(net.owner, net.store, small_task(rounds))
    for index in range(PARTICIPANTS):
        net.spawn(index, created.task_id, (attacks or {}).get(index))
    for index in range(PARTICIPANTS, PARTICIPANTS + observers):
        net.spawn(index, created.task_id, None, "--no-train", "--stake", "40")
        net.observers.add(dev_signer(index + 1, DEV_CHAIN_ID).address)
    wait_for_members(net, created.task_id, PARTICIPANTS + observers)
    net.owner.start_round(created.task_id)
    return created


@dataclass(frozen=True)
class SignFlipTask:
    """A task under a robust rule whose last participant (``flipper``) flips its update."""

    task: TaskFile
    created: CreatedTask
    flipper: str


def create_sign_flip_task(net: Network, rule: str, rounds: int) -> SignFlipTask:
    """Create a task of ``rounds`` rounds under ``rule`` on ``net``, spawn the participants (the
    last one a sign-flipper) and wait until all joined; the caller starts round 1."""
    base = small_task(rounds)
    task = replace(base, document=replace(base.document, rule=rule, rule_params={}))
    created = create_task(net.owner, net.store, task)
    for index in range(PARTICIPANTS):
        net.spawn(index, created.task_id, "sign-flip" if index == PARTICIPANTS - 1 else None)
    wait_for_members(net, created.task_id, PARTICIPANTS)
    return SignFlipTask(task, created, dev_signer(PARTICIPANTS, DEV_CHAIN_ID).address)


def wait_for_members(net: Network, task_id: int, count: int) -> None:
    limit = time.monotonic() + 120
    while net.owner.task(task_id).member_count < count:
        assert time.monotonic() < limit, "participants did not join"
        time.sleep(0.2)
