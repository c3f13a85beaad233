"""The compiled one-pass FedAvg kernel returns exactly what the numpy fixed-point path
returns (same quantization, sums, ties-to-even division and float32 rounding), and declines
(None) whenever a row of non-zero weight is non-finite or beyond its exact range, so that
``fedavg`` falls back to the checked path."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from flchain.fl.aggregation import fedavg
from flchain.fl.aggregation.fixedpoint import (
    SCALE,
    dequantize,
    divide_round_half_even,
    weighted_fixed_sum,
)
from flchain.fl.aggregation.fused import EXACT_SUM_BOUND, fixed_weighted_mean


def _reference(updates: np.ndarray, weights: list[int]) -> np.ndarray:
    total = sum(weights)
    return dequantize(divide_round_half_even(weighted_fixed_sum(updates, weights), total))


def _bits(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float32).view(np.uint32)


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        np.float32,
        st.tuples(st.integers(1, 7), st.integers(1, 9000)),
        elements=st.floats(-8.0, 8.0, width=32),
    ),
    st.data(),
)
def test_kernel_equals_the_numpy_path_bit_for_bit(updates: np.ndarray, data: st.DataObject) -> None:
    weights = data.draw(
        st.lists(st.integers(0, 5000), min_size=len(updates), max_size=len(updates))
    )
    if sum(weights) == 0:
        weights[0] = 1
    fused = fixed_weighted_mean(updates, weights, sum(weights))
    assert fused is not None
    np.testing.assert_array_equal(_bits(fused), _bits(_reference(updates, weights)))


def test_ties_and_signed_zeros_round_like_the_integer_path() -> None:
    # Sums of -1, +1, -3 and +3 units over a weight of 2: quotients -0.5, 0.5, -1.5, 1.5 (ties).
    unit = np.float32(1.0 / SCALE)
    updates = np.array([[-unit, unit, -3 * unit, 3 * unit, -unit / 4], [0, 0, 0, 0, 0]], np.float32)
    fused = fixed_weighted_mean(updates, [1, 1], 2)
    assert fused is not None
    np.testing.assert_array_equal(_bits(fused), _bits(_reference(updates, [1, 1])))
    assert not np.signbit(fused[0]), "a sum rounding to zero is +0, as in int64"


def test_declines_non_finite_or_out_of_bound_rows_but_skips_zero_weight_rows() -> None:
    rng = np.random.default_rng(1)
    updates = rng.standard_normal((3, 5000)).astype(np.float32)
    updates[1, 17] = np.nan
    assert fixed_weighted_mean(updates, [2, 1, 3], 6) is None
    skipped = fixed_weighted_mean(updates, [2, 0, 3], 5)
    assert skipped is not None
    np.testing.assert_array_equal(_bits(skipped), _bits(_reference(updates, [2, 0, 3])))
    updates[1, 17] = np.inf
    assert fixed_weighted_mean(updates, [2, 1, 3], 6) is None
    large = np.full((2, 10), EXACT_SUM_BOUND // 3 / SCALE, dtype=np.float32)
    assert fixed_weighted_mean(large, [1, 2], 3) is None


@pytest.mark.parametrize("poison", [0.0, np.nan, np.inf, 1e9])
def test_fedavg_gives_the_same_answer_through_either_path(
    poison: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(2)
    updates = (rng.standard_normal((4, 3000)) * 0.1).astype(np.float32)
    weights = np.array([10, 20, 30, 40])
    updates[2, 5] = poison
    module = importlib.import_module("flchain.fl.aggregation.fedavg")

    outcomes = []
    for threshold in (1 << 40, 1):  # numpy path, then the kernel (which may decline)
        monkeypatch.setattr(module, "FUSED_MIN_VALUES", threshold)
        try:
            result = fedavg(updates, weights=weights)
            outcomes.append((_bits(result.aggregate).tobytes(), result.accepted.tolist()))
        except Exception as exc:  # 1e9 is beyond the fixed-point range: both paths refuse
            outcomes.append((type(exc).__name__, str(exc)))
    assert outcomes[0] == outcomes[1]
