"""The deterministic model encoding: same tensors, same bytes; strict decoding."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest
import safetensors.torch
import torch

from flchain.errors import EncodingError
from flchain.fl.encoding import (
    decode_state,
    encode_model,
    encode_state,
    flatten_state,
    load_into,
    unflatten_state,
)
from flchain.fl.models import ModelSpec, build_model

CNN = ModelSpec("cnn", (1, 8, 8), 10, hidden_sizes=(16,), channels=(4,))

_CHILD = """
import hashlib, torch
from flchain.fl.encoding import encode_model
from flchain.fl.models import ModelSpec, build_model
spec = ModelSpec.from_json(bytes.fromhex("{spec}"))
print(hashlib.sha256(encode_model(build_model(spec, seed=3))).hexdigest())
"""


def _state() -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return {
        "layer.weight": torch.randn(4, 3, generator=generator),
        "layer.bias": torch.randn(4, generator=generator),
        "Zeta": torch.tensor(-0.0),
        "empty": torch.zeros(0, 5),
        "ünïcode": torch.arange(3, dtype=torch.int64),
    }


def test_encode_state_gives_same_bytes_when_insertion_order_differs() -> None:
    state = _state()

    forward = encode_state(state)
    backward = encode_state(dict(reversed(list(state.items()))))

    assert forward == backward


def test_encode_state_gives_same_bytes_when_tensors_are_views_or_other_dtypes() -> None:
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)

    contiguous = encode_state({"w": base.t().contiguous()})
    strided = encode_state({"w": base.t()})
    half = encode_state({"w": base.t().to(torch.float16)})

    assert contiguous == strided == half


def test_encode_model_gives_same_bytes_when_run_in_another_process() -> None:
    expected = hashlib.sha256(encode_model(build_model(CNN, seed=3))).hexdigest()
    env = {**os.environ, "PYTHONHASHSEED": "12345"}

    child = subprocess.run(
        [sys.executable, "-c", _CHILD.format(spec=CNN.to_json().hex())],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )

    assert child.stdout.strip() == expected


def test_encode_state_writes_sorted_header_and_aligned_data_when_encoding() -> None:
    encoded = encode_state({"b": torch.ones(1), "a": torch.zeros(2)})

    length = int.from_bytes(encoded[:8], "little")
    header = encoded[8 : 8 + length]

    assert length % 8 == 0
    assert header.rstrip(b" ") == (
        b'{"__metadata__":{"format":"pt"},'
        b'"a":{"data_offsets":[0,8],"dtype":"F32","shape":[2]},'
        b'"b":{"data_offsets":[8,12],"dtype":"F32","shape":[1]}}'
    )
    assert encoded[8 + length :] == np.array([0, 0, 1], dtype="<f4").tobytes()


def test_safetensors_load_reads_the_encoding_when_given_our_bytes() -> None:
    state = _state()

    loaded = safetensors.torch.load(encode_state(state))

    assert set(loaded) == set(state)
    for name, tensor in state.items():
        assert torch.equal(loaded[name], tensor.float()), name


def test_decode_state_round_trips_bits_when_values_are_special_floats() -> None:
    special = torch.tensor([float("nan"), float("inf"), -float("inf"), -0.0, 1e-45, 3.4e38])

    decoded = decode_state(encode_state({"x": special}))["x"]

    assert decoded.numpy().tobytes() == special.numpy().tobytes()


def test_decode_state_reads_safetensors_files_when_written_by_the_library() -> None:
    state = {"w": torch.randn(2, 3), "b": torch.randn(3)}

    decoded = decode_state(safetensors.torch.save(state, metadata={"k": "v"}))

    assert list(decoded) == ["b", "w"]
    assert torch.equal(decoded["w"], state["w"])


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"garbage",
        b"\xff" * 64,
        (4).to_bytes(8, "little") + b"{}  ",
    ],
    ids=["empty", "short", "huge-header", "no-tensor"],
)
def test_decode_state_raises_encoding_error_when_bytes_are_garbage(data: bytes) -> None:
    with pytest.raises(EncodingError):
        decode_state(data)


@pytest.mark.parametrize("cut", [1, 8, 20, -1])
def test_decode_state_raises_encoding_error_when_bytes_are_truncated(cut: int) -> None:
    encoded = encode_state(_state())

    with pytest.raises(EncodingError):
        decode_state(encoded[:cut])


def test_decode_state_raises_encoding_error_when_bytes_are_appended() -> None:
    with pytest.raises(EncodingError):
        decode_state(encode_state(_state()) + b"\x00")


def test_decode_state_raises_encoding_error_when_a_tensor_is_not_float32() -> None:
    data = safetensors.torch.save({"w": torch.ones(2, dtype=torch.float16)})

    with pytest.raises(EncodingError, match="float32"):
        decode_state(data)


@pytest.mark.parametrize(
    "state",
    [{}, {"__metadata__": torch.ones(1)}, {"c": torch.ones(1, dtype=torch.complex64)}],
    ids=["empty", "reserved-name", "complex"],
)
def test_encode_state_raises_encoding_error_when_state_cannot_be_encoded(
    state: dict[str, torch.Tensor],
) -> None:
    with pytest.raises(EncodingError):
        encode_state(state)


def test_load_into_copies_the_state_when_model_has_the_same_spec() -> None:
    source, target = build_model(CNN, seed=1), build_model(CNN, seed=2)

    load_into(target, encode_model(source))

    assert encode_model(target) == encode_model(source)


def test_load_into_raises_encoding_error_naming_tensors_when_model_differs() -> None:
    other = ModelSpec("mlp", (1, 8, 8), 10, hidden_sizes=(8,))

    with pytest.raises(EncodingError, match="missing"):
        load_into(build_model(CNN, seed=0), encode_model(build_model(other, seed=0)))


def test_load_into_raises_encoding_error_naming_shape_when_sizes_differ() -> None:
    small = ModelSpec("mlp", (64,), 10, hidden_sizes=(8,))
    large = ModelSpec("mlp", (64,), 10, hidden_sizes=(9,))

    with pytest.raises(EncodingError, match="shape"):
        load_into(build_model(small, seed=0), encode_model(build_model(large, seed=0)))


def test_load_into_works_when_model_is_a_user_module() -> None:
    class Tiny(torch.nn.Module):
        steps: torch.Tensor

        def __init__(self) -> None:
            super().__init__()
            self.scale = torch.nn.Parameter(torch.ones(3))
            self.register_buffer("steps", torch.zeros((), dtype=torch.int64))

    source, target = Tiny(), Tiny()
    with torch.no_grad():
        source.scale.mul_(2.5)
        source.steps.fill_(7)

    load_into(target, encode_model(source))

    assert torch.equal(target.scale, source.scale)
    assert target.steps.dtype == torch.int64
    assert int(target.steps) == 7


def test_unflatten_state_inverts_flatten_state_when_given_its_template() -> None:
    state = _state()

    vector = flatten_state(state)
    restored = unflatten_state(vector, state)

    assert vector.dtype == np.float32
    assert vector.shape == (sum(t.numel() for t in state.values()),)
    assert encode_state(restored) == encode_state(state)


def test_flatten_state_follows_sorted_names_when_flattening() -> None:
    vector = flatten_state({"b": torch.tensor([3.0]), "a": torch.tensor([1.0, 2.0])})

    assert vector.tolist() == [1.0, 2.0, 3.0]


def test_unflatten_state_raises_encoding_error_when_vector_size_differs() -> None:
    with pytest.raises(EncodingError, match="template"):
        unflatten_state(np.zeros(3, dtype=np.float32), {"w": torch.zeros(4)})
