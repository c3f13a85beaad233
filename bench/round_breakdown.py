"""Per-round time breakdown of one participant's critical path, on chain vs in memory.

For 5 and 20 participants training a ~1M-parameter MLP on scikit-learn digits, the rounds
are driven in-process on a fresh Anvil with a real LocalStore (see ``chain_rounds.py``):
every participant fetches the global model, trains, encodes, journals, commits, stores and
reveals its update; participant 0 (the measured one) fetches and verifies every revealed
update, aggregates with ``aggregate_round``, attests last (its attestation reaches the
quorum) and finalizes. The same federated training then runs in memory (no chain, no store,
Flower-style: one process, the same shards, training seeds and aggregation rule), so the
global models must be bit-identical round for round.

Prints, per configuration: the measured participant's median seconds per round and step,
the non-training overhead next to its target (<= 1 s per round for 20 participants x 1M
parameters), the in-memory baseline and the ratio, and the accuracy per round of both runs;
as its last line one JSON object of the figures. Nothing is asserted.

    .venv/bin/python bench/round_breakdown.py
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy and torch load

import json
import sys
import tempfile
import time
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np
import torch

from chain_rounds import ChainRun, StepClock, open_chain_run
from flchain.fl import (
    ArrayDataset,
    build_model,
    decode_state,
    encode_model,
    encode_state,
    evaluate,
    flatten_state,
    load_into,
    train_local,
    unflatten_state,
)
from flchain.roles.aggregator import apply_rule
from flchain.roles.taskfile import TaskFile
from round_workload import (
    BATCH_SIZE,
    EPOCHS,
    HIDDEN,
    LR,
    MEASURED,
    NOT_OVERHEAD,
    digits_split,
    iid_shards,
    mlp_task,
    train_seed,
    warm_up,
)

PARTICIPANTS = (5, 20)
ROUNDS = 5
OVERHEAD_TARGET = 1.0  # seconds per round per participant, 20 participants x 1M parameters


def make_task(participants: int) -> TaskFile:
    return mlp_task(f"round-breakdown-{participants}", participants, ROUNDS)


def accuracy_of(task: TaskFile, model_bytes: bytes, test: ArrayDataset) -> float:
    model = build_model(task.document.model, seed=0)
    load_into(model, model_bytes)
    return evaluate(model, test)[0]


@dataclass
class RunFigures:
    """One run (on chain or in memory): the measured participant's clock and the outcomes."""

    clock: StepClock = field(default_factory=StepClock)
    round_seconds: list[float] = field(default_factory=list)  # all participants, no evaluation
    models: list[bytes] = field(default_factory=list)  # global model after each round
    accuracy: list[float] = field(default_factory=list)


# ---------------------------------------------------------------------- the in-memory baseline


def run_in_memory(task: TaskFile, shards: list[ArrayDataset], test: ArrayDataset) -> RunFigures:
    """The task in one process: the same shards, seeds and rule as on chain; no chain, no
    store. The rule is applied by the aggregator's own :func:`apply_rule` (models or deltas,
    the ``previous`` side input: the model before the parent), with every update weighing 1
    as on chain (the bench's updates carry no sample count)."""
    doc, figures = task.document, RunFigures()
    model = build_model(doc.model, seed=task.model_seed)
    global_model, grandparent = encode_model(model), None
    template = decode_state(global_model)
    for round_id in range(1, task.rounds + 1):
        figures.clock.new_round()
        start, rows = time.perf_counter(), []
        for index, shard in enumerate(shards):

            def step(name: str, i: int = index) -> Any:
                return figures.clock.step(name) if i == MEASURED else nullcontext()

            with step("load global model"):
                load_into(model, global_model)
            with step("train"):
                train_local(
                    model, shard, epochs=doc.training.epochs, batch_size=doc.training.batch_size,
                    lr=doc.training.lr, optimizer=doc.training.optimizer,  # type: ignore[arg-type]
                    seed=train_seed(index, round_id),
                )  # fmt: skip
            with step("flatten"):
                rows.append(flatten_state(model.state_dict()))
        with figures.clock.step("aggregate"):
            weights = np.ones(len(rows), dtype=np.int64)
            result = apply_rule(
                doc.rule, doc.rule_params, global_model, np.stack(rows), weights,
                grandparent=grandparent,
            )  # fmt: skip
            if not result.accepted.any():
                raise RuntimeError(f"{doc.rule} accepted no update in round {round_id}.")
            grandparent = global_model
            global_model = encode_state(unflatten_state(result.aggregate, template))
        figures.round_seconds.append(time.perf_counter() - start)
        figures.models.append(global_model)
        figures.accuracy.append(accuracy_of(task, global_model, test))
    return figures


