"""flchain.fl.quantize: the fixed-point model and forward pass that the inference contract mirrors.

The contract side of "mirrors exactly" is tested on Anvil (tests/integration/test_inference.py)
and by the Solidity fuzz test; here the Python side is checked against a plain reference
written with Python integers and floor division, and the quantization against the float model.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from flchain.errors import QuantizationError, UnsupportedModelError
from flchain.fl import (
    ModelSpec,
    build_model,
    encode_model,
    load_digits_dataset,
    train_local,
    train_test_split,
)
from flchain.fl.quantize import (
    QuantizedLayer,
    QuantizedModel,
    check_supported,
    predict_fixed,
    quantize_inputs,
    quantize_model,
    quantize_state,
    weight_frac_bits,
)

INT64 = st.integers(-(2**63), 2**63 - 1)


def _reference(model: QuantizedModel, row: list[int]) -> list[int]:
    """The forward pass spelled out: Python ints, ``//`` for the floor division."""
    x = row
    for index, layer in enumerate(model.layers):
        f = layer.frac_bits
        out = []
        for j in range(layer.weights.shape[0]):
            acc = sum(int(w) * v for w, v in zip(layer.weights[j], x, strict=True))
            acc += int(layer.bias[j]) * 2**16 + (2 ** (f - 1) if f else 0)
            value = min(max(acc // 2**f, -(2**63)), 2**63 - 1)
            out.append(max(value, 0) if index < len(model.layers) - 1 else value)
        x = out
    return x


@st.composite
def models_and_rows(draw: st.DrawFn) -> tuple[QuantizedModel, list[list[int]]]:
    sizes = draw(st.lists(st.integers(1, 6), min_size=2, max_size=4))
    layers = []
    for n_in, n_out in itertools.pairwise(sizes):
        params = draw(
            st.lists(
                st.integers(-(2**15), 2**15 - 1),
                min_size=n_out * (n_in + 1),
                max_size=n_out * (n_in + 1),
            )
        )
        values = np.array(params, dtype=np.int16)
        layers.append(
            QuantizedLayer(
                values[: n_in * n_out].reshape(n_out, n_in),
                values[n_in * n_out :],
                draw(st.integers(0, 24)),
            )
        )
    small = st.integers(-(2**20), 2**20)
    rows = draw(
        st.lists(
            st.lists(st.one_of(small, INT64), min_size=sizes[0], max_size=sizes[0]),
            min_size=1,
            max_size=4,
        )
    )
    return QuantizedModel(tuple(layers)), rows


@settings(max_examples=200, deadline=None)
@given(models_and_rows())
def test_predict_fixed_equals_the_plain_reference_for_any_int64_input(
    case: tuple[QuantizedModel, list[list[int]]],
) -> None:
    model, rows = case

    found = predict_fixed(model, np.array(rows, dtype=np.int64))

    expected = [_reference(model, row) for row in rows]
    assert found.scores.tolist() == expected
    assert found.labels.tolist() == [int(np.argmax(scores)) for scores in expected]


@settings(max_examples=50, deadline=None)
@given(models_and_rows())
def test_weights_bytes_round_trip_when_parsed_back(
    case: tuple[QuantizedModel, list[list[int]]],
) -> None:
    model, _ = case

    parsed = QuantizedModel.from_bytes(model.to_bytes())

    assert parsed.to_bytes() == model.to_bytes()
    assert parsed.sizes == model.sizes
    assert parsed.frac_bits == model.frac_bits


def test_weights_bytes_follow_the_contract_format_when_encoded() -> None:
    layer = QuantizedLayer(
        np.array([[1, -1, 2], [-2, 0, 1]], np.int16), np.array([1, -1], np.int16), 1
    )

    data = QuantizedModel((layer,)).to_bytes()

    header = bytes([1, 1, 0, 3, 0, 2, 1])
    body = bytes.fromhex("0001ffff0002fffe000000010001ffff")
    assert data == header + body


def test_from_bytes_refuses_weights_of_the_wrong_length_when_parsed() -> None:
    data = QuantizedModel(
        (QuantizedLayer(np.zeros((2, 3), np.int16), np.zeros(2, np.int16), 0),)
    ).to_bytes()

    with pytest.raises(QuantizationError, match=r"take 23 bytes, not 22"):
        QuantizedModel.from_bytes(data[:-1])


@pytest.mark.parametrize(
    ("largest", "bits"), [(0.0, 24), (1e-9, 24), (1.0, 14), (0.99, 15), (1.9999, 14), (32767.4, 0)]
)
def test_weight_frac_bits_keeps_the_largest_weight_in_int16(largest: float, bits: int) -> None:
    assert weight_frac_bits(largest) == bits


def test_weight_frac_bits_refuses_a_weight_beyond_int16() -> None:
    with pytest.raises(QuantizationError, match=r"exceeds the int16 range of on-chain weights"):
        weight_frac_bits(40_000.0)


def test_quantize_model_bounds_the_weight_error_by_half_a_step() -> None:
    model = build_model(ModelSpec("mlp", (1, 8, 8), 10, (32,)), seed=3)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]

    quantized = quantize_model(model)

    for linear, layer in zip(linears, quantized.layers, strict=True):
        step = 2.0**-layer.frac_bits
        error = np.abs(
            layer.weights / 2.0**layer.frac_bits - linear.weight.detach().double().numpy()
        )
        assert error.max() <= step / 2
        assert int(np.abs(layer.weights).max()) > 2**14  # the largest weight uses 15 bits


def test_quantize_model_accepts_a_linear_without_bias_and_skips_dropout() -> None:
    model = nn.Sequential(
        nn.Flatten(), nn.Linear(4, 3, bias=False), nn.ReLU(), nn.Dropout(), nn.Linear(3, 2)
    )

    quantized = quantize_model(model)

    assert quantized.sizes == (4, 3, 2)
    assert quantized.layers[0].bias.tolist() == [0, 0, 0]


@pytest.mark.parametrize(
    ("model", "problem"),
    [
        (nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)), "a Tanh at position 1"),
        (nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2)), "a Linear at position 1"),
        (nn.Sequential(nn.Linear(4, 3), nn.ReLU()), "ending with a Linear layer"),
        (nn.Sequential(nn.Linear(4, 2), nn.Softmax(dim=1)), "a Softmax at position 1"),
        (
            build_model(ModelSpec("cnn", (1, 8, 8), 10, channels=(2,)), seed=0),
            "a Conv2d at position 0",
        ),
    ],
)
def test_quantize_model_refuses_what_the_contract_cannot_run(
    model: nn.Module, problem: str
) -> None:
    with pytest.raises(UnsupportedModelError, match=problem):
        quantize_model(model)


