"""Fixed-point models for on-chain inference, and the integer forward pass the contract runs.

On-chain inference (``contracts/ModelInference.sol``) runs a stack of dense layers with ReLU
between them: the ``logreg`` family (one layer: logistic/softmax regression) and the ``mlp``
family, or any ``nn.Sequential`` of ``Flatten``, ``Linear``, ``ReLU`` (``Dropout``/``Identity``
are skipped). Convolutions, pooling, other activations and a final softmax are refused with
:class:`UnsupportedModelError`: the ``cnn`` family is not supported.

Fixed point (the contract's ``FixedPointNet.sol`` does exactly the same, bit for bit):

- inputs, activations and scores are integers with :data:`ACTIVATION_FRAC_BITS` = 16
  fractional bits: ``x_q = round_half_even(x * 2**16)``, held in int64;
- each layer's weights and biases are int16 with ``f`` fractional bits, ``f`` the largest
  value in 0..24 for which the layer's largest magnitude still rounds into ±32,767 (so the
  largest weight keeps 15 significant bits); ``w_q = round_half_even(w * 2**f)``;
- a layer computes ``y = (sum_i w_q[j, i] * x_q[i] + (b_q[j] << 16) + 2**(f-1)) >> f``
  (``>>`` is an arithmetic shift, i.e. floor: the division rounds half up), saturates ``y``
  to int64, and applies ReLU unless it is the last layer;
- the class is the index of the first largest score (``numpy.argmax``).

The weights travel to the chain as the bytes of :meth:`QuantizedModel.to_bytes` (format
version 1, described in ``contracts/libraries/FixedPointNet.sol``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from flchain.errors import QuantizationError, UnsupportedModelError
from flchain.fl.encoding import load_into
from flchain.fl.models import ModelSpec, build_model

__all__ = [
    "ACTIVATION_FRAC_BITS",
    "FORMAT_VERSION",
    "MAX_WEIGHT_FRAC_BITS",
    "SUPPORTED_FAMILIES",
    "FixedPrediction",
    "QuantizedLayer",
    "QuantizedModel",
    "check_supported",
    "predict_fixed",
    "quantize_inputs",
    "quantize_model",
    "quantize_state",
    "weight_frac_bits",
]

FORMAT_VERSION = 1
ACTIVATION_FRAC_BITS = 16
MAX_WEIGHT_FRAC_BITS = 24
SUPPORTED_FAMILIES: tuple[str, ...] = ("logreg", "mlp")

_INT16_MAX = (1 << 15) - 1
_INT64_MAX = (1 << 63) - 1
_INT64_MIN = -(1 << 63)
_UINT16_MAX = (1 << 16) - 1
_MAX_LAYERS = 255
_SKIPPED = (nn.Dropout, nn.Identity)
_SUPPORTED_TEXT = "dense layers with ReLU between them (families 'logreg' and 'mlp')"


@dataclass(frozen=True, eq=False)
class QuantizedLayer:
    """One dense layer: int16 ``weights`` (out x in), int16 ``bias`` (out), ``frac_bits``."""

    weights: npt.NDArray[np.int16]
    bias: npt.NDArray[np.int16]
    frac_bits: int

    def __post_init__(self) -> None:
        shape = self.weights.shape
        if self.weights.dtype != np.int16 or self.bias.dtype != np.int16 or len(shape) != 2:
            raise QuantizationError(
                "A quantized layer holds 2-D int16 weights and 1-D int16 biases."
            )
        if self.bias.shape != (shape[0],) or not 1 <= min(shape) <= max(shape) <= _UINT16_MAX:
            raise QuantizationError(
                f"A layer of weights {shape} and biases {self.bias.shape} does not fit on chain; "
                f"sizes must be 1..{_UINT16_MAX} and one bias per output."
            )
        if not 0 <= self.frac_bits <= MAX_WEIGHT_FRAC_BITS:
            raise QuantizationError(
                f"frac_bits must be in 0..{MAX_WEIGHT_FRAC_BITS}, got {self.frac_bits}."
            )


@dataclass(frozen=True, eq=False)
class QuantizedModel:
    """Dense layers applied in order, ReLU between them."""

    layers: tuple[QuantizedLayer, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.layers) <= _MAX_LAYERS:
            raise QuantizationError(
                f"A model needs 1..{_MAX_LAYERS} layers, got {len(self.layers)}."
            )
        for index, (before, after) in enumerate(zip(self.layers, self.layers[1:], strict=False)):
            if after.weights.shape[1] != before.weights.shape[0]:
                raise QuantizationError(
                    f"Layer {index + 1} takes {after.weights.shape[1]} inputs but layer {index} "
                    f"gives {before.weights.shape[0]}."
                )

    @property
    def sizes(self) -> tuple[int, ...]:
        """Inputs, then each layer's outputs (the last one: the number of classes)."""
        return (
            int(self.layers[0].weights.shape[1]),
            *(int(x.weights.shape[0]) for x in self.layers),
        )

    @property
    def frac_bits(self) -> tuple[int, ...]:
        """Each layer's fractional bits."""
        return tuple(layer.frac_bits for layer in self.layers)

    @property
    def input_size(self) -> int:
        """Number of features of one input."""
        return self.sizes[0]

    @property
    def parameter_count(self) -> int:
        """Number of weights and biases."""
        return sum(layer.weights.size + layer.bias.size for layer in self.layers)

    def to_bytes(self) -> bytes:
        """The weights as the contract reads them (format version 1, big-endian)."""
        header = bytes([FORMAT_VERSION, len(self.layers)])
        header += b"".join(size.to_bytes(2, "big") for size in self.sizes)
        header += bytes(self.frac_bits)
        body = [
            part.astype(">i2").tobytes()
            for layer in self.layers
            for part in (layer.weights, layer.bias)
        ]
        return b"".join([header, *body])

    @classmethod
    def from_bytes(cls, data: bytes) -> QuantizedModel:
        """Parse :meth:`to_bytes` output; QuantizationError says what is malformed."""
        if len(data) < 2 or data[0] != FORMAT_VERSION or data[1] == 0:
            raise QuantizationError(
                f"{len(data)} bytes are not quantized weights of format version {FORMAT_VERSION}."
            )
        count = data[1]
        header = 3 * count + 4
        if len(data) < header:
            raise QuantizationError(
                f"Quantized weights of {count} layers need a {header}-byte header."
            )
        sizes = [int.from_bytes(data[2 + 2 * i : 4 + 2 * i], "big") for i in range(count + 1)]
        bits = data[2 * count + 4 : header]
        expected = header + sum(2 * (a * b + b) for a, b in itertools.pairwise(sizes))
        if len(data) != expected:
            raise QuantizationError(
                f"Quantized weights of sizes {sizes} take {expected} bytes, not {len(data)}."
            )
        layers, offset = [], header
        for index in range(count):
            n_in, n_out = sizes[index], sizes[index + 1]
            values = np.frombuffer(data, ">i2", n_out * (n_in + 1), offset).astype(np.int16)
            layers.append(
                QuantizedLayer(
                    values[: n_out * n_in].reshape(n_out, n_in), values[n_out * n_in :], bits[index]
                )
            )
            offset += 2 * n_out * (n_in + 1)
        return cls(tuple(layers))


