"""Labelled data as arrays: scikit-learn digits, user arrays, a deterministic split.

Every dataset is an :class:`ArrayDataset`: float32 features with the sample axis first
(images as ``(N, channels, height, width)``) and int64 class labels. The IDX (MNIST)
reader lives in :mod:`flchain.fl.idx`, partitioning into shards in
:mod:`flchain.fl.partition`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from flchain.errors import ConfigError

__all__ = [
    "DIGITS_INPUT_SHAPE",
    "ArrayDataset",
    "from_arrays",
    "load_digits_dataset",
    "train_test_split",
]

DIGITS_INPUT_SHAPE = (1, 8, 8)
"""Shape of one scikit-learn digits sample as :func:`load_digits_dataset` gives it."""


@dataclass(frozen=True, eq=False)
class ArrayDataset:
    """Features (float32, sample axis first) and int64 labels of the same length."""

    features: npt.NDArray[np.float32]
    labels: npt.NDArray[np.int64]

    def __post_init__(self) -> None:
        if self.features.dtype != np.float32 or self.labels.dtype != np.int64:
            raise ConfigError(
                f"features must be float32 and labels int64, got {self.features.dtype} "
                f"and {self.labels.dtype}; build datasets with from_arrays()."
            )
        if self.features.ndim < 2 or self.labels.ndim != 1:
            raise ConfigError(
                f"features need a sample axis and one feature axis at least, labels one axis; "
                f"got shapes {self.features.shape} and {self.labels.shape}."
            )
        if len(self.features) != len(self.labels):
            raise ConfigError(
                f"{len(self.features)} feature rows but {len(self.labels)} labels; "
                "they must match one to one."
            )

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """Shape of one sample (the ``input_shape`` of a ModelSpec)."""
        return tuple(int(d) for d in self.features.shape[1:])

    def subset(self, indices: npt.NDArray[np.int64]) -> ArrayDataset:
        """The samples at ``indices``, in that order (copies)."""
        return ArrayDataset(self.features[indices], self.labels[indices])


def from_arrays(features: npt.ArrayLike, labels: npt.ArrayLike) -> ArrayDataset:
    """Wrap user arrays: features cast to float32, labels to int64 (must be integers >= 0)."""
    x = np.ascontiguousarray(features, dtype=np.float32)
    y = np.asarray(labels)
    if y.size and not np.issubdtype(y.dtype, np.integer):
        raise ConfigError(f"labels must be integers (class indices), got dtype {y.dtype}.")
    y = y.astype(np.int64)
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    if y.size and int(y.min()) < 0:
        raise ConfigError(f"labels must be class indices >= 0, got {int(y.min())}.")
    if not np.isfinite(x).all():
        raise ConfigError("features contain NaN or infinity; clean them before training.")
    return ArrayDataset(x, y)


def load_digits_dataset() -> ArrayDataset:
    """scikit-learn's 8x8 digits (1,797 samples, 10 classes), pixels scaled to [0, 1].

    Features have shape ``(1797, 1, 8, 8)`` (see :data:`DIGITS_INPUT_SHAPE`), so the
    same data feeds a CNN as well as a flattening logistic regression or MLP.
    """
    from sklearn.datasets import load_digits  # here, not at the top: a slow import

    digits = load_digits()
    features = (np.asarray(digits.images, dtype=np.float32) / np.float32(16.0)).reshape(
        -1, *DIGITS_INPUT_SHAPE
    )
    return ArrayDataset(np.ascontiguousarray(features), np.asarray(digits.target, np.int64))


def train_test_split(
    data: ArrayDataset, *, test_fraction: float = 0.2, seed: int = 0
) -> tuple[ArrayDataset, ArrayDataset]:
    """Shuffle with ``seed`` and hold out ``round(test_fraction * N)`` samples as test set.

    Deterministic: the same data, fraction and seed always give the same split.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ConfigError(f"test_fraction must be in (0, 1), got {test_fraction}.")
    order = np.random.default_rng(seed).permutation(len(data))
    test_size = round(test_fraction * len(data))
    if test_size == 0 or test_size == len(data):
        raise ConfigError(
            f"test_fraction {test_fraction} of {len(data)} samples leaves an empty side; "
            "use more data or another fraction."
        )
    return data.subset(order[test_size:]), data.subset(order[:test_size])