def test_check_supported_refuses_the_cnn_family_in_one_sentence() -> None:
    with pytest.raises(UnsupportedModelError) as refused:
        check_supported(ModelSpec("cnn", (1, 8, 8), 10, channels=(2,)))

    assert str(refused.value).count(".") == 1


def test_quantize_inputs_flattens_images_and_rounds_half_to_even() -> None:
    images = np.zeros((2, 1, 2, 2), np.float32)
    images[0, 0, 0, 0] = 1.5 / 65536  # halfway between 1 and 2 in fixed point: to 2 (even)
    images[1, 0, 1, 1] = 1.0

    inputs = quantize_inputs(images, 4)

    assert inputs.dtype == np.int64
    assert inputs.tolist() == [[2, 0, 0, 0], [0, 0, 0, 65536]]


@pytest.mark.parametrize(
    ("features", "problem"),
    [
        (np.zeros((3, 5)), "Each input has 5 features, but the model takes 4"),
        (np.full((1, 4), np.nan), "NaN or infinity"),
        (np.full((1, 4), 1e15), "beyond the fixed-point range"),
        (np.zeros(4), "need a row axis"),
    ],
)
def test_quantize_inputs_refuses_bad_inputs(features: np.ndarray, problem: str) -> None:
    with pytest.raises(QuantizationError, match=problem):
        quantize_inputs(features, 4)


def test_quantize_state_gives_the_model_quantization_for_its_encoding() -> None:
    spec = ModelSpec("logreg", (1, 8, 8), 10)
    model = build_model(spec, seed=5)

    assert quantize_state(spec, encode_model(model)).to_bytes() == quantize_model(model).to_bytes()


@pytest.mark.parametrize(
    "spec", [ModelSpec("logreg", (1, 8, 8), 10), ModelSpec("mlp", (1, 8, 8), 10, (32,))]
)
def test_fixed_point_accuracy_on_digits_is_within_half_a_point_of_float(spec: ModelSpec) -> None:
    train, test = train_test_split(load_digits_dataset())
    model = build_model(spec, seed=0)
    train_local(model, train, epochs=5, batch_size=16, lr=0.1, seed=0)
    with torch.no_grad():
        float_labels = model(torch.from_numpy(test.features)).argmax(1).numpy()
    quantized = quantize_model(model)

    fixed = predict_fixed(quantized, quantize_inputs(test.features, quantized.input_size))

    float_accuracy = float((float_labels == test.labels).mean())
    fixed_accuracy = float((fixed.labels == test.labels).mean())
    assert float_accuracy > 0.9
    assert abs(fixed_accuracy - float_accuracy) <= 0.005


def test_all_lists_existing_names_once_when_the_module_is_imported() -> None:
    import flchain.fl.quantize as module

    assert len(set(module.__all__)) == len(module.__all__)
    assert [name for name in module.__all__ if not hasattr(module, name)] == []
