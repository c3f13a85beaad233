"""The demo's conductor: watches a task's round on the devnet and fast-forwards the clock as
soon as every participant has done the current phase's work (or the phase is overdue), and
runs the owner's per-round duties (FLTrust reference, keyrings) in each Commit phase."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from web3 import Web3

from flchain.chain.controls import increase_time, mine
from flchain.protocol.client import FLClient
from flchain.protocol.records import RoundId, RoundInfo, RoundPhase, TaskId
from flchain.roles.observer import ParticipantView, describe_member

__all__ = ["Conductor", "skip_owner_window"]

logger = logging.getLogger(__name__)


class Conductor:
    """Watches the chain and fast-forwards the devnet clock when a phase's work is done."""

    def __init__(
        self,
        w3: Web3,
        client: FLClient,
        task_id: TaskId,
        members: list[str],
        timeout: float,
        never_reveal: frozenset[str] = frozenset(),
        duties: Sequence[Callable[[RoundInfo], object]] = (),
        resting: Callable[[RoundId], frozenset[str]] = lambda _round: frozenset(),
    ) -> None:
        self.w3, self.client, self.task_id = w3, client, task_id
        self.duties = duties  # the owner's per-round work (idempotent), done in the Commit phase
        self.members, self.timeout = members, timeout
        self.never_reveal = never_reveal  # copiers: the reveal phase does not wait for them
        self.resting = resting  # round -> members whose privacy budget is spent: no commit
        self._phase_key: tuple[RoundId, RoundPhase] | None = None
        self._phase_since = time.monotonic()

    def views(self, rnd: RoundInfo) -> list[ParticipantView]:
        infos = [self.client.member(self.task_id, m) for m in self.members]
        return [
            ParticipantView(i.address, describe_member(i, rnd.round), i.stake, i.rewards)
            for i in infos
        ]

    def drive(self, rnd: RoundInfo, views: list[ParticipantView]) -> None:
        if rnd.phase == RoundPhase.COMMIT:
            for duty in self.duties:  # before the clock may move past the Commit phase
                duty(rnd)
        key = (rnd.round, rnd.phase)
        if key != self._phase_key:
            self._phase_key, self._phase_since = key, time.monotonic()
        states = [v.state for v in views if v.state != "gone"]
        revealers = [
            v.state for v in views if v.state != "gone" and v.address not in self.never_reveal
        ]
        committers = [
            v.state for v in views if v.state != "gone" and v.address not in self.resting(rnd.round)
        ]
        if rnd.phase == RoundPhase.FAILED:
            skip_owner_window(self.w3, self.client, self.task_id, rnd)
            return
        done = {
            RoundPhase.COMMIT: all(
                s in ("committed", "revealed", "attest committed", "attested") for s in committers
            ),
            RoundPhase.REVEAL: all(s != "committed" for s in revealers),
            RoundPhase.ATTEST_COMMIT: all(s in ("attest committed", "attested") for s in states),
            # Revealed attestations end the phase themselves (quorum); if all revealed without
            # one, the round has failed: move past its deadline so that the next attempt starts.
            RoundPhase.ATTEST_REVEAL: all(s == "attested" for s in states),
        }.get(rnd.phase)
        if done is None:
            return
        overdue = time.monotonic() - self._phase_since > self.timeout
        # Re-read the phase: the last attestation may have reached the quorum (and the round
        # been finalized, the next one opened) since `rnd` was read; moving the clock to the
        # stale attest deadline would then eat the next round's commit phase.
        if (done or overdue) and self.client.phase(self.task_id, rnd.round) == rnd.phase:
            deadline = {
                RoundPhase.COMMIT: rnd.commit_deadline,
                RoundPhase.REVEAL: rnd.reveal_deadline,
                RoundPhase.ATTEST_COMMIT: rnd.attest_commit_deadline,
            }.get(rnd.phase, rnd.attest_deadline)
            now = int(self.w3.eth.get_block("latest")["timestamp"])
            increase_time(self.w3, max(1, deadline - now))
            mine(self.w3)
            if overdue:
                logger.warning(
                    "Round %s: %s phase overdue; moved the clock past its deadline",
                    rnd.round,
                    rnd.phase.label,
                )


def skip_owner_window(w3: Web3, client: FLClient, task_id: TaskId, rnd: RoundInfo) -> None:
    """After a failed round only the owner may restart for ``attestDuration``; on a devnet whose
    members restart it, move the clock to the end of that window (no-op once it is over)."""
    until = rnd.attest_deadline + client.task(task_id).attest_duration
    now = int(w3.eth.get_block("latest")["timestamp"])
    if now < until:
        increase_time(w3, until - now)
        mine(w3)
        logger.info("Round %s failed; moved the clock past the owner's window", rnd.round)
