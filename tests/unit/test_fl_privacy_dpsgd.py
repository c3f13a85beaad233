"""DP-SGD in local training: it trains, it is deterministic for a seed, it clips, and it
refuses models without per-sample gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from flchain.errors import PrivacyError
from flchain.fl import (
    ArrayDataset,
    ModelSpec,
    SimulationConfig,
    build_model,
    encode_model,
    evaluate,
    flatten_state,
    load_digits_dataset,
    simulate_fedavg,
    train_test_split,
)
from flchain.fl.privacy import (
    PrivacyParams,
    check_private_trainable,
    epsilon_after,
    train_local_private,
)

MLP = ModelSpec("mlp", (1, 8, 8), 10, hidden_sizes=(32,))
CNN = ModelSpec("cnn", (1, 8, 8), 10, hidden_sizes=(16,), channels=(4,))
CHANCE = 0.1


@pytest.fixture(scope="module")
def digits() -> tuple[ArrayDataset, ArrayDataset]:
    return train_test_split(load_digits_dataset(), test_fraction=0.2, seed=0)


def private_train(model: nn.Module, data: ArrayDataset, seed: int, noise: float = 1.0) -> None:
    train_local_private(
        model,
        data,
        epochs=2,
        sample_rate=64 / len(data),
        lr=1.0,
        noise_multiplier=noise,
        clip_norm=1.0,
        seed=seed,
    )


@pytest.mark.parametrize("spec", [MLP, CNN, ModelSpec("logreg", (1, 8, 8), 10)])
def test_dp_sgd_trains_above_chance_when_training_each_model_family_on_digits(
    digits: tuple[ArrayDataset, ArrayDataset], spec: ModelSpec
) -> None:
    train, test = digits
    model = build_model(spec, seed=0)

    private_train(model, train, seed=1)
    accuracy, _ = evaluate(model, test)

    assert accuracy > 5 * CHANCE


def test_dp_sgd_gives_identical_weights_when_the_seed_is_the_same(
    digits: tuple[ArrayDataset, ArrayDataset],
) -> None:
    train, _ = digits
    models = [build_model(MLP, seed=0) for _ in range(3)]

    for model, seed in zip(models, (5, 5, 6), strict=True):
        private_train(model, train, seed=seed)

    assert encode_model(models[0]) == encode_model(models[1])
    assert encode_model(models[0]) != encode_model(models[2])


def test_dp_sgd_leaves_a_plain_module_when_training_ends(
    digits: tuple[ArrayDataset, ArrayDataset],
) -> None:
    train, _ = digits
    model = build_model(MLP, seed=0)
    keys = list(model.state_dict())

    private_train(model, train, seed=0)

    assert list(model.state_dict()) == keys
    assert all(not hasattr(p, "grad_sample") and p.grad is None for p in model.parameters())
    assert not any(m._forward_hooks or m._backward_hooks for m in model.modules())


def test_dp_sgd_step_moves_at_most_lr_times_clip_norm_when_noise_is_zero(
    digits: tuple[ArrayDataset, ArrayDataset],
) -> None:
    # One epoch at q = 1 is one step over every sample with no noise: the step is lr times
    # the mean of per-sample gradients clipped to C, so its norm is at most lr * C.
    train, _ = digits
    model = build_model(MLP, seed=0)
    before = flatten_state(model.state_dict()).astype(np.float64)
    lr, clip = 0.5, 0.01

    train_local_private(
        model, train, epochs=1, sample_rate=1.0, lr=lr, noise_multiplier=0.0, clip_norm=clip
    )
    moved = np.linalg.norm(flatten_state(model.state_dict()) - before)

    assert 0 < moved <= lr * clip * (1 + 1e-5)


class _Batchy(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(64, 16), nn.BatchNorm1d(16))
        self.head = nn.Linear(16, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


class _Scale(nn.Module):
    """A custom trainable layer: no Opacus grad sampler."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight


@pytest.mark.parametrize(
    ("model", "named"),
    [
        (_Batchy(), "BatchNorm"),
        (nn.Sequential(nn.Flatten(), nn.Linear(64, 10), _Scale()), "'2' (_Scale)"),
    ],
)
def test_check_private_trainable_names_the_layer_when_opacus_cannot_train_it_per_sample(
    model: nn.Module, named: str
) -> None:
    with pytest.raises(PrivacyError, match="DP-SGD cannot train this model") as raised:
        check_private_trainable(model)

    assert named in str(raised.value)


def test_dp_sgd_refuses_before_training_when_the_model_is_unsupported(
    digits: tuple[ArrayDataset, ArrayDataset],
) -> None:
    model = _Batchy()
    before = encode_model(model)

    with pytest.raises(PrivacyError):
        private_train(model, digits[0], seed=0)

    assert encode_model(model) == before


def test_federated_dp_sgd_beats_chance_and_repeats_when_simulated_with_a_seed(
    digits: tuple[ArrayDataset, ArrayDataset],
) -> None:
    train, test = digits
    privacy = PrivacyParams("sample", 1.0, 1.0, 1e-5, sample_rate=0.1)
    config = SimulationConfig(participants=3, rounds=3, local_epochs=1, lr=0.5, privacy=privacy)

    first = simulate_fedavg(MLP, train, test, config)
    second = simulate_fedavg(MLP, train, test, config)

    assert first.global_model == second.global_model
    assert first.rounds[-1].accuracy > 5 * CHANCE
    assert epsilon_after(privacy, 1, 3) < 10


def test_federated_client_level_dp_repeats_when_simulated_with_a_seed(
    digits: tuple[ArrayDataset, ArrayDataset],
) -> None:
    train, test = digits
    privacy = PrivacyParams("client", 0.5, 1.0, 1e-5)
    config = SimulationConfig(participants=4, rounds=2, privacy=privacy)

    first = simulate_fedavg(MLP, train, test, config)
    second = simulate_fedavg(MLP, train, test, config)
    plain = simulate_fedavg(MLP, train, test, SimulationConfig(participants=4, rounds=2))

    assert first.global_model == second.global_model
    assert first.global_model != plain.global_model
