"""The workload the per-round benchmarks measure (``round_breakdown.py``,
``privacy_overhead.py``): a ~1M-parameter MLP trained on IID shards of scikit-learn digits, its
task file, the training seeds (the same in every run compared) and the participant whose steps
are timed.
"""

from __future__ import annotations

import numpy as np

from flchain.fl import (
    ArrayDataset,
    build_model,
    load_digits_dataset,
    partition_iid,
    train_local,
    train_test_split,
)
from flchain.roles.taskfile import TaskFile, parse_task_file

HIDDEN = (1024, 900)  # 64 -> 1024 -> 900 -> 10: 998,070 parameters
EPOCHS, BATCH_SIZE, LR = 1, 16, 0.05
PHASE = 600  # seconds per phase, skipped with evm_increaseTime
DATA_SEED = 0
MEASURED = 0  # the measured participant's index
NOT_OVERHEAD = frozenset({"train"})  # steps that are no overhead of the protocol


def train_seed(participant: int, round_id: int) -> int:
    """The training seed of a participant in a round, the same in every run."""
    return int(np.random.SeedSequence([DATA_SEED, round_id, participant]).generate_state(1)[0])


def mlp_task(name: str, participants: int, rounds: int, **task: object) -> TaskFile:
    """The MLP task for ``participants`` over ``rounds`` rounds; ``task``: more [task] keys."""
    return parse_task_file(
        {
            "task": {
                "name": name,
                "rounds": rounds,
                "commit_seconds": PHASE,
                "reveal_seconds": PHASE,
                "attest_seconds": PHASE,
                "max_participants": max(64, participants),
                **task,
            },
            "model": {"family": "mlp", "hidden_sizes": list(HIDDEN)},
            "training": {"epochs": EPOCHS, "batch_size": BATCH_SIZE, "lr": LR},
        }
    )


def digits_split() -> tuple[ArrayDataset, ArrayDataset]:
    """Digits as (train, test), 80/20."""
    return train_test_split(load_digits_dataset(), test_fraction=0.2, seed=DATA_SEED)


def iid_shards(train: ArrayDataset, participants: int) -> list[ArrayDataset]:
    """``train`` in one IID shard per participant."""
    return [train.subset(ix) for ix in partition_iid(len(train), participants, seed=DATA_SEED)]


def warm_up(task: TaskFile, shard: ArrayDataset) -> None:
    """Pay torch's one-time start-up (about 1 s) before anything is timed."""
    model = build_model(task.document.model, seed=0)
    train_local(model, shard, epochs=1, batch_size=BATCH_SIZE, lr=LR)
