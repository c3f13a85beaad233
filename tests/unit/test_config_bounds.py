"""The chain's bounds on a task's terms, checked in Python before anyone stakes (the contract's
side is tested in contracts/test/attack/IncentiveAttacks.t.sol and against a real chain in
tests/integration/test_protocol_client.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from flchain.errors import ConfigError
from flchain.protocol.config_bounds import TaskTerms, unsafe_terms
from flchain.roles.taskfile import load_task_file

SAFE = TaskTerms(600, 600, 600, 6_700, 1_000, 500, 2_000, 64)
EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.toml"))


def test_unsafe_terms_accepts_the_defaults_and_the_extreme_bounds() -> None:
    extreme = TaskTerms(60, 30 * 24 * 3600, 60, 9_000, 5_000, 1_000, 10_000, 256)

    assert unsafe_terms(SAFE) == []
    assert unsafe_terms(extreme) == []


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"reveal_seconds": 1}, "reveal_seconds"),
        ({"attest_seconds": 2**64 - 1}, "attest_seconds"),
        ({"commit_seconds": 59}, "commit_seconds"),
        ({"quorum_bps": 10_000}, "quorum"),
        ({"quorum_bps": 5_000}, "quorum"),
        ({"slash_bps": 10_000}, "slash"),
        ({"reject_slash_bps": 1_001, "slash_bps": 5_000}, "reject_slash"),
        ({"reject_slash_bps": 800, "slash_bps": 700}, "reject_slash"),
        ({"max_member_share_bps": 999}, "max_member_share"),
        ({"max_member_share_bps": 5_001}, "max_member_share"),
    ],
)
def test_unsafe_terms_names_the_term_out_of_bounds(change: dict[str, int], key: str) -> None:
    problems = unsafe_terms(dataclasses.replace(SAFE, **change))

    assert len(problems) == 1
    assert problems[0].startswith(f"{key} is ")
    assert problems[0].endswith(".")


def test_unsafe_terms_accepts_no_cap_and_the_share_cap_bounds() -> None:
    for share in (0, 1_000, 5_000):
        assert unsafe_terms(dataclasses.replace(SAFE, max_member_share_bps=share)) == []


def test_task_file_with_a_share_cap_above_half_fails_before_anyone_stakes(tmp_path: Path) -> None:
    path = tmp_path / "task.toml"
    path.write_text("[task]\nmax_member_share = 0.6\n")

    with pytest.raises(ConfigError) as caught:
        load_task_file(path)

    assert str(caught.value) == (
        "task.max_member_share is 60%: it must be 0 (no cap) or 10% to 50%. "
        "Change it in the task file."
    )


def test_task_file_outside_the_chain_bounds_fails_before_anyone_stakes(tmp_path: Path) -> None:
    path = tmp_path / "task.toml"
    path.write_text("[task]\nquorum = 0.95\n")

    with pytest.raises(ConfigError) as caught:
        load_task_file(path)

    assert str(caught.value) == (
        "task.quorum is 95%: it must be above 50% and at most 90%. Change it in the task file."
    )


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_shipped_example_is_within_the_chain_bounds(example: Path) -> None:
    load_task_file(example)  # raises ConfigError otherwise
