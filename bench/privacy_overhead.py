"""Per-round overhead of private tasks: encryption, and encryption + secure aggregation, as a
ratio to the plain round, for 5 and 20 participants.

The rounds are driven in-process with a real LocalStore, as in ``round_breakdown.py`` (see
``chain_rounds.py``), on one fresh Anvil per mode, with the same shards and training seeds. The
modes take turns round by round, so that load from other processes weighs on all of them alike:

- ``plain``: the task as usual;
- ``private``: the owner publishes each round's keyring (RoundNotes); participants decrypt the
  parent model, seal their update; the aggregator decrypts every update and seals the model;
- ``secure``: ``private`` plus secure aggregation: each update is a masked FedAvg contribution
  (pairwise masks with every other participant) and the aggregator sums the masked rows.

Prints, per participant count, the measured participant's median seconds per round and step
in each mode, its whole round (training included) and its overhead (training excluded), the
ratios of both to the plain round (median of the per-round ratios), the owner's keyring time
per round (members wait for it before training), and whether the three
modes produced the same global models (they must: encryption and masks change no bit of
them); as its last line one JSON object of the figures. Nothing is asserted.

    .venv/bin/python bench/privacy_overhead.py
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy and torch load

import json
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

import torch

from chain_rounds import ChainRun, Member, StepClock, TimedStore, open_chain_run
from flchain.fl import (
    ArrayDataset,
    build_model,
    encode_model,
    load_into,
    train_local,
)
from flchain.protocol.records import RoundInfo
from flchain.roles.aggregator import RoundResult
from flchain.roles.privacy.keyrings import KeyringPublisher
from flchain.roles.privacy.private_rounds import PrivateMember
from flchain.roles.round_steps import (
    aggregate_revealed,
    commit_pending,
    global_model,
    record_update,
)
from flchain.roles.taskfile import TaskFile
from round_workload import (
    HIDDEN,
    MEASURED,
    NOT_OVERHEAD,
    digits_split,
    iid_shards,
    mlp_task,
    train_seed,
    warm_up,
)

PARTICIPANTS = (5, 20)
MODES = ("plain", "private", "secure")
ROUNDS = 6


def make_task(participants: int, mode: str) -> TaskFile:
    return mlp_task(
        f"privacy-overhead-{participants}-{mode}",
        participants,
        ROUNDS,
        private=mode != "plain",
        secure_aggregation=mode == "secure",
    )


@dataclass
class ModeRun:
    """One mode's task on chain: the run, each member's private duties, the owner's publisher."""

    run: ChainRun
    private: dict[int, PrivateMember] = field(default_factory=dict)
    stores: dict[int, TimedStore] = field(default_factory=dict)
    keyrings: KeyringPublisher | None = None
    owner_clock: StepClock = field(default_factory=StepClock)
    models: list[bytes] = field(default_factory=list)  # plaintext global models


def open_mode_run(
    stack: ExitStack, work_dir: Path, task: TaskFile, shards: list[ArrayDataset]
) -> ModeRun:
    run = open_chain_run(stack, work_dir, task, shards, train_seed)
    mode = ModeRun(run)
    if task.document.private:
        for member in run.members:
            store = TimedStore(run.store)
            private = PrivateMember(member.client, store, run.task_id, task.document)
            member.client.set_encryption_key(run.task_id, private.encryption_key)
            mode.private[member.index], mode.stores[member.index] = private, store
        mode.keyrings = KeyringPublisher(run.owner, run.store, run.task_id)
    return mode


def train_and_commit(mode: ModeRun, member: Member, rnd: RoundInfo) -> None:
    run, clock, doc = mode.run, member.clock, mode.run.task.document
    private = mode.private.get(member.index)
    with clock.step("fetch global model"):
        _, parent = global_model(run.seat(member), rnd.parent_round)
    if private is not None:
        with clock.step("decrypt global model"):
            parent = private.open_parent(rnd.round, parent)
    model = build_model(doc.model, seed=0)
    load_into(model, parent)
    with clock.step("train"):
        train_local(
            model, member.shard, epochs=doc.training.epochs, batch_size=doc.training.batch_size,
            lr=doc.training.lr, seed=run.train_seed(member.index, rnd.round),
        )  # fmt: skip
    with clock.step("encode"):
        update = encode_model(model)
    if private is not None:
        with clock.step("mask + seal update" if private.secure else "seal update"):
            update = private.seal_update(rnd.round, update, {})
    with clock.step("cid + journal"):
        member.pending = record_update(run.seat(member), rnd.round, update)
    with clock.step("commit tx"):
        commit_pending(run.seat(member), rnd.round, member.pending)


def aggregate(mode: ModeRun, member: Member, rnd: RoundInfo) -> RoundResult:
    run = mode.run
    private, timed = mode.private.get(member.index), mode.stores.get(member.index)
    timed = timed or TimedStore(run.store)
    with member.clock.step("fetch + verify updates"):
        parent_cid, parent = global_model(run.seat(member), rnd.parent_round)
        revealed = member.client.revealed_updates(run.task_id, rnd.round)
    before, start = timed.get_seconds, time.perf_counter()
    if private is not None:
        result = private.aggregate(rnd.round, "fedavg", parent_cid, parent, revealed, {})
    else:
        result = aggregate_revealed(
            run.seat(member, timed), rnd, "fedavg", {}, (parent_cid, parent), revealed
        )
    elapsed, fetched = time.perf_counter() - start, timed.get_seconds - before
    member.clock.add("fetch + verify updates", fetched)
    step = "aggregate" if private is None else "decrypt + aggregate + seal"
    member.clock.add(step, elapsed - fetched)
    return result


