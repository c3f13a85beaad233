"""Deterministic FedAvg: bit-identical in any row order, exact weights, NaN rejection."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from rule_checks import assert_same_when_permuted, draw_order

from flchain.errors import AggregationError
from flchain.fl.aggregation import SCALE, fedavg, stack_updates

ULP = 1.0 / SCALE  # one step of the fixed-point grid

finite_values = st.floats(-1e4, 1e4, width=32, allow_subnormal=True)
special_values = st.sampled_from([np.nan, np.inf, -np.inf])


@st.composite
def update_batches(draw: st.DrawFn, *, with_special: bool) -> tuple[np.ndarray, np.ndarray]:
    clients = draw(st.integers(1, 8))
    parameters = draw(st.integers(1, 40))
    updates = draw(arrays(np.float32, (clients, parameters), elements=finite_values))
    if with_special:
        for row in draw(st.lists(st.integers(0, clients - 1), max_size=clients)):
            updates[row, draw(st.integers(0, parameters - 1))] = draw(special_values)
    weights = draw(arrays(np.int64, clients, elements=st.integers(1, 10_000)))
    return updates, weights


@settings(max_examples=200, deadline=None)
@given(batch=update_batches(with_special=True), data=st.data())
def test_fedavg_is_bit_identical_when_rows_are_permuted(
    batch: tuple[np.ndarray, np.ndarray], data: st.DataObject
) -> None:
    updates, weights = batch
    order = draw_order(data, len(updates))
    assert_same_when_permuted(fedavg, updates, order, per_row={"weights": weights}, may_raise=True)


@settings(max_examples=200, deadline=None)
@given(batch=update_batches(with_special=False))
def test_fedavg_equals_float_weighted_mean_within_quantization_error_when_finite(
    batch: tuple[np.ndarray, np.ndarray],
) -> None:
    updates, weights = batch
    exact = np.average(updates.astype(np.float64), axis=0, weights=weights)

    result = fedavg(updates, weights=weights)

    # 2**-25 from quantizing, 2**-25 from dividing, a relative 2**-24 from float32 output.
    tolerance = ULP + np.abs(exact) * 2.0**-24
    assert result.aggregate.dtype == np.float32
    assert np.all(np.abs(result.aggregate.astype(np.float64) - exact) <= tolerance)
    assert result.accepted.all()


def test_fedavg_returns_plain_mean_when_weights_are_none() -> None:
    updates = np.array([[1.0, -2.0], [3.0, 4.0]], dtype=np.float32)

    result = fedavg(updates)

    assert result.aggregate.tolist() == [2.0, 1.0]


def test_fedavg_weighs_rows_by_integer_weights_when_given() -> None:
    updates = np.array([[0.0], [1.0]], dtype=np.float32)

    result = fedavg(updates, weights=np.array([1, 3]))

    assert result.aggregate.tolist() == [0.75]


def test_fedavg_caps_weights_when_max_weight_is_given() -> None:
    updates = np.array([[0.0], [1.0]], dtype=np.float32)

    result = fedavg(updates, weights=np.array([10, 1_000_000]), max_weight=10)

    assert result.aggregate.tolist() == [0.5]


def test_fedavg_gives_same_bytes_when_weight_dtype_differs() -> None:
    updates = np.random.default_rng(0).standard_normal((3, 50), dtype=np.float32)

    a = fedavg(updates, weights=np.array([3, 5, 7], dtype=np.int32))
    b = fedavg(updates, weights=np.array([3, 5, 7], dtype=np.uint64))

    assert a.aggregate.tobytes() == b.aggregate.tobytes()


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_fedavg_rejects_and_excludes_a_row_when_it_holds_nan_or_inf(bad: float) -> None:
    updates = np.array([[1.0, 2.0], [bad, 0.0], [3.0, 4.0]], dtype=np.float32)

    result = fedavg(updates)

    assert result.accepted.tolist() == [True, False, True]
    assert result.aggregate.tolist() == [2.0, 3.0]


def test_fedavg_rejects_a_row_when_its_weight_is_zero() -> None:
    updates = np.array([[1.0], [100.0]], dtype=np.float32)

    result = fedavg(updates, weights=np.array([2, 0]))

    assert result.accepted.tolist() == [True, False]
    assert result.aggregate.tolist() == [1.0]


def test_fedavg_raises_aggregation_error_when_every_row_is_rejected() -> None:
    updates = np.array([[np.nan], [1.0]], dtype=np.float32)

    with pytest.raises(AggregationError, match="No update is left"):
        fedavg(updates, weights=np.array([5, 0]))


def test_fedavg_raises_aggregation_error_naming_the_client_when_a_value_would_overflow() -> None:
    updates = np.array([[1.0], [3e38], [2.0]], dtype=np.float32)

    with pytest.raises(AggregationError, match="Update 1 "):
        fedavg(updates)


def test_fedavg_averages_exactly_when_values_are_near_the_range_limit() -> None:
    # The limit for a total weight of 3 is (2**63 - 1) // 3 / 2**24, about 1.83e11.
    updates = np.array([[2.0**37], [-(2.0**37)], [2.0**36]], dtype=np.float32)

    result = fedavg(updates, weights=np.array([1, 1, 1]))

    assert result.aggregate.tolist() == [np.float32(2.0**36 / 3)]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0.0, ULP], 0.0),  # 0.5 ulp: tie, rounds to even 0
        ([ULP, 2 * ULP], 2 * ULP),  # 1.5 ulp: tie, rounds to even 2
        ([-ULP, 0.0], 0.0),  # -0.5 ulp -> 0
        ([-3 * ULP, 0.0], -2 * ULP),  # -1.5 ulp -> -2
        ([ULP / 2, 0.0], 0.0),  # quantizing 0.5 ulp rounds half to even: 0
        ([3 * ULP / 2, 3 * ULP / 2], 2 * ULP),  # quantizing 1.5 ulp: 2
    ],
)
def test_fedavg_rounds_half_to_even_when_results_fall_between_grid_points(
    values: list[float], expected: float
) -> None:
    updates = np.array(values, dtype=np.float32).reshape(-1, 1)

    assert fedavg(updates).aggregate.tolist() == [expected]


def test_fedavg_handles_subnormals_and_negative_zero_when_averaging() -> None:
    tiny = np.float32(1e-45)
    updates = np.array([[tiny, -0.0], [-tiny, -0.0]], dtype=np.float32)

    result = fedavg(updates)

    assert result.aggregate.tobytes() == np.zeros(2, dtype=np.float32).tobytes()


def test_fedavg_returns_read_only_arrays_when_done() -> None:
    result = fedavg(np.ones((2, 3), dtype=np.float32))

    with pytest.raises(ValueError, match="read-only"):
        result.aggregate[0] = 5.0


@pytest.mark.parametrize(
    ("updates", "message"),
    [
        (np.ones(3, dtype=np.float32), "2-D"),
        (np.ones((2, 2, 2), dtype=np.float32), "2-D"),
        (np.ones((2, 3), dtype=np.float64), "float32"),
        (np.ones((0, 3), dtype=np.float32), "empty"),
        (np.ones((2, 0), dtype=np.float32), "empty"),
    ],
    ids=["1d", "3d", "float64", "no-client", "no-parameter"],
)
def test_fedavg_raises_aggregation_error_when_updates_are_malformed(
    updates: np.ndarray, message: str
) -> None:
    with pytest.raises(AggregationError, match=message):
        fedavg(updates)


@pytest.mark.parametrize(
    ("weights", "max_weight", "message"),
    [
        (np.array([1, 2, 3]), None, "one per update"),
        (np.array([1.0, 2.0]), None, "integers"),
        (np.array([1, -2]), None, ">= 0"),
        (np.array([1, 2]), 0, "max_weight"),
        (np.array([2**62, 2**62]), None, "total weight"),
    ],
)
def test_fedavg_raises_aggregation_error_when_weights_are_invalid(
    weights: np.ndarray, max_weight: int | None, message: str
) -> None:
    updates = np.ones((2, 3), dtype=np.float32)

    with pytest.raises(AggregationError, match=message):
        fedavg(updates, weights=weights, max_weight=max_weight)


def test_stack_updates_raises_aggregation_error_naming_the_client_when_shapes_differ() -> None:
    vectors = [np.zeros(4, np.float32), np.zeros(4, np.float32), np.zeros(5, np.float32)]

    with pytest.raises(AggregationError, match="Update 2 "):
        stack_updates(vectors)


def test_stack_updates_raises_aggregation_error_when_there_is_no_update() -> None:
    with pytest.raises(AggregationError, match="no update"):
        stack_updates([])
