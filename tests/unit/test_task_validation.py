"""Validation before stake: every task-file field out of range, a model that does not fit the
task's data set, and participant data the model cannot take are refused in one sentence
naming the key, before any transaction."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from flchain.errors import ConfigError
from flchain.fl import ModelSpec, from_arrays
from flchain.roles.task_validation import (
    check_data_fits,
    check_rule_params,
    validate_document,
)
from flchain.roles.taskfile import load_task_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BASE = """
[task]
name = "t"
rounds = 3
{task}
[model]
family = "mlp"
hidden_sizes = [16]
{model}
[training]
{training}
[data]
dataset = "digits"
"""


def _error(tmp_path: Path, *, task: str = "", model: str = "", training: str = "") -> str:
    path = tmp_path / "task.toml"
    path.write_text(BASE.format(task=task, model=model, training=training))
    with pytest.raises(ConfigError) as caught:
        load_task_file(path)
    message = str(caught.value)
    assert "\n" not in message, message
    assert message.endswith("."), message
    return message


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_validate_task_file_accepts_every_shipped_example(path: Path) -> None:
    assert load_task_file(path).rounds >= 1


@pytest.mark.parametrize(
    ("training", "key"),
    [
        ("epochs = 0", "training.epochs"),
        ("batch_size = 0", "training.batch_size"),
        ("lr = nan", "training.lr"),
        ("lr = -0.1", "training.lr"),
        ("lr = inf", "training.lr"),
    ],
)
def test_task_create_refuses_training_out_of_range_when_validated(
    tmp_path: Path, training: str, key: str
) -> None:
    assert key in _error(tmp_path, training=training)


def test_task_create_refuses_input_shape_mismatch_when_dataset_is_digits(tmp_path: Path) -> None:
    message = _error(tmp_path, model="input_shape = [1, 28, 28]")

    assert "model.input_shape" in message
    assert "[1, 8, 8]" in message


def test_task_create_refuses_fewer_classes_than_the_dataset_has(tmp_path: Path) -> None:
    assert "model.num_classes" in _error(tmp_path, model="num_classes = 5")


def test_task_create_refuses_a_stake_the_chain_cannot_hold(tmp_path: Path) -> None:
    message = _error(tmp_path, task='min_stake = "1e40"')

    assert "task.min_stake" in message
    assert "more than the chain can hold" in message


def test_task_create_refuses_rewards_whose_total_overflows(tmp_path: Path) -> None:
    assert "task.reward_per_round x task.rounds" in _error(
        tmp_path, task='reward_per_round = "2e20"'
    )


def test_load_task_file_says_a_directory_is_not_a_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a task config file"):
        load_task_file(tmp_path)


def test_check_rule_params_refuses_a_table_value() -> None:
    with pytest.raises(ConfigError, match=r"task\.rule_params\.f"):
        check_rule_params("krum", {"f": {"nested": 1}})


def test_check_rule_params_refuses_a_misspelt_parameter_of_the_rule() -> None:
    with pytest.raises(ConfigError, match="fx"):
        check_rule_params("krum", {"fx": 1})


SPEC = ModelSpec(family="mlp", input_shape=(1, 8, 8), num_classes=10, hidden_sizes=(16,))


def test_check_data_fits_refuses_samples_of_the_wrong_shape() -> None:
    data = from_arrays(np.zeros((4, 3, 3), dtype=np.float32), np.zeros(4, dtype=np.int64))

    with pytest.raises(ConfigError, match=r"shape \[3, 3\]"):
        check_data_fits(SPEC, data, "bad.npz")


def test_check_data_fits_refuses_labels_beyond_the_model_classes() -> None:
    data = from_arrays(np.zeros((4, 64), dtype=np.float32), np.array([0, 1, 2, 14]))

    with pytest.raises(ConfigError, match="label 14"):
        check_data_fits(SPEC, data, "bad.npz")


def test_check_data_fits_accepts_flat_samples_of_the_right_size() -> None:
    data = from_arrays(np.zeros((4, 64), dtype=np.float32), np.array([0, 1, 2, 9]))

    check_data_fits(SPEC, data, "ok.npz")


def test_validate_document_refuses_a_published_document_no_one_could_train() -> None:
    document = load_task_file(EXAMPLES / "digits.toml").document
    broken = replace(document, training=replace(document.training, epochs=0))

    with pytest.raises(ConfigError, match=r"training\.epochs"):
        validate_document(broken)
