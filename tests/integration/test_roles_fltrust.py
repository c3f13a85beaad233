"""FLTrust on a real chain: the task owner publishes each round's reference update through
RoundNotes, every aggregator weighs updates by their agreement with it, and a sign-flipping
participant is left out of the accepted set, while `verify` re-derives the same result."""

from __future__ import annotations

from dataclasses import replace

import pytest
from role_network import (
    PARTICIPANTS,
    Network,
    conduct,
    create_sign_flip_task,
    small_task,
)

from flchain.errors import AggregationError
from flchain.protocol.notes import NoteKind, RoundNotesClient
from flchain.protocol.records import TaskStatus
from flchain.roles.data.datasets import root_data
from flchain.roles.owner import create_task
from flchain.roles.reference import ReferencePublisher, fetch_reference
from flchain.roles.verifier import verify_round

pytestmark = pytest.mark.integration


def test_sign_flipper_gets_no_trust_and_rounds_verify_against_the_published_reference(
    network: Network,
) -> None:
    started = create_sign_flip_task(network, "fltrust", 2)
    task, created, flipper = started.task, started.created, started.flipper
    publisher = ReferencePublisher(
        network.owner, network.store, task.document, created.task_id, root_data(task.document.data)
    )
    network.owner.start_round(created.task_id)

    def publish() -> None:  # the owner's duty, before the clock leaves each Commit phase
        current = network.owner.task(created.task_id).current_round
        publisher(network.owner.round(created.task_id, current))

    conduct(network, created.task_id, on_tick=publish, expelled=frozenset({PARTICIPANTS - 1}))

    assert network.owner.task(created.task_id).status == TaskStatus.COMPLETED
    notes = RoundNotesClient(network.owner)
    for round_id in (1, 2):
        assert notes.note(created.task_id, round_id, NoteKind.FLTRUST_REFERENCE) is not None
        revealed = {
            u.participant: u.reveal_index
            for u in network.owner.revealed_updates(created.task_id, round_id)
        }
        rnd = network.owner.round(created.task_id, round_id)
        assert rnd.accepted_count >= 1
        check = verify_round(network.owner, network.store, created.task_id, round_id)
        assert check.ok
        if round_id == 1 or flipper in revealed:  # slashed below the minimum, it may leave
            assert not rnd.accepted_bitmap >> revealed[flipper] & 1, "the sign-flipper was trusted"
            assert check.rejected[revealed[flipper]] == "rejected by fltrust"


def test_aggregators_abstain_when_the_owner_published_no_reference(network: Network) -> None:
    base = small_task(1)
    task = replace(base, document=replace(base.document, rule="fltrust", rule_params={}))
    created = create_task(network.owner, network.store, task)
    with pytest.raises(AggregationError, match="no FLTrust reference update"):
        fetch_reference(network.owner, network.store, created.task_id, 1)
