"""Where a participant's private training data comes from.

``digits`` (scikit-learn's, the demo default), ``mnist:DIR`` (IDX files) or ``FILE.npz``
(arrays ``x`` and ``y``). For the shipped data sets, the task's held-out test split is
removed first and ``shard=(i, n)`` cuts participant i's share as the task document says
(IID or Dirichlet); user files are used as they are.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from flchain.errors import ConfigError
from flchain.fl import (
    ArrayDataset,
    from_arrays,
    load_digits_dataset,
    load_mnist,
    shard,
    train_test_split,
)
from flchain.protocol.documents import DataConfig

__all__ = ["ROOT_SAMPLES", "load_participant_data", "load_test_data", "parse_shard", "root_data"]

#: Size of a task owner's FLTrust root dataset in the demo (the FLTrust paper uses 100).
ROOT_SAMPLES = 100


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` (0-based i) -> (i, n)."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError as exc:
        raise ConfigError(f"--shard must look like i/n (e.g. 0/5), got {text!r}.") from exc
    if not 0 <= index < count:
        raise ConfigError(f"--shard {text}: i must be within [0, n).")
    return index, count


def _shipped(source: str) -> ArrayDataset | None:
    if source == "digits":
        return load_digits_dataset()
    if source.startswith("mnist:"):
        return load_mnist(Path(source.removeprefix("mnist:")))
    return None


def load_participant_data(
    source: str, data: DataConfig, shard_of: tuple[int, int] | None
) -> ArrayDataset:
    """The training data a participant brings (see module docstring)."""
    full = _shipped(source)
    if full is None:
        path = Path(source)
        if path.suffix != ".npz" or not path.is_file():
            raise ConfigError(
                f"--data must be 'digits', 'mnist:DIR' or an existing FILE.npz, got {source!r}."
            )
        with np.load(path) as arrays:
            if "x" not in arrays or "y" not in arrays:
                raise ConfigError(f"{path} must hold arrays named 'x' and 'y'.")
            return from_arrays(arrays["x"], arrays["y"])
    train, _ = train_test_split(full, test_fraction=data.test_fraction, seed=data.seed)
    if shard_of is None:
        return train
    return shard(train, shard_of[0], shard_of[1], seed=data.seed, alpha=data.alpha)


def load_test_data(source: str, data: DataConfig) -> ArrayDataset:
    """The task's held-out test split of a shipped data set (for evaluation)."""
    full = _shipped(source)
    if full is None:
        raise ConfigError(
            f"No held-out test split for {source!r}; evaluate on 'digits' or 'mnist:DIR'."
        )
    return train_test_split(full, test_fraction=data.test_fraction, seed=data.seed)[1]


def root_data(
    data: DataConfig, samples: int = ROOT_SAMPLES, source: str = "digits"
) -> ArrayDataset:
    """A task owner's small trusted root dataset for FLTrust: ``samples`` rows drawn uniformly
    (seeded by the task's data seed) from the training split of a shipped data set."""
    full = _shipped(source)
    if full is None:
        raise ConfigError(f"No shipped data set {source!r} to draw FLTrust root data from.")
    train, _ = train_test_split(full, test_fraction=data.test_fraction, seed=data.seed)
    if not 0 < samples <= len(train):
        raise ConfigError(f"FLTrust root data must hold 1..{len(train)} samples, got {samples}.")
    rows = np.random.default_rng(data.seed + 1).choice(len(train), size=samples, replace=False)
    rows.sort()
    return from_arrays(train.features[rows], train.labels[rows])
