"""The deterministic byte encoding of a model's state: same tensors, same bytes, same CID.

The bytes are a valid `safetensors <https://github.com/huggingface/safetensors>`_ file
(``safetensors.torch.load`` reads them), written by this module rather than by the
safetensors serializer, because that one writes ``__metadata__`` in hash-map order
(random per process) and orders tensors by dtype before name. Layout:

1. 8 bytes: little-endian uint64 ``N``, the length of the header;
2. ``N`` bytes: the header, compact ASCII JSON with keys sorted, padded with spaces to a
   multiple of 8 bytes: ``{"__metadata__":{"format":"pt"},"<name>":{"data_offsets":
   [begin,end],"dtype":"F32","shape":[...]},...}``;
3. the data: every tensor as little-endian float32, C order, one after the other in
   sorted name order (Python ``str`` order, i.e. by code point), no gaps.

Every tensor is converted to float32 (exact for float16/bfloat16 and integers below
2**24, rounded to nearest for float64). The two calls a user makes are
:func:`encode_model` (before upload) and :func:`load_into` (after download).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import torch
from safetensors import SafetensorError
from safetensors.torch import load as _safetensors_load
from torch import nn

from flchain.errors import EncodingError

__all__ = [
    "ENCODING_METADATA",
    "SAMPLES_KEY",
    "decode_metadata",
    "decode_state",
    "encode_model",
    "encode_state",
    "flatten_state",
    "load_into",
    "unflatten_state",
]

ENCODING_METADATA: Mapping[str, str] = {"format": "pt"}
"""The fixed ``__metadata__`` of every encoding (no timestamps, no versions of tools)."""

SAMPLES_KEY = "flchain.samples"
"""Metadata key of an update's self-reported number of training samples (FedAvg weight)."""

_LITTLE_F32 = np.dtype("<f4")


