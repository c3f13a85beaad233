"""Task configs: the rule's parameters are validated by its spec when the task is created."""

from __future__ import annotations

import pytest

from flchain.errors import ConfigError
from flchain.roles.taskfile import parse_task_file


def test_parse_task_file_refuses_rule_param_when_it_is_misspelt() -> None:
    raw = {"task": {"rule": "krum", "rule_params": {"num_malicous": 2}}}

    with pytest.raises(ConfigError, match="num_malicous"):
        parse_task_file(raw)


def test_parse_task_file_refuses_rule_param_when_it_is_out_of_range() -> None:
    raw = {"task": {"rule": "trimmed_mean", "rule_params": {"beta": 0.7}}}

    with pytest.raises(ConfigError, match=r"rule_params\.beta"):
        parse_task_file(raw)


def test_parse_task_file_picks_filtered_clipping_when_no_rule_is_named() -> None:
    assert parse_task_file({"task": {}}).document.rule == "filtered_clipping"


def test_parse_task_file_picks_fedavg_when_a_private_task_names_no_rule() -> None:
    raw = {"task": {"private": True, "secure_aggregation": True}}

    assert parse_task_file(raw).document.rule == "fedavg"


def test_parse_task_file_refuses_side_input_rule_when_task_is_private() -> None:
    raw = {"task": {"private": True, "rule": "centered_clipping"}}

    with pytest.raises(ConfigError, match="previous"):
        parse_task_file(raw)