# ---------------------------------------------------------------------- the on-chain run


def attesters_needed(run: ChainRun, total_stake: int) -> int:
    """How many equal-stake attestations reach the task's quorum."""
    quorum_bps = run.owner.task(run.task_id).quorum_bps
    stake = run.task.min_stake
    return -(-total_stake * quorum_bps // (10_000 * stake))


def run_chain_round(run: ChainRun) -> bytes:
    """One round, every participant in turn; the measured one attests last and finalizes."""
    rnd = run.current_round()
    measured = run.members[MEASURED]
    for member in run.members:
        member.clock.new_round()
    for member in run.members:
        run.train_and_commit(member, rnd)
    run.move_past(rnd.commit_deadline)
    for member in run.members:
        run.store_and_reveal(member, rnd)
    run.move_past(rnd.reveal_deadline)
    result = run.aggregate(measured, rnd)
    others = [m for m in run.members if m is not measured]
    # Every honest participant derives this same result; the others attest it unrecomputed.
    for member in others[: attesters_needed(run, rnd.total_stake) - 1]:
        if run.attest(member, result):
            raise RuntimeError("The quorum was reached before the measured participant attested.")
    if not run.attest(measured, result):
        raise RuntimeError("The measured participant's attestation did not reach the quorum.")
    run.finalize(measured, result)
    return result.model


def run_on_chain(
    task: TaskFile, shards: list[ArrayDataset], test: ArrayDataset
) -> tuple[RunFigures, bytes]:
    """The task on a fresh devnet; returns its figures and the initial model it published."""
    figures = RunFigures()
    with ExitStack() as stack:
        work_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="flchain-bench-")))
        run = open_chain_run(stack, work_dir, task, shards, train_seed)
        initial = run.global_model(0)
        for round_id in range(1, task.rounds + 1):
            start = time.perf_counter()
            model = run_chain_round(run)
            figures.round_seconds.append(time.perf_counter() - start)
            if run.global_model(round_id) != model:
                raise RuntimeError(f"The registry's model of round {round_id} is not the result.")
            figures.models.append(model)
            figures.accuracy.append(accuracy_of(task, model, test))
        figures.clock = run.members[MEASURED].clock
    return figures, initial


# ---------------------------------------------------------------------- report


def summarize(
    participants: int, chain: RunFigures, memory: RunFigures, initial_identical: bool
) -> dict[str, Any]:
    steps = chain.clock.medians()
    overhead = median(chain.clock.round_totals(exclude=NOT_OVERHEAD))
    critical_chain = median(chain.clock.round_totals())
    critical_memory = median(memory.clock.round_totals())
    identical = [a == b for a, b in zip(chain.models, memory.models, strict=True)]
    return {
        "participants": participants,
        "steps_s": {k: round(v, 4) for k, v in steps.items()},
        "overhead_s": round(overhead, 4),
        "overhead_target_s": OVERHEAD_TARGET,
        "critical_path_chain_s": round(critical_chain, 4),
        "critical_path_memory_s": round(critical_memory, 4),
        "memory_steps_s": {k: round(v, 4) for k, v in memory.clock.medians().items()},
        "ratio_critical_path": round(critical_chain / critical_memory, 2),
        "round_wall_chain_s": round(median(chain.round_seconds), 3),
        "round_wall_memory_s": round(median(memory.round_seconds), 3),
        "ratio_round_wall": round(median(chain.round_seconds) / median(memory.round_seconds), 2),
        "accuracy_chain": [round(a, 4) for a in chain.accuracy],
        "accuracy_memory": [round(a, 4) for a in memory.accuracy],
        "initial_model_identical": initial_identical,
        "models_identical": identical,
    }


