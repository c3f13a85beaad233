"""Datasets: digits, user arrays, the deterministic split, the IDX (MNIST) reader."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from flchain.errors import ConfigError
from flchain.fl.data import ArrayDataset, from_arrays, load_digits_dataset, train_test_split
from flchain.fl.idx import load_idx_dataset, load_mnist, read_idx

_HERE = Path(__file__).resolve()
MNIST_DIRS = [_HERE.parents[3] / "shared/data/mnist-t10k", Path("/work/shared/data/mnist-t10k")]


def _mnist_dir() -> Path:
    for folder in MNIST_DIRS:
        if (folder / "t10k-images-idx3-ubyte.gz").is_file():
            return folder
    pytest.skip("the shared MNIST t10k files are not on this machine")


def _write_idx(path: Path, type_code: int, array: np.ndarray, *, compress: bool) -> Path:
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(
        n.to_bytes(4, "big") for n in array.shape
    )
    raw = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    path.write_bytes(gzip.compress(raw, mtime=0) if compress else raw)
    return path


def test_load_digits_dataset_scales_pixels_to_unit_range_when_loaded() -> None:
    data = load_digits_dataset()

    assert data.features.shape == (1797, 1, 8, 8)
    assert data.features.dtype == np.float32
    assert data.features.min() == 0.0
    assert data.features.max() == 1.0
    assert set(np.unique(data.labels)) == set(range(10))


def test_from_arrays_casts_dtypes_when_given_python_lists() -> None:
    data = from_arrays([[0.5, 1.0], [2.0, 3.0]], [1, 0])

    assert data.features.dtype == np.float32
    assert data.labels.dtype == np.int64
    assert data.sample_shape == (2,)


@pytest.mark.parametrize(
    ("features", "labels"),
    [
        ([[1.0], [2.0]], [0]),
        ([[1.0], [2.0]], [0.5, 1.0]),
        ([[1.0], [2.0]], [0, -1]),
        ([[1.0], [float("nan")]], [0, 1]),
    ],
)
def test_from_arrays_raises_config_error_when_arrays_are_invalid(
    features: list[list[float]], labels: list[float]
) -> None:
    with pytest.raises(ConfigError):
        from_arrays(features, labels)


def test_array_dataset_raises_config_error_when_dtypes_are_wrong() -> None:
    with pytest.raises(ConfigError, match="from_arrays"):
        ArrayDataset(np.zeros((2, 2)), np.zeros(2, dtype=np.int64))  # type: ignore[arg-type]


def test_train_test_split_is_identical_when_seed_is_the_same() -> None:
    data = load_digits_dataset()

    (train_a, test_a), (train_b, test_b) = (
        train_test_split(data, test_fraction=0.25, seed=3) for _ in range(2)
    )

    assert np.array_equal(train_a.labels, train_b.labels)
    assert np.array_equal(test_a.features, test_b.features)
    assert len(test_a) == round(0.25 * len(data))
    assert len(train_a) + len(test_a) == len(data)


def test_train_test_split_raises_config_error_when_fraction_is_out_of_range() -> None:
    with pytest.raises(ConfigError, match="test_fraction"):
        train_test_split(load_digits_dataset(), test_fraction=1.0)


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "raw"])
def test_load_idx_dataset_reads_images_and_labels_when_file_is_tiny(
    tmp_path: Path, compress: bool
) -> None:
    pixels = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4) * 10
    images = _write_idx(tmp_path / "img", 0x08, pixels, compress=compress)
    labels = _write_idx(tmp_path / "lab", 0x08, np.array([7, 1], np.uint8), compress=compress)

    data = load_idx_dataset(images, labels)

    assert data.features.shape == (2, 1, 3, 4)
    assert np.array_equal(data.features[:, 0] * 255, pixels.astype(np.float32))
    assert data.labels.tolist() == [7, 1]


def test_read_idx_decodes_big_endian_values_when_type_is_int32(tmp_path: Path) -> None:
    values = np.array([[1, -2], [70000, 3]], dtype=np.int32)

    array = read_idx(_write_idx(tmp_path / "v", 0x0C, values, compress=False))

    assert np.array_equal(array, values)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x01\x02\x03\x04", "not an IDX"),
        (b"\x00\x00\x08\x02\x00\x00", "truncated"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x03\x01\x02", "data bytes"),
        (b"\x1f\x8b\x08garbage", "gzip"),
    ],
)
def test_read_idx_raises_config_error_when_file_is_damaged(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad"
    path.write_bytes(content)

    with pytest.raises(ConfigError, match=message):
        read_idx(path)


def test_load_mnist_raises_config_error_when_files_are_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="t10k-images"):
        load_mnist(tmp_path)


def test_load_mnist_reads_ten_thousand_digits_when_given_the_shared_t10k_files() -> None:
    data = load_mnist(_mnist_dir(), split="t10k")

    assert data.features.shape == (10_000, 1, 28, 28)
    assert 0.0 == data.features.min() < data.features.max() == 1.0
    assert data.labels[:5].tolist() == [7, 2, 1, 0, 4]
    assert np.bincount(data.labels).tolist()[0] == 980
