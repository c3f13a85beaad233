"""Safety of the operator's stake: a participant's journal is the one of this chain (id and
genesis block), this deployment, this task and this account; one process per account and task.

Before this, journals were keyed by chain id, task and account only: after `devnet reset`
(same chain id, same contract addresses, same task ids) or on another node with the same chain
id, an honest participant replayed a stale salt and update and was reject-slashed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from protocol_parties import Parties
from web3 import Web3

from flchain.errors import ConfigError
from flchain.roles.journal import ChainScope, Journal, chain_scope, hold_account, open_journal


def test_open_journal_ignores_a_journal_of_another_chain_with_the_same_chain_id(
    parties: Parties, tmp_path: Path
) -> None:
    alice = parties.alice
    scope = chain_scope(alice)
    other_genesis = ChainScope(scope.chain_id, "0x" + "11" * 32, scope.coordinator)
    # A journal written before the chain was reset (and one in the unscoped layout of old).
    Journal(tmp_path, scope.chain_id, 1, alice.address, scope=other_genesis).record(
        1, "bafystale", b"\x01" * 32, b"stale update"
    )
    Journal(tmp_path, scope.chain_id, 1, alice.address).record(
        1, "bafystale", b"\x02" * 32, b"stale update"
    )

    journal = open_journal(tmp_path, alice, 1)

    assert journal.pending(1) is None


def test_open_journal_finds_this_chains_own_entry_after_a_restart(
    parties: Parties, tmp_path: Path
) -> None:
    open_journal(tmp_path, parties.alice, 1).record(1, "bafyown", b"\x03" * 32, b"update")

    pending = open_journal(tmp_path, parties.alice, 1).pending(1)

    assert pending is not None
    assert pending.salt == b"\x03" * 32


def test_chain_scope_names_the_genesis_block_of_the_node(parties: Parties, w3: Web3) -> None:
    scope = chain_scope(parties.alice)

    assert scope.genesis_hash == "0x" + bytes(w3.eth.get_block(0)["hash"]).hex()
    assert scope.coordinator == parties.alice.deployment.coordinator


def test_hold_account_refuses_a_second_process_on_the_same_account_and_task(
    parties: Parties, tmp_path: Path
) -> None:
    scope = chain_scope(parties.alice)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _HOLD.format(dir=str(tmp_path), scope=scope, addr=parties.alice.address),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with (
            pytest.raises(ConfigError, match="already runs task 1"),
            hold_account(tmp_path, scope, 1, parties.alice.address),
        ):
            pass
        with hold_account(tmp_path, scope, 2, parties.alice.address):  # another task: free
            pass
    finally:
        holder.kill()
        holder.wait()
    with hold_account(tmp_path, scope, 1, parties.alice.address):  # released when it died
        pass


_HOLD = """
import sys, time
from pathlib import Path
from flchain.roles.journal import ChainScope, hold_account
scope = ChainScope({scope.chain_id}, "{scope.genesis_hash}", "{scope.coordinator}")
with hold_account(Path("{dir}"), scope, 1, "{addr}"):
    print("held", flush=True)
    time.sleep(600)
"""