def run_round(mode: ModeRun) -> None:
    run = mode.run
    rnd = run.current_round()
    measured = run.members[MEASURED]
    for member in run.members:
        member.clock.new_round()
    mode.owner_clock.new_round()
    if mode.keyrings is not None:
        with mode.owner_clock.step("publish keyring"):
            mode.keyrings.step()
    for member in run.members:
        train_and_commit(mode, member, rnd)
    run.move_past(rnd.commit_deadline)
    for member in run.members:
        run.store_and_reveal(member, rnd)
    run.move_past(rnd.reveal_deadline)
    result = aggregate(mode, measured, rnd)
    quorum_bps = run.owner.task(run.task_id).quorum_bps
    needed = -(-len(run.members) * quorum_bps // 10_000)
    for member in [m for m in run.members if m is not measured][: needed - 1]:
        run.attest(member, result)
    if not run.attest(measured, result):
        raise RuntimeError("The measured participant's attestation did not reach the quorum.")
    run.finalize(measured, result)
    mode.models.append(result.model)


def summarize(mode: ModeRun) -> dict[str, Any]:
    clock = mode.run.members[MEASURED].clock
    return {
        "steps_s": {k: round(v, 4) for k, v in clock.medians().items()},
        "round_s": round(median(clock.round_totals()), 4),
        "overhead_s": round(median(clock.round_totals(exclude=NOT_OVERHEAD)), 4),
        "owner_keyring_s": round(median(mode.owner_clock.round_totals()), 4),
    }


def _ratio(mode: ModeRun, plain: ModeRun, exclude: frozenset[str]) -> float:
    """Median over rounds of (this mode's round) / (the plain round run just before it)."""
    ours = mode.run.members[MEASURED].clock.round_totals(exclude)
    theirs = plain.run.members[MEASURED].clock.round_totals(exclude)
    return round(median(a / b for a, b in zip(ours, theirs, strict=True)), 3)


def measure(n: int, shards: list[ArrayDataset]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with ExitStack() as stack:
        modes: dict[str, ModeRun] = {}
        for name in MODES:
            work_dir = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="flchain-priv-"))
            )
            modes[name] = open_mode_run(stack, work_dir, make_task(n, name), shards)
        for _ in range(ROUNDS):
            for name in MODES:  # take turns: load from other processes weighs on all alike
                run_round(modes[name])
        for name, mode in modes.items():
            results[name] = summarize(mode)
        for name in MODES[1:]:
            results[name]["ratio_round"] = _ratio(modes[name], modes["plain"], frozenset())
            results[name]["ratio_overhead"] = _ratio(modes[name], modes["plain"], NOT_OVERHEAD)
        results["models_identical"] = all(m.models == modes["plain"].models for m in modes.values())
    return results


def print_summary(n: int, s: dict[str, Any]) -> None:
    print(f"\n{n} participants — measured participant's median seconds per round")
    steps = list(dict.fromkeys(k for m in MODES for k in s[m]["steps_s"]))
    print(f"  {'step':<28}" + "".join(f"{m:>10}" for m in MODES))
    for step in steps:
        cells = "".join(
            f"{s[m]['steps_s'][step]:>10.4f}" if step in s[m]["steps_s"] else f"{'-':>10}"
            for m in MODES
        )
        print(f"  {step:<28}{cells}")
    for key, label in (
        ("round_s", "whole round (with training)"),
        ("overhead_s", "overhead (no training)"),
    ):
        print(f"  {label:<28}" + "".join(f"{s[m][key]:>10.4f}" for m in MODES))
    print(
        f"  {'owner: publish keyring':<28}"
        + "".join(f"{s[m]['owner_keyring_s']:>10.4f}" for m in MODES)
    )
    for name in MODES[1:]:
        print(
            f"  {name} / plain (median of per-round ratios): whole round {s[name]['ratio_round']:.2f}x, "
            f"overhead {s[name]['ratio_overhead']:.2f}x"
        )
    print(f"  global models identical in all modes: {'yes' if s['models_identical'] else 'NO'}")


def main() -> int:
    torch.set_num_threads(1)
    train, _ = digits_split()
    parameters = sum(
        p.numel() for p in build_model(make_task(1, "plain").document.model, 0).parameters()
    )
    load = os.getloadavg()[0]
    print(
        f"MLP 64-{'-'.join(map(str, HIDDEN))}-10: {parameters:,} parameters; {ROUNDS} rounds per "
        f"mode; load average at start {load:.2f} on {os.cpu_count()} cores"
    )
    figures: dict[str, Any] = {"parameters": parameters, "load_average_start": round(load, 2)}
    for n in PARTICIPANTS:
        shards = iid_shards(train, n)
        warm_up(make_task(n, "plain"), shards[MEASURED])
        summary = measure(n, shards)
        print_summary(n, summary)
        figures[f"participants_{n}"] = summary
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
