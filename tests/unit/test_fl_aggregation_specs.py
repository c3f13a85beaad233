"""One property suite over every registered rule spec: the same bytes in any row order, an
accepted set of one bool per row, parameters validated into a ConfigError naming the key."""

from __future__ import annotations

import dataclasses
import inspect
import json
import typing

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from rule_checks import VALUES, draw_order

from flchain.errors import AggregationError, ConfigError
from flchain.fl.aggregation import RULE_IDS, SPECS, RuleSpec, SideInputs

ALL = sorted(SPECS)


def _side(spec: RuleSpec, columns: int, data: st.DataObject) -> SideInputs:
    """Side inputs the spec needs: a non-zero reference, a finite previous aggregate."""
    found: dict[str, np.ndarray] = {}
    for name in spec.side_inputs:
        vector = data.draw(arrays(np.float32, columns, elements=st.floats(-2, 2, width=32)))
        vector[0] = 1.0  # non-zero: FLTrust needs a reference of positive norm
        found[name] = vector
    return SideInputs(**found)


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_rule_is_bit_identical_when_rows_are_permuted(name: str, data: st.DataObject) -> None:
    spec = SPECS[name]
    rows = data.draw(st.integers(1, 9))
    columns = data.draw(st.integers(1, 10))
    models = data.draw(arrays(np.float32, (rows, columns), elements=VALUES))
    for source, target in data.draw(
        st.lists(st.tuples(*[st.integers(0, rows - 1)] * 2), max_size=2)
    ):
        models[target] = models[source]  # identical rows: ties broken by content
    parent = data.draw(arrays(np.float32, columns, elements=st.floats(-1, 1, width=32)))
    weights = data.draw(arrays(np.int64, rows, elements=st.integers(1, 50)))
    side = _side(spec, columns, data)
    order = draw_order(data, rows)
    params = spec.parse_params({})
    try:
        expected = spec.apply(models, parent, weights, params, side)
    except AggregationError:
        with pytest.raises(AggregationError):
            spec.apply(models[order], parent, weights[order], params, side)
        return

    permuted = spec.apply(models[order], parent, weights[order], params, side)

    assert permuted.aggregate.tobytes() == expected.aggregate.tobytes()
    assert np.array_equal(permuted.accepted, expected.accepted[order])


@pytest.mark.parametrize("name", ALL)
def test_rule_accepts_one_bool_per_row_when_rows_are_close(name: str) -> None:
    spec = SPECS[name]
    rng = np.random.default_rng(5)
    parent = rng.standard_normal(30).astype(np.float32)
    models = (parent + 0.1 * rng.standard_normal((11, 30))).astype(np.float32)
    side = _side_fixed(spec, parent)

    result = spec.apply(models, parent, np.ones(11, dtype=np.int64), spec.parse_params({}), side)

    assert result.accepted.dtype == np.bool_
    assert result.accepted.shape == (11,)
    assert result.accepted.any()
    assert result.aggregate.dtype == np.float32
    assert result.aggregate.shape == (30,)


def _side_fixed(spec: RuleSpec, parent: np.ndarray) -> SideInputs:
    vector = np.full(parent.shape, 0.01, dtype=np.float32)
    return SideInputs(**{name: vector for name in spec.side_inputs})


@pytest.mark.parametrize("name", ALL)
def test_parse_params_refuses_key_when_it_is_misspelt(name: str) -> None:
    with pytest.raises(ConfigError, match="num_malicous"):
        SPECS[name].parse_params({"num_malicous": 2})


@pytest.mark.parametrize("name", ALL)
def test_parse_params_refuses_value_when_its_type_is_wrong(name: str) -> None:
    for key in SPECS[name].param_names:
        with pytest.raises(ConfigError, match=f"rule_params.{key}"):
            SPECS[name].parse_params({key: "many"})


@pytest.mark.parametrize("name", ALL)
def test_parse_params_refuses_value_when_it_is_out_of_range(name: str) -> None:
    for key in SPECS[name].param_names:
        with pytest.raises(ConfigError, match=f"rule_params.{key}"):
            SPECS[name].parse_params({key: -5})


@pytest.mark.parametrize("name", ALL)
def test_pinned_params_record_every_default_when_the_task_names_none(name: str) -> None:
    spec = SPECS[name]
    pinned = json.loads(spec.pinned_params({}))

    assert sorted(pinned) == sorted(spec.param_names)
    for field in dataclasses.fields(spec.params):
        assert pinned[field.name] == field.default
    assert spec.parse_params(pinned) == spec.parse_params({})


def test_pinned_params_keep_an_override_and_are_canonical_when_given_out_of_order() -> None:
    spec = SPECS["filtered_clipping"]

    pinned = spec.pinned_params({"radius_scale": 2, "min_cosine": 0.1})

    assert pinned == spec.pinned_params({"min_cosine": 0.1, "radius_scale": 2.0})
    assert json.loads(pinned)["radius_scale"] == 2.0
    assert list(json.loads(pinned)) == sorted(spec.param_names)


@pytest.mark.parametrize("name", ALL)
def test_params_match_function_keywords_when_declared(name: str) -> None:
    spec = SPECS[name]
    signature = inspect.signature(spec.function).parameters
    hints = typing.get_type_hints(spec.params)

    for field in dataclasses.fields(spec.params):
        assert field.name in signature, f"{name}: {field.name} is not a keyword of the rule"
        assert signature[field.name].default == field.default
        assert hints[field.name] is not None
    for side in spec.side_inputs:
        assert side in signature


def test_specs_hold_every_id_once_when_registered() -> None:
    ids = [spec.rule_id for spec in SPECS.values()]

    assert len(ids) == len(set(ids))
    assert all(0 <= i <= 255 for i in ids)
    assert dict(RULE_IDS) == {name: spec.rule_id for name, spec in SPECS.items()}
    assert all(name == spec.name for name, spec in SPECS.items())
