"""The IDX file format (MNIST's), gzip-compressed or raw.

An IDX file is: two zero bytes, a type byte, a byte with the number of dimensions,
one big-endian uint32 per dimension, then the values, big-endian, row-major.
Compression is recognised by the gzip magic bytes, not by the file name.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np
import numpy.typing as npt

from flchain.errors import ConfigError
from flchain.fl.data import ArrayDataset

__all__ = ["MNIST_INPUT_SHAPE", "load_idx_dataset", "load_mnist", "read_idx"]

MNIST_INPUT_SHAPE = (1, 28, 28)

_GZIP_MAGIC = b"\x1f\x8b"
_TYPES: dict[int, np.dtype[np.generic]] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path: Path | str) -> npt.NDArray[np.generic]:
    """Read one IDX file into an array of its shape (native byte order)."""
    raw = _read_bytes(Path(path))
    if len(raw) < 4 or raw[0:2] != b"\x00\x00" or raw[2] not in _TYPES:
        raise ConfigError(f"{path} is not an IDX file (bad magic {raw[:4].hex()}).")
    dtype, ndim = _TYPES[raw[2]], raw[3]
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ConfigError(f"{path} is truncated inside its IDX header.")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header_size != expected:
        raise ConfigError(
            f"{path} holds {len(raw) - header_size} data bytes, but its header "
            f"{shape} of {dtype} says {expected}."
        )
    values = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    return values.astype(dtype.newbyteorder("="))


def load_idx_dataset(images: Path | str, labels: Path | str) -> ArrayDataset:
    """Images (N, H, W) of uint8 scaled to [0, 1] as (N, 1, H, W), with their labels."""
    pixels, classes = read_idx(images), read_idx(labels)
    if pixels.ndim != 3 or pixels.dtype != np.uint8:
        raise ConfigError(f"{images} must hold uint8 images (N, H, W), got {pixels.shape}.")
    if classes.ndim != 1 or len(classes) != len(pixels):
        raise ConfigError(f"{labels} must hold one label per image of {images}.")
    features = pixels.astype(np.float32)[:, None, :, :] / np.float32(255.0)
    return ArrayDataset(features, classes.astype(np.int64))


def load_mnist(directory: Path | str, split: str = "t10k") -> ArrayDataset:
    """MNIST from ``directory``: ``{split}-images-idx3-ubyte`` and labels, ``.gz`` or raw."""
    folder = Path(directory)
    return load_idx_dataset(
        _find(folder, f"{split}-images-idx3-ubyte"), _find(folder, f"{split}-labels-idx1-ubyte")
    )


def _find(folder: Path, stem: str) -> Path:
    for candidate in (folder / f"{stem}.gz", folder / stem):
        if candidate.is_file():
            return candidate
    raise ConfigError(f"Neither {stem}.gz nor {stem} is in {folder}.")


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
        return gzip.decompress(raw) if raw[:2] == _GZIP_MAGIC else raw
    except OSError as exc:  # also gzip.BadGzipFile
        raise ConfigError(f"Cannot read {path}: {exc}.") from exc
    except (EOFError, zlib.error) as exc:
        raise ConfigError(f"{path} is a damaged gzip file: {exc}.") from exc
