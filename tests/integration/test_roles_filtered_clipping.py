"""The default rule on a real chain: filtered clipping centres each round on the previous
aggregate, read from the registry's lineage by every aggregator and by `verify`, and leaves a
sign-flipping participant out of the accepted set."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_roles_end_to_end import (
    PARTICIPANTS,
    Network,
    conduct,
    network,
    small_task,
    wait_for_members,
)

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.protocol.records import TaskStatus
from flchain.roles.owner import create_task
from flchain.roles.verifier import verify_round

__all__ = ["network"]  # the fixture, re-used

pytestmark = pytest.mark.integration


def test_sign_flipper_is_rejected_and_rounds_verify_when_rule_is_filtered_clipping(
    network: Network,
) -> None:
    base = small_task(3)
    document = replace(base.document, rule="filtered_clipping", rule_params={})
    created = create_task(network.owner, network.store, replace(base, document=document))
    flipper = dev_signer(PARTICIPANTS, DEV_CHAIN_ID).address  # the last participant
    for index in range(PARTICIPANTS):
        network.spawn(index, created.task_id, "sign-flip" if index == PARTICIPANTS - 1 else None)
    wait_for_members(network, created.task_id, PARTICIPANTS)
    network.owner.start_round(created.task_id)

    # Slashed below the minimum stake, the sign-flipper may be expelled before the task ends.
    conduct(network, created.task_id, expelled=frozenset({PARTICIPANTS - 1}))

    assert network.owner.task(created.task_id).status == TaskStatus.COMPLETED
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