def encode_state(
    state: Mapping[str, torch.Tensor], metadata: Mapping[str, str] | None = None
) -> bytes:
    """Encode named tensors to canonical safetensors bytes (see the module doc).

    ``metadata`` adds string entries to ``__metadata__`` (written with sorted keys, so still
    canonical), e.g. an update's self-reported sample count under :data:`SAMPLES_KEY`.
    """
    names = _sorted_names(state)
    extra = dict(metadata or {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in extra.items()):
        raise EncodingError("Encoding metadata must map strings to strings.")
    header: dict[str, object] = {"__metadata__": {**extra, **ENCODING_METADATA}}
    chunks: list[bytes] = []
    offset = 0
    for name in names:
        values = _as_float32_array(name, state[name])
        chunks.append(values.tobytes(order="C"))
        header[name] = {
            "data_offsets": [offset, offset + values.nbytes],
            "dtype": "F32",
            "shape": list(values.shape),
        }
        offset += values.nbytes
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    encoded = text.encode("ascii")
    encoded += b" " * (-len(encoded) % 8)
    return b"".join([len(encoded).to_bytes(8, "little"), encoded, *chunks])


def decode_metadata(data: bytes) -> dict[str, str]:
    """The ``__metadata__`` of an encoding (empty if it has none).

    Raises:
        EncodingError: the bytes do not start with a readable safetensors header.
    """
    try:
        length = int.from_bytes(data[:8], "little")
        if len(data) < 8 or length > len(data) - 8:
            raise ValueError("header length beyond the data")
        header = json.loads(data[8 : 8 + length])
        metadata = header.get("__metadata__", {}) if isinstance(header, dict) else None
        if not isinstance(metadata, dict):
            raise ValueError("__metadata__ is not an object")
    except (ValueError, UnicodeDecodeError) as exc:
        raise EncodingError(
            f"{len(data)} bytes have no readable safetensors header: {exc}."
        ) from exc
    return {str(k): str(v) for k, v in metadata.items()}


def decode_state(data: bytes) -> dict[str, torch.Tensor]:
    """Decode bytes from :func:`encode_state` (any float32 safetensors file is accepted).

    Raises:
        EncodingError: the bytes are not safetensors (garbage, truncated, trailing
            bytes), hold no tensor, or hold a tensor that is not float32.
    """
    try:
        tensors = _safetensors_load(bytes(data))
    except (SafetensorError, ValueError, RuntimeError, OverflowError) as exc:
        raise EncodingError(
            f"{len(data)} bytes are not a valid model encoding (safetensors): {exc}."
        ) from exc
    if not tensors:
        raise EncodingError("The model encoding holds no tensor.")
    for name, tensor in tensors.items():
        if tensor.dtype != torch.float32:
            raise EncodingError(f"Tensor {name!r} is {tensor.dtype}; encodings hold float32 only.")
    return dict(sorted(tensors.items()))


def encode_model(model: nn.Module) -> bytes:
    """Encode ``model.state_dict()`` (parameters and buffers) with :func:`encode_state`."""
    return encode_state(model.state_dict())


def load_into(model: nn.Module, data: bytes) -> None:
    """Load an encoded state (e.g. a downloaded global model) into ``model`` in place.

    The model keeps its own device and dtypes. The encoding must hold exactly the
    model's state names with the model's shapes.

    Raises:
        EncodingError: invalid bytes, or names/shapes that do not fit ``model``.
    """
    state = decode_state(data)
    _check_fits(model.state_dict(), state)
    model.load_state_dict(state, strict=True)


def flatten_state(state: Mapping[str, torch.Tensor]) -> npt.NDArray[np.float32]:
    """All values of ``state`` as one 1-D float32 vector, tensors in sorted name order.

    The same order as in the encoding, so one update is one row for aggregation.
    """
    parts = [_as_float32_array(name, state[name]).reshape(-1) for name in _sorted_names(state)]
    return np.concatenate(parts).astype(np.float32, copy=False)


def unflatten_state(
    vector: npt.NDArray[np.float32], template: Mapping[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """Cut a vector from :func:`flatten_state` back into float32 CPU tensors shaped as ``template``.

    Raises:
        EncodingError: ``vector`` is not 1-D float32 of exactly the template's size.
    """
    names = _sorted_names(template)
    shapes = [tuple(template[name].shape) for name in names]
    sizes = [math.prod(shape) for shape in shapes]
    if vector.dtype != np.float32 or vector.ndim != 1 or vector.size != sum(sizes):
        raise EncodingError(
            f"A {vector.dtype} vector of shape {vector.shape} does not fit the template, "
            f"which needs 1-D float32 of {sum(sizes)} values."
        )
    flat = torch.from_numpy(np.array(vector, dtype=np.float32, copy=True))
    pieces = torch.split(flat, sizes)
    return {
        name: piece.reshape(shape) for name, piece, shape in zip(names, pieces, shapes, strict=True)
    }


def _check_fits(expected: Mapping[str, torch.Tensor], state: Mapping[str, torch.Tensor]) -> None:
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise EncodingError(
            f"The encoding does not fit the model: missing {missing or 'none'}, "
            f"unexpected {unexpected or 'none'}; was it made for another model spec?"
        )
    for name, tensor in expected.items():
        if tuple(tensor.shape) != tuple(state[name].shape):
            raise EncodingError(
                f"Tensor {name!r} has shape {tuple(state[name].shape)} in the encoding "
                f"but {tuple(tensor.shape)} in the model."
            )


def _as_float32_array(name: str, tensor: torch.Tensor) -> npt.NDArray[np.float32]:
    if tensor.is_complex():
        raise EncodingError(f"Tensor {name!r} is complex ({tensor.dtype}); encode real tensors.")
    values = tensor.detach().to(device="cpu", dtype=torch.float32).contiguous().numpy()
    return values.astype(_LITTLE_F32, copy=False)  # keeps 0-d shapes, unlike ascontiguousarray


def _sorted_names(state: Mapping[str, torch.Tensor]) -> list[str]:
    if not state:
        raise EncodingError("The state holds no tensor; there is nothing to encode.")
    for name in state:
        if not isinstance(name, str) or name == "__metadata__":
            raise EncodingError(f"{name!r} cannot name a tensor in an encoding.")
    return sorted(state)