@dataclass(frozen=True, eq=False)
class FixedPrediction:
    """Classes (int64, one per row) and scores (int64 with 16 fractional bits, rows x classes)."""

    labels: npt.NDArray[np.int64]
    scores: npt.NDArray[np.int64]


def check_supported(spec: ModelSpec) -> None:
    """Raise UnsupportedModelError unless on-chain inference runs models of ``spec``'s family."""
    if spec.family not in SUPPORTED_FAMILIES:
        raise UnsupportedModelError(
            f"A {spec.family!r} model cannot run on chain: on-chain inference supports "
            f"{_SUPPORTED_TEXT} only, not convolutions or pooling."
        )


def quantize_state(spec: ModelSpec, data: bytes) -> QuantizedModel:
    """Quantize an encoded model state (e.g. a global model's bytes) of ``spec``."""
    check_supported(spec)
    model = build_model(spec, seed=0)
    load_into(model, data)
    return quantize_model(model)


def quantize_model(model: nn.Module) -> QuantizedModel:
    """Quantize a stack of dense layers with ReLU between them (see the module doc)."""
    linears = _dense_layers(model)
    return QuantizedModel(tuple(_quantize_layer(i, linear) for i, linear in enumerate(linears)))


def weight_frac_bits(largest: float) -> int:
    """The most fractional bits (<= 24) that keep a magnitude ``largest`` within int16."""
    for bits in range(MAX_WEIGHT_FRAC_BITS, -1, -1):
        if np.rint(largest * float(1 << bits)) <= _INT16_MAX:
            return bits
    raise QuantizationError(
        f"A weight of magnitude {largest:.6g} exceeds the int16 range of on-chain weights "
        f"(±{_INT16_MAX}); the model has diverged or is not meant for on-chain inference."
    )


