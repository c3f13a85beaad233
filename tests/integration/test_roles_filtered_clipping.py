"""The default rule on a real chain: filtered clipping centres each round on the previous
aggregate, read from the registry's lineage by every aggregator and by `verify`, and leaves a
sign-flipping participant out of the accepted set."""

from __future__ import annotations

import dataclasses
import json

import pytest
from role_network import PARTICIPANTS, Network, conduct, create_sign_flip_task

from flchain.fl.aggregation import SPECS
from flchain.protocol.records import TaskStatus
from flchain.roles.verifier import verify_round

pytestmark = pytest.mark.integration


def test_sign_flipper_is_rejected_and_rounds_verify_when_rule_is_filtered_clipping(
    network: Network,
) -> None:
    started = create_sign_flip_task(network, "filtered_clipping", 3)
    created, flipper = started.created, started.flipper
    network.owner.start_round(created.task_id)

    # Slashed below the minimum stake, the sign-flipper may be expelled before the task ends.
    conduct(network, created.task_id, expelled=frozenset({PARTICIPANTS - 1}))

    task = network.owner.task(created.task_id)
    assert task.status == TaskStatus.COMPLETED
    # The task named no parameter: it pinned every default, so a later release's defaults
    # cannot change how these rounds recompute.
    assert json.loads(task.aggregation_params) == dataclasses.asdict(
        SPECS["filtered_clipping"].parse_params({})
    )
    for round_id in (1, 2, 3):
        rnd = network.owner.round(created.task_id, round_id)
        revealed = {
            u.participant: u.reveal_index
            for u in network.owner.revealed_updates(created.task_id, round_id)
        }
        check = verify_round(network.owner, network.store, created.task_id, round_id)
        assert check.ok, f"round {round_id} does not verify"
        assert rnd.parent_round == round_id - 1  # rounds 2 and 3 have a previous aggregate
        if flipper in revealed:
            assert not rnd.accepted_bitmap >> revealed[flipper] & 1, "the sign-flipper entered"
            assert check.rejected[revealed[flipper]] == "rejected by filtered_clipping"
