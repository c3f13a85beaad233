"""FedAvg simulated in memory: the baseline the on-chain rounds are compared with.

No chain, no store: each round every participant loads the global model's bytes,
trains on its shard, and the updates are averaged with the same deterministic
:func:`~flchain.fl.aggregation.fedavg` the aggregators use. Deterministic on CPU for
a seed. Defaults reach >= 0.90 test accuracy on scikit-learn digits within 10 rounds.

With ``config.privacy``, participants train with DP-SGD (sample mode) or release clipped,
noised updates with equal weights (client mode), as on chain; the seeds stay deterministic
here, where a real participant draws secret ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import torch

from flchain.fl.aggregation import fedavg, stack_updates
from flchain.fl.data import ArrayDataset
from flchain.fl.encoding import (
    decode_state,
    encode_state,
    flatten_state,
    load_into,
    unflatten_state,
)
from flchain.fl.models import ModelSpec, build_model
from flchain.fl.partition import partition
from flchain.fl.privacy import PrivacyParams, privatize_update, train_with_privacy
from flchain.fl.training import OptimizerName, TrainStats, evaluate

__all__ = ["RoundMetrics", "SimulationConfig", "SimulationResult", "simulate_fedavg"]

DEFAULT_PARTICIPANTS = 5
DEFAULT_ROUNDS = 10
DEFAULT_LOCAL_EPOCHS = 1
DEFAULT_BATCH_SIZE = 16
DEFAULT_LR = 0.5
DEFAULT_OPTIMIZER: OptimizerName = "sgd"


@dataclass(frozen=True)
class SimulationConfig:
    """How to run the simulated task (``alpha`` None: IID shards, else Dirichlet)."""

    participants: int = DEFAULT_PARTICIPANTS
    rounds: int = DEFAULT_ROUNDS
    local_epochs: int = DEFAULT_LOCAL_EPOCHS
    batch_size: int = DEFAULT_BATCH_SIZE
    lr: float = DEFAULT_LR
    optimizer: OptimizerName = DEFAULT_OPTIMIZER
    alpha: float | None = None
    max_weight: int | None = None
    seed: int = 0
    privacy: PrivacyParams | None = None


@dataclass(frozen=True)
class RoundMetrics:
    """The global model after one round, evaluated on the test set.

    ``train_loss`` is the participants' mean last-epoch loss (None for round 0, the
    initial model); ``accepted`` the number of updates FedAvg accepted.
    """

    round: int
    accuracy: float
    loss: float
    train_loss: float | None
    accepted: int


@dataclass(frozen=True)
class SimulationResult:
    """Metrics per round (round 0 is the initial model) and the final global model."""

    rounds: tuple[RoundMetrics, ...]
    global_model: bytes


def simulate_fedavg(
    spec: ModelSpec,
    train: ArrayDataset,
    test: ArrayDataset,
    config: SimulationConfig = SimulationConfig(),
    *,
    device: torch.device | str = "cpu",
) -> SimulationResult:
    """Run ``config.rounds`` rounds of FedAvg over shards of ``train``; evaluate on ``test``."""
    shards = [
        train.subset(indices)
        for indices in partition(
            train.labels, config.participants, seed=config.seed, alpha=config.alpha
        )
    ]
    model = build_model(spec, config.seed)
    template = model.state_dict()
    metrics = [_measure(model, test, 0, None, 0, device)]
    global_model = encode_state(template)
    for round_number in range(1, config.rounds + 1):
        vectors, stats = [], []
        for index, data in enumerate(shards):
            load_into(model, global_model)
            seed = _seed(config.seed, round_number, index)
            stats.append(_train(model, data, config, seed, device))
            vectors.append(_release(model, global_model, config, seed))
        weights = np.array([s.samples for s in stats], dtype=np.int64)
        if config.privacy is not None and config.privacy.mode == "client":
            weights = np.ones_like(weights)  # DP-FedAvg: equal weights bound the sensitivity
        result = fedavg(stack_updates(vectors), weights=weights, max_weight=config.max_weight)
        global_model = encode_state(unflatten_state(result.aggregate, template))
        load_into(model, global_model)
        train_loss = float(np.average([s.loss for s in stats], weights=weights))
        metrics.append(
            _measure(model, test, round_number, train_loss, int(result.accepted.sum()), device)
        )
    return SimulationResult(rounds=tuple(metrics), global_model=global_model)


def _train(
    model: torch.nn.Module,
    data: ArrayDataset,
    config: SimulationConfig,
    seed: int,
    device: torch.device | str,
) -> TrainStats:
    return train_with_privacy(
        model, data, config.privacy, epochs=config.local_epochs, batch_size=config.batch_size,
        lr=config.lr, optimizer=config.optimizer, seed=seed, device=device,
    )  # fmt: skip


def _release(
    model: torch.nn.Module, global_model: bytes, config: SimulationConfig, seed: int
) -> npt.NDArray[np.float32]:
    """The flat update a participant releases (client mode: clipped and noised)."""
    vector = flatten_state(model.state_dict())
    dp = config.privacy
    if dp is None or dp.mode != "client":
        return vector
    parent = flatten_state(decode_state(global_model))
    return privatize_update(
        vector,
        parent,
        clip_norm=dp.clip_norm,
        noise_multiplier=dp.noise_multiplier,
        participants=config.participants,
        colluders=dp.colluders,
        seed=seed,
    )


def _measure(
    model: torch.nn.Module,
    test: ArrayDataset,
    round_number: int,
    train_loss: float | None,
    accepted: int,
    device: torch.device | str,
) -> RoundMetrics:
    accuracy, loss = evaluate(model, test, device=device)
    return RoundMetrics(round_number, accuracy, loss, train_loss, accepted)


def _seed(seed: int, round_number: int, participant: int) -> int:
    """An independent training seed per (task seed, round, participant)."""
    return int(np.random.SeedSequence([seed, round_number, participant]).generate_state(1)[0])
