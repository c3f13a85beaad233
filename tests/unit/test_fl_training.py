"""Local training and evaluation on scikit-learn digits."""

from __future__ import annotations

import pytest
import torch

from flchain.errors import LearningError
from flchain.fl.data import ArrayDataset, from_arrays, load_digits_dataset, train_test_split
from flchain.fl.encoding import encode_model
from flchain.fl.models import ModelSpec, build_model
from flchain.fl.training import OptimizerName, evaluate, train_local

MLP = ModelSpec("mlp", (1, 8, 8), 10, hidden_sizes=(32,))


@pytest.fixture(scope="module")
def digits() -> tuple[ArrayDataset, ArrayDataset]:
    return train_test_split(load_digits_dataset(), test_fraction=0.2, seed=0)


@pytest.mark.parametrize(("optimizer", "lr"), [("sgd", 0.3), ("adam", 0.01)])
def test_train_local_reduces_loss_when_training_on_digits(
    digits: tuple[ArrayDataset, ArrayDataset], optimizer: OptimizerName, lr: float
) -> None:
    train, test = digits
    model = build_model(MLP, seed=0)
    _, loss_before = evaluate(model, test)

    stats = train_local(
        model,
        train,
        epochs=2,
        batch_size=32,
        lr=lr,
        optimizer=optimizer,
        seed=0,
    )
    accuracy, loss_after = evaluate(model, test)

    assert loss_after < loss_before / 2
    assert accuracy > 0.85
    assert stats.samples == len(train)
    assert stats.steps == 2 * -(-len(train) // 32)


def test_train_local_gives_identical_weights_when_seed_is_the_same(
    digits: tuple[ArrayDataset, ArrayDataset],
) -> None:
    train, _ = digits
    models = [build_model(MLP, seed=0) for _ in range(2)]

    for model in models:
        train_local(model, train, epochs=1, batch_size=16, lr=0.1, seed=42)

    assert encode_model(models[0]) == encode_model(models[1])


def test_train_local_gives_other_weights_when_seed_differs(
    digits: tuple[ArrayDataset, ArrayDataset],
) -> None:
    train, _ = digits
    models = [build_model(MLP, seed=0) for _ in range(2)]

    for seed, model in enumerate(models):
        train_local(model, train, epochs=1, batch_size=16, lr=0.1, seed=seed)

    assert encode_model(models[0]) != encode_model(models[1])


def test_train_local_works_when_model_is_a_user_module() -> None:
    data = from_arrays([[0.0, 1.0], [1.0, 0.0]] * 8, [1, 0] * 8)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))

    train_local(model, data, epochs=30, batch_size=4, lr=0.5, seed=0)

    assert evaluate(model, data)[0] == 1.0


def test_evaluate_returns_accuracy_and_loss_when_model_is_perfect() -> None:
    data = from_arrays([[1.0, 0.0], [0.0, 1.0]], [0, 1])
    model = torch.nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        model.weight.copy_(torch.eye(2) * 100)

    accuracy, loss = evaluate(model, data)

    assert accuracy == 1.0
    assert loss == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"lr": 0.0}, "lr"),
        ({"optimizer": "rmsprop"}, "optimizer"),
    ],
)
def test_train_local_raises_learning_error_when_arguments_are_invalid(
    kwargs: dict[str, object], message: str
) -> None:
    data = from_arrays([[0.0]], [0])
    arguments: dict[str, object] = {"epochs": 1, "batch_size": 1, "lr": 0.1, **kwargs}

    with pytest.raises(LearningError, match=message):
        train_local(torch.nn.Linear(1, 2), data, **arguments)  # type: ignore[arg-type]


def test_train_local_raises_learning_error_when_data_is_empty() -> None:
    empty = from_arrays(torch.zeros(0, 2).numpy(), [])

    with pytest.raises(LearningError, match="empty"):
        train_local(torch.nn.Linear(2, 2), empty, epochs=1, batch_size=1, lr=0.1)
