"""Adaptive attackers on chain forge their update from the colluders' shared honest updates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flchain.errors import ConfigError
from flchain.fl.attacks import alie
from flchain.roles.adversary import COLLUDERS_ENV, ColluderChannel, poison


def test_poison_forges_alie_from_colluders_when_they_share_updates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(COLLUDERS_ENV, f"{tmp_path}:2:20")
    parent = np.zeros(6, dtype=np.float32)
    mine = np.arange(6, dtype=np.float32)
    other = np.ones(6, dtype=np.float32)
    ColluderChannel(tmp_path, 1, 20).exchange(parent, other, seed=1)  # the other colluder

    forged = poison("alie", mine, parent, seed=2)

    expected = alie(np.stack([other, mine]), num_participants=20, num_malicious=2)
    assert np.allclose(forged, expected, atol=1e-4)
    assert not np.array_equal(forged, expected)  # jittered: no copy of another colluder's


def test_colluder_channel_refuses_env_when_it_is_malformed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(COLLUDERS_ENV, "somewhere")

    with pytest.raises(ConfigError, match=COLLUDERS_ENV):
        ColluderChannel.from_env()
