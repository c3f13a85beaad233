"""Test drivers of a devnet's clock while real participant processes run a task."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

from flchain.chain.controls import increase_time, mine
from flchain.protocol.client import FLClient
from flchain.protocol.records import MemberInfo, RoundPhase, TaskStatus

_FLAGS = {
    RoundPhase.COMMIT: MemberInfo.COMMITTED,
    RoundPhase.REVEAL: MemberInfo.REVEALED,
    RoundPhase.ATTEST_COMMIT: MemberInfo.ATTEST_COMMITTED,
    RoundPhase.ATTEST_REVEAL: MemberInfo.ATTESTED,
}


def drive_until_done(
    owner: FLClient, task_id: int, members: list[str], procs: list[subprocess.Popen[bytes]]
) -> None:
    """Play the clock until the task ends: a phase ends once every member did its part in it.
    Never waits on one round: the participants may have moved on to the next one meanwhile."""
    limit = time.monotonic() + 300
    while owner.task(task_id).status == TaskStatus.ACTIVE:
        assert time.monotonic() < limit, "the task did not finish; see the participant logs"
        assert all(p.poll() in (None, 0) for p in procs), "a participant failed"
        rnd = owner.round(task_id, owner.task(task_id).current_round)
        flag = _FLAGS.get(rnd.phase)
        if flag is not None and all(owner.member(task_id, a).did(flag, rnd.round) for a in members):
            deadline = {RoundPhase.COMMIT: rnd.commit_deadline, RoundPhase.REVEAL: rnd.reveal_deadline,
                        RoundPhase.ATTEST_COMMIT: rnd.attest_commit_deadline,
                        RoundPhase.ATTEST_REVEAL: rnd.attest_deadline}[rnd.phase]  # fmt: skip
            now = int(owner.w3.eth.get_block("latest")["timestamp"])
            increase_time(owner.w3, max(1, deadline - now))
            mine(owner.w3)
        time.sleep(0.2)


def wait_for(
    condition: Callable[[], bool], procs: list[subprocess.Popen[bytes]], limit: float = 180
) -> None:
    """Wait until ``condition()`` holds, failing if a participant exits non-zero or on timeout."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting on the participants"
        assert all(p.poll() in (None, 0) for p in procs), "a participant failed"
        time.sleep(0.2)
