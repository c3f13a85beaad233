"""Adaptive attackers on chain forge their update from the colluders' shared honest updates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flchain.errors import ConfigError
from flchain.fl import ArrayDataset
from flchain.fl.attacks import alie
from flchain.roles.adversary import COLLUDERS_ENV, Adversary, ColluderChannel, behaviour_for, poison
from flchain.roles.round_steps import RoundBehaviour


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


def test_behaviour_for_is_honest_when_no_attack_is_named() -> None:
    behaviour = behaviour_for(None)

    assert type(behaviour) is RoundBehaviour
    assert behaviour.trains()
    assert behaviour.attested_digest(b"\x01" * 32) == b"\x01" * 32


def test_behaviour_for_refuses_an_unknown_attack() -> None:
    with pytest.raises(ConfigError, match="Unknown attack"):
        behaviour_for("teleport")


def test_adversary_departs_only_at_its_own_step_when_it_runs_an_attack() -> None:
    data = ArrayDataset(np.zeros((3, 2), dtype=np.float32), np.array([0, 1, 2], dtype=np.int64))

    flipper, rider, liar = (behaviour_for(n) for n in ("label-flip", "free-rider", "wrong-attest"))

    assert isinstance(flipper, Adversary)
    assert flipper.training_data(data, 3).labels.tolist() == [2, 1, 0]
    assert flipper.trains()
    assert flipper.attested_digest(b"d") == b"d"
    assert not rider.trains()
    assert rider.training_data(data, 3) is data
    assert liar.attested_digest(b"d") != b"d"