def quantize_inputs(features: npt.ArrayLike, input_size: int) -> npt.NDArray[np.int64]:
    """Rows of float features -> int64 rows with 16 fractional bits, ``(n, input_size)``.

    Trailing axes are flattened (digits images ``(n, 1, 8, 8)`` give 64 features per row).
    """
    x = np.asarray(features, dtype=np.float64)
    if x.ndim < 2:
        raise QuantizationError(f"Inputs need a row axis and a feature axis, got shape {x.shape}.")
    x = x.reshape(len(x), -1)
    if x.shape[1] != input_size:
        raise QuantizationError(
            f"Each input has {x.shape[1]} features, but the model takes {input_size}."
        )
    if not np.isfinite(x).all():
        raise QuantizationError("The inputs contain NaN or infinity; clean them first.")
    scaled = np.rint(x * float(1 << ACTIVATION_FRAC_BITS))
    limit = float(1 << 62)
    if scaled.size and float(np.abs(scaled).max()) >= limit:
        raise QuantizationError(
            f"An input of magnitude {float(np.abs(x).max()):.6g} is beyond the fixed-point "
            f"range (±2**46); scale the features first."
        )
    return scaled.astype(np.int64)


def predict_fixed(model: QuantizedModel, inputs: npt.NDArray[np.int64]) -> FixedPrediction:
    """The contract's forward pass on int64 rows, exactly (see the module doc)."""
    x = np.asarray(inputs)
    if x.dtype != np.int64 or x.ndim != 2 or x.shape[1] != model.input_size:
        raise QuantizationError(
            f"Inputs must be int64 rows of {model.input_size} values, got {x.dtype} {x.shape}."
        )
    last = len(model.layers) - 1
    for index, layer in enumerate(model.layers):
        x = _dense(x, layer, hidden=index < last)
    labels = np.argmax(x, axis=1).astype(np.int64) if len(x) else np.zeros(0, np.int64)
    return FixedPrediction(labels, x)


def _dense(
    x: npt.NDArray[np.int64], layer: QuantizedLayer, *, hidden: bool
) -> npt.NDArray[np.int64]:
    weights = layer.weights.astype(np.int64)
    bias = layer.bias.astype(np.int64) << ACTIVATION_FRAC_BITS
    bits = layer.frac_bits
    half = (1 << (bits - 1)) if bits else 0
    largest_x = max(int(x.max(initial=0)), -int(x.min(initial=0)))
    row_sum = int(np.abs(weights).sum(axis=1).max())
    bound = largest_x * row_sum + int(np.abs(bias).max()) + half
    if bound <= _INT64_MAX:  # int64 arithmetic is exact here
        acc: npt.NDArray[np.int64] = x @ weights.T + bias
        y = (acc + half) >> bits
    else:  # Python integers: exact for any int64 input, like the contract's int256
        wide = x.astype(object) @ weights.T.astype(object) + bias.astype(object)
        y = np.minimum(np.maximum((wide + half) >> bits, _INT64_MIN), _INT64_MAX)
    y = y.astype(np.int64)
    return np.maximum(y, 0) if hidden else y


def _dense_layers(model: nn.Module) -> list[nn.Linear]:
    """The Linear layers of ``model``, checking it is Flatten?, Linear, (ReLU, Linear)*."""
    modules = _leaves(model)
    linears: list[nn.Linear] = []
    expect_linear = True
    for position, module in enumerate(modules):
        if isinstance(module, _SKIPPED) or (isinstance(module, nn.Flatten) and not linears):
            continue
        if isinstance(module, nn.Linear) and expect_linear:
            linears.append(module)
            expect_linear = False
        elif isinstance(module, nn.ReLU) and not expect_linear:
            expect_linear = True
        else:
            raise UnsupportedModelError(
                f"On-chain inference supports {_SUPPORTED_TEXT} only; this model has a "
                f"{type(module).__name__} at position {position}, so it cannot be deployed."
            )
    if not linears or expect_linear:
        raise UnsupportedModelError(
            f"On-chain inference supports {_SUPPORTED_TEXT} only, ending with a Linear layer; "
            "this model does not."
        )
    return linears


def _leaves(model: nn.Module) -> list[nn.Module]:
    if isinstance(model, nn.Sequential):
        return [leaf for child in model.children() for leaf in _leaves(child)]
    return [model]


def _quantize_layer(index: int, linear: nn.Linear) -> QuantizedLayer:
    weights = linear.weight.detach().to("cpu", torch.float64).numpy()
    bias = (
        linear.bias.detach().to("cpu", torch.float64).numpy()
        if linear.bias is not None
        else np.zeros(weights.shape[0])
    )
    if not (np.isfinite(weights).all() and np.isfinite(bias).all()):
        raise QuantizationError(
            f"Layer {index} holds NaN or infinite weights; it cannot be quantized."
        )
    largest = max(float(np.abs(weights).max()), float(np.abs(bias).max()))
    bits = weight_frac_bits(largest)
    scale = math.ldexp(1.0, bits)
    return QuantizedLayer(
        np.rint(weights * scale).astype(np.int16), np.rint(bias * scale).astype(np.int16), bits
    )
