"""Shards a task's model cannot train on are refused with a reason naming the dataset."""

from __future__ import annotations

import numpy as np
import pytest

from flchain.errors import ConfigError
from flchain.fl import ModelSpec
from flchain.fl.data import ArrayDataset, from_arrays
from flchain.roles.data.shard_draws import check_fits_model

MODEL = ModelSpec("logreg", (1, 8, 8), 10)


def _data(labels: list[int], shape: tuple[int, ...] = (1, 8, 8)) -> ArrayDataset:
    features = np.zeros((len(labels), *shape), dtype=np.float32)
    return from_arrays(features, np.array(labels, dtype=np.int64))


def test_labels_within_the_models_classes_and_its_sample_shape_fit() -> None:
    check_fits_model(_data([0, 9, 3]), MODEL, 4, 2)


@pytest.mark.parametrize("labels", [[0, 10], [255, 3]])
def test_labels_outside_the_models_classes_are_refused_naming_the_dataset(
    labels: list[int],
) -> None:
    with pytest.raises(ConfigError, match=r"Dataset 4 holds labels .* task 2's model has 10 "):
        check_fits_model(_data(labels), MODEL, 4, 2)


def test_samples_of_another_shape_are_refused_naming_the_dataset() -> None:
    with pytest.raises(ConfigError, match=r"Dataset 4 holds samples of shape \(1, 28, 28\)"):
        check_fits_model(_data([1], (1, 28, 28)), MODEL, 4, 2)
