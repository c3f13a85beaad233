"""Gas per protocol operation, measured on a fresh Anvil through the real contracts.

Runs one task with 4 participants for 3 rounds: round 1 is a participant's first round;
rounds 2-3 are the steady state, where a commit also settles the member's previous round.
Prints a table (figure next to its target) and, as its last line, one JSON object of gas per
operation (steady-state figures; first-round figures under ``*_first_round`` keys).

    .venv/bin/python bench/gas.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from flchain.chain.accounts import dev_signer
from flchain.chain.connection import connect
from flchain.chain.controls import increase_time, mine
from flchain.chain.devnet import Devnet
from flchain.chain.transactions import TxSender
from flchain.protocol.client import FLClient
from flchain.protocol.commitments import new_salt
from flchain.protocol.deploy import deploy
from flchain.protocol.records import TaskConfig

PARTICIPANTS = 4
ROUNDS = 3
PHASE = 600  # seconds per phase
TARGETS = {"commit+reveal": 80_000}


def _digest(label: str) -> bytes:
    from hashlib import sha256

    return sha256(label.encode()).digest()


def measure() -> dict[str, int]:
    gas: dict[str, list[int]] = {}

    def note(key: str, value: int) -> None:
        gas.setdefault(key, []).append(value)

    with Devnet() as devnet, tempfile.TemporaryDirectory() as records:
        w3 = connect(devnet.rpc_url)
        chain_id = int(w3.eth.chain_id)
        senders = [TxSender(w3, dev_signer(i, chain_id)) for i in range(PARTICIPANTS + 1)]
        report = deploy(w3, senders[0], directory=Path(records))
        assert report.deployment is not None
        owner = FLClient(w3, report.deployment, senders[0])
        members = [FLClient(w3, report.deployment, s) for s in senders[1:]]
        config = TaskConfig(
            token=report.deployment.token,
            initial_model_digest=_digest("initial"),
            initial_model_codec=0x55,
            model_spec_digest=_digest("spec"),
            model_spec_codec=0x55,
            num_rounds=ROUNDS,
            commit_duration=PHASE,
            reveal_duration=PHASE,
            attest_duration=PHASE,
            min_stake=10**18,
            reward_per_round=10 * 10**18,
        )
        task_id, tx = owner.create_task(config)
        note("create_task", tx.gas_used)
        for member in members:
            note("join", member.join(task_id, 10**18).gas_used)
        note("start_round", owner.start_round(task_id)[1].gas_used)
        for round_id in range(1, ROUNDS + 1):
            suffix = "_first_round" if round_id == 1 else ""
            salts = {}
            for i, member in enumerate(members):
                salts[i] = new_salt()
                note(
                    "commit" + suffix,
                    member.commit(
                        task_id, round_id, _digest(f"u{round_id}{i}"), 0x55, salts[i]
                    ).gas_used,
                )
            increase_time(w3, PHASE)
            mine(w3)
            for i, member in enumerate(members):
                note(
                    "reveal" + suffix,
                    member.reveal(
                        task_id, round_id, _digest(f"u{round_id}{i}"), 0x55, salts[i]
                    ).gas_used,
                )
            increase_time(w3, PHASE)
            mine(w3)
            model = _digest(f"model{round_id}")
            bitmap = (1 << PARTICIPANTS) - 1
            attestation = (model, 0x55, bitmap, _digest("metrics"))
            for i, member in enumerate(members):
                salts[i] = new_salt()
                tx = member.commit_attestation(task_id, round_id, *attestation, salts[i])
                note("attest_commit" + suffix, tx.gas_used)
            increase_time(w3, PHASE // 2)  # into the attest-reveal half of the attest window
            mine(w3)
            for i, member in enumerate(members):
                result, quorum = member.reveal_attestation(
                    task_id, round_id, *attestation, salts[i]
                )
                note("attest_reveal" + suffix, result.gas_used)
                if quorum:
                    break
            note(
                "finalize",
                owner.finalize_round(task_id, model, 0x55, bitmap, _digest("metrics")).gas_used,
            )
        for member in members:
            note("claim", member.claim(task_id).gas_used)
        note("leave", members[0].leave(task_id).gas_used)
    figures = {key: max(values) for key, values in gas.items()}
    figures["commit+reveal"] = figures["commit"] + figures["reveal"]
    figures["commit+reveal_first_round"] = (
        figures["commit_first_round"] + figures["reveal_first_round"]
    )
    figures["attest_commit+reveal"] = figures["attest_commit"] + figures["attest_reveal"]
    return figures


def main() -> int:
    figures = measure()
    print(f"{'operation':<28}{'gas (max)':>12}{'target':>12}  ok")
    for key, value in figures.items():
        target = TARGETS.get(key.removesuffix("_first_round"))
        shown = f"{target:,}" if target else "-"
        ok = "" if target is None else ("yes" if value <= target else "NO")
        print(f"{key:<28}{value:>12,}{shown:>12}  {ok}")
    print(
        "gas does not grow with participants: no function loops over members (see FLCoordinator)."
    )
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
