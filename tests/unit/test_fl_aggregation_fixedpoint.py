"""Fixed-point arithmetic: exact quantization and rounded integer division."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from flchain.fl.aggregation.fixedpoint import (
    INT64_MAX,
    SCALE,
    dequantize,
    divide_round_half_even,
    quantize,
    weighted_fixed_sum,
)


@given(arrays(np.float32, st.integers(1, 30), elements=st.floats(-1e6, 1e6, width=32)))
def test_quantize_equals_python_half_even_rounding_when_values_are_in_range(
    values: np.ndarray,
) -> None:
    expected = [round(Fraction(float(v)) * SCALE) for v in values]

    assert quantize(values).tolist() == expected


@given(
    arrays(np.int64, st.integers(1, 30), elements=st.integers(-(2**62), 2**62)),
    st.integers(1, INT64_MAX),
)
def test_divide_round_half_even_matches_exact_fractions_when_dividing(
    numerators: np.ndarray, divisor: int
) -> None:
    expected = [round(Fraction(int(n), divisor)) for n in numerators]

    assert divide_round_half_even(numerators, divisor).tolist() == expected


@given(arrays(np.int64, st.integers(1, 30), elements=st.integers(-(2**40), 2**40)))
def test_dequantize_inverts_quantize_when_values_fit_float32(values: np.ndarray) -> None:
    as_float = dequantize(values)

    assert quantize(as_float).tolist() == [
        round(Fraction(float(np.float32(Fraction(int(v), SCALE)))) * SCALE) for v in values
    ]


def test_weighted_fixed_sum_skips_rows_when_weight_is_zero() -> None:
    updates = np.array([[1.0, 2.0], [np.nan, np.nan], [0.5, 0.25]], dtype=np.float32)

    total = weighted_fixed_sum(updates, [2, 0, 4])

    assert total.tolist() == [4 * SCALE, 5 * SCALE]


def test_weighted_fixed_sum_covers_every_chunk_when_rows_are_long() -> None:
    updates = np.ones((2, 100_003), dtype=np.float32)

    total = weighted_fixed_sum(updates, [1, 3])

    assert np.all(total == 4 * SCALE)