def print_summary(s: dict[str, Any]) -> None:
    n = s["participants"]
    print(f"\n{n} participants — measured participant's median seconds per round")
    print(f"  {'step':<26}{'s/round':>9}  kind")
    for name, seconds in s["steps_s"].items():
        kind = "training (excluded)" if name in NOT_OVERHEAD else "overhead"
        print(f"  {name:<26}{seconds:>9.4f}  {kind}")
    verdict = "ok" if s["overhead_s"] <= OVERHEAD_TARGET else "OVER"
    scope = "" if n == max(PARTICIPANTS) else " (the target is set for 20 participants)"
    print(
        f"  {'non-training overhead':<26}{s['overhead_s']:>9.4f}  "
        f"target <= {OVERHEAD_TARGET:g} s: {verdict}{scope}"
    )
    print(f"  {'critical path on chain':<26}{s['critical_path_chain_s']:>9.4f}")
    memory = ", ".join(f"{k} {v:.4f}" for k, v in s["memory_steps_s"].items())
    print(
        f"  in memory (Flower-style): {s['critical_path_memory_s']:.4f} s/round critical path "
        f"({memory}); ratio chain/in-memory {s['ratio_critical_path']:.1f}x"
    )
    print(
        f"  whole round, all {n} participants in one process: chain {s['round_wall_chain_s']:.2f} s"
        f", in memory {s['round_wall_memory_s']:.2f} s ({s['ratio_round_wall']:.1f}x)"
    )
    print(f"  initial model bytes identical: {'yes' if s['initial_model_identical'] else 'NO'}")
    print(f"  {'round':<7}{'acc chain':>10}{'acc memory':>12}  global model bytes identical")
    rows = zip(s["accuracy_chain"], s["accuracy_memory"], s["models_identical"], strict=True)
    for round_id, (a, b, same) in enumerate(rows, start=1):
        print(f"  {round_id:<7}{a:>10.4f}{b:>12.4f}  {'yes' if same else 'NO'}")


def main() -> int:
    torch.set_num_threads(1)
    train, test = digits_split()
    parameters = sum(p.numel() for p in build_model(make_task(1).document.model, 0).parameters())
    update_bytes = len(encode_model(build_model(make_task(1).document.model, 0)))
    print(
        f"MLP 64-{'-'.join(map(str, HIDDEN))}-10: {parameters:,} parameters, {update_bytes:,}-byte "
        f"update; digits {len(train)} train / {len(test)} test; {ROUNDS} rounds, {EPOCHS} epoch, "
        f"batch {BATCH_SIZE}, lr {LR}; torch threads {torch.get_num_threads()}"
    )
    load = os.getloadavg()[0]
    print(f"load average at start: {load:.2f} on {os.cpu_count()} cores (others' load skews times)")
    figures: dict[str, Any] = {
        "parameters": parameters,
        "update_bytes": update_bytes,
        "load_average_start": round(load, 2),
    }
    for n in PARTICIPANTS:
        task = make_task(n)
        shards = iid_shards(train, n)
        warm_up(task, shards[MEASURED])
        chain, initial = run_on_chain(task, shards, test)
        memory = run_in_memory(task, shards, test)
        identical = initial == encode_model(build_model(task.document.model, task.model_seed))
        summary = summarize(n, chain, memory, identical)
        print_summary(summary)
        figures[f"participants_{n}"] = summary
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
