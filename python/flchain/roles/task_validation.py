"""Checks a task must pass before anyone stakes on it: ranges of every field of a task file,
the model against the task's data set, and a participant's own data against the model.

:func:`validate_task_file` runs on every parsed task file (roles/taskfile.py), so ``flchain
task create`` refuses a task that participants would later fail to train, before any
transaction; :func:`check_data_fits` runs in ``flchain participant run`` before joining, so a
participant never stakes with data the task's model cannot take. Each error is a
:class:`~flchain.errors.ConfigError` naming the key and the allowed range.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flchain.errors import ConfigError
from flchain.fl import ModelSpec, rule_spec
from flchain.protocol.amounts import MAX_UNITS, format_tokens

if TYPE_CHECKING:  # the task file types import this module: no import cycle at run time
    from flchain.fl import ArrayDataset
    from flchain.protocol.documents import TaskDocument
    from flchain.roles.taskfile import TaskFile

__all__ = [
    "DATASET_SHAPES",
    "check_data_fits",
    "check_rule_params",
    "validate_document",
    "validate_task_file",
]

#: One sample's shape and the number of classes of each data set a task can name.
DATASET_SHAPES: Mapping[str, tuple[tuple[int, ...], int]] = {
    "digits": ((1, 8, 8), 10),
    "mnist": ((1, 28, 28), 10),
}
#: The contract stores stakes and rewards as uint128.


def check_rule_params(rule: str, params: Mapping[str, Any]) -> None:
    """ConfigError unless ``params`` is a table of JSON values that ``rule``'s spec takes,
    by name and range (an unknown rule is refused too)."""
    for key, value in params.items():
        if not _is_json_value(value):
            raise ConfigError(
                f"task.rule_params.{key} must be a number, string, boolean or a list of them, "
                f"got {value!r}."
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"task.rule_params.{key} must be finite, got {value}.")
    rule_spec(rule).parse_params(dict(params))  # ConfigError names a bad parameter


def _is_json_value(value: Any) -> bool:
    if isinstance(value, list):
        return all(_is_json_value(v) for v in value)
    return isinstance(value, (bool, int, float, str))


def _within(key: str, value: float, low: float, high: float, *, open_low: bool = False) -> None:
    below = value <= low if open_low else value < low
    if math.isnan(value) or below or value > high:
        bracket = "(" if open_low else "["
        raise ConfigError(f"{key} must be within {bracket}{low:g}, {high:g}], got {value!r}.")


def _check_tokens(key: str, units: int, *, times: int = 1) -> None:
    if units * times > MAX_UNITS:
        what = f"{key} x task.rounds" if times > 1 else key
        raise ConfigError(
            f"{what} is {format_tokens(units * times, places=0)} tokens, more than the chain can "
            f"hold; use at most {format_tokens(MAX_UNITS // times, places=0)} tokens."
        )


def _check_model_fits_dataset(model: ModelSpec, dataset: str) -> None:
    shape, classes = DATASET_SHAPES[dataset]
    if not _shape_fits(model, shape):
        raise ConfigError(
            f"model.input_shape {list(model.input_shape)} does not fit data.dataset {dataset!r}, "
            f"whose samples have shape {list(shape)}; set input_shape = {list(shape)}."
        )
    if model.num_classes < classes:
        raise ConfigError(
            f"model.num_classes is {model.num_classes}, but data.dataset {dataset!r} has "
            f"{classes} classes; set num_classes = {classes}."
        )


def _shape_fits(model: ModelSpec, shape: tuple[int, ...]) -> bool:
    """CNNs need the exact sample shape; dense models flatten, so the size must match."""
    if model.family == "cnn":
        return tuple(shape) == model.input_shape
    return math.prod(shape) == math.prod(model.input_shape)


def validate_document(doc: TaskDocument) -> None:
    """ConfigError naming the first field of a task document out of its range: what every
    participant trains with (checked again by a participant before it joins)."""
    training = doc.training
    _within("training.epochs", training.epochs, 1, 1_000)
    _within("training.batch_size", training.batch_size, 1, 1_000_000)
    _within("training.lr", training.lr, 0.0, 10.0, open_low=True)
    _within("data.test_fraction", doc.data.test_fraction, 0.0, 0.9, open_low=True)
    _within("data.seed", doc.data.seed, 0, 2**32 - 1)
    _check_model_fits_dataset(doc.model, doc.data.dataset)
    check_rule_params(doc.rule, doc.rule_params)


def validate_task_file(task_file: TaskFile) -> None:
    """ConfigError naming the first field of ``task_file`` out of its range."""
    validate_document(task_file.document)
    _within("task.model_seed", task_file.model_seed, 0, 2**32 - 1)
    for key in ("commit_seconds", "reveal_seconds", "attest_seconds"):
        _within(f"task.{key}", getattr(task_file, key), 1, 2**63 - 1)
    _check_tokens("task.min_stake", task_file.min_stake)
    _check_tokens("task.reward_per_round", task_file.reward_per_round, times=task_file.rounds)


def check_data_fits(model: ModelSpec, data: ArrayDataset, source: str) -> None:
    """ConfigError unless every sample of ``data`` (from ``source``) fits the task's model
    and every label is one of its classes: checked before joining, so nobody stakes on data
    that training would refuse."""
    sample_shape = tuple(int(d) for d in data.features.shape[1:])
    if not _shape_fits(model, sample_shape):
        raise ConfigError(
            f"The data {source!r} has samples of shape {list(sample_shape)}, but the task's "
            f"model takes {list(model.input_shape)}; use data of the task's shape."
        )
    if len(data.labels):
        top = int(data.labels.max())
        if top >= model.num_classes:
            raise ConfigError(
                f"The data {source!r} has label {top}, but the task's model has "
                f"{model.num_classes} classes (labels 0..{model.num_classes - 1}); "
                "use data whose labels fit the task."
            )
