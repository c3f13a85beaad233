"""The registry of aggregation rules by name and on-chain id."""

from __future__ import annotations

import pytest

from flchain.errors import ConfigError
from flchain.fl.aggregation import RULE_IDS, RULES, fedavg, rule_by_id, rule_name


def test_registry_gives_every_rule_a_unique_uint8_id_when_listed() -> None:
    ids = list(RULE_IDS.values())

    assert set(RULES) == set(RULE_IDS)
    assert len(set(ids)) == len(ids)
    assert all(0 <= rule_id <= 255 for rule_id in ids)


def test_rule_by_id_returns_fedavg_when_id_is_zero() -> None:
    assert RULE_IDS["fedavg"] == 0
    assert rule_name(0) == "fedavg"
    assert rule_by_id(0) is fedavg


def test_rule_by_id_raises_config_error_when_id_is_unknown() -> None:
    with pytest.raises(ConfigError, match="200"):
        rule_by_id(200)
