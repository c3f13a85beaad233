"""What the protocol tests share: the ``parties`` of a module's own deployment (the fixture is
in conftest.py), a task they can create and join, and the clock moved one phase on.

Task defaults: 10-token minimum stake, 100 tokens reward per round, ``PHASE`` seconds for each
of the commit, reveal and attest phases, ``INITIAL`` / ``SPEC`` as raw digests; ``MODEL`` /
``METRICS``: the raw digests of an attested global model and its metrics.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from web3 import Web3

from flchain.chain.controls import increase_time, mine
from flchain.protocol.client import FLClient
from flchain.protocol.records import TaskConfig
from flchain.storage.cid import RAW

TOKEN = 10**18
PHASE = 100  # seconds per phase
INITIAL = b"\x11" * 32
SPEC = b"\x22" * 32
MODEL = b"\x33" * 32
METRICS = b"\x44" * 32


@dataclass(frozen=True)
class Parties:
    """Clients of dev accounts 0 (task owner), 1 and 2 on one deployment, recorded in
    ``directory``."""

    directory: Path
    owner: FLClient
    alice: FLClient
    bob: FLClient


def task_config(token: str, rounds: int = 2) -> TaskConfig:
    """A task paid in ``token`` over ``rounds`` rounds, with the defaults above."""
    return TaskConfig(
        token=token,
        initial_model_digest=INITIAL,
        initial_model_codec=RAW,
        model_spec_digest=SPEC,
        model_spec_codec=RAW,
        num_rounds=rounds,
        commit_duration=PHASE,
        reveal_duration=PHASE,
        attest_duration=PHASE,
        min_stake=10 * TOKEN,
        reward_per_round=100 * TOKEN,
    )


def attest_salt(member: FLClient) -> bytes:
    """The salt ``member`` commits its attestations with in these tests."""
    return bytes.fromhex(member.address[2:4]) * 32


def move_to_attest_reveal(member: FLClient, task_id: int, round_id: int) -> None:
    """Move the chain clock to the attest-reveal half of the round's attest window."""
    rnd = member.round(task_id, round_id)
    now = int(member.w3.eth.get_block("latest")["timestamp"])
    increase_time(member.w3, max(1, rnd.attest_commit_deadline - now))
    mine(member.w3)


def attest_all(
    members: list[FLClient],
    task_id: int,
    round_id: int,
    result: tuple[bytes, int, int, bytes],
) -> list[bool]:
    """Every member commits an attestation of ``result`` (model digest, codec, accepted
    bitmap, metrics digest) in the attest-commit half, then, in the attest-reveal half,
    reveals it; returns whether each reveal reached the quorum."""
    for member in members:
        member.commit_attestation(task_id, round_id, *result, attest_salt(member))
    move_to_attest_reveal(members[0], task_id, round_id)
    return [
        member.reveal_attestation(task_id, round_id, *result, attest_salt(member))[1]
        for member in members
    ]


def task_with_members(p: Parties, rounds: int = 2) -> int:
    """A new task of the owner's that alice and bob joined with the minimum stake."""
    task_id, _ = p.owner.create_task(task_config(p.owner.deployment.token, rounds))
    p.alice.join(task_id, 10 * TOKEN)
    p.bob.join(task_id, 10 * TOKEN)
    return task_id


def next_phase(w3: Web3) -> None:
    """Move the chain's clock ``PHASE`` seconds on and mine: the current phase of a task with
    the defaults above is over."""
    increase_time(w3, PHASE)
    mine(w3)
