"""A participant's privacy ledger: charges once per round, stops at the budget, says so."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from flchain.fl.privacy import PrivacyParams, epsilon_curve
from flchain.roles.privacy.training import LEDGER_FILE, PrivacyLedger

EPOCHS = 1


def params(budget: float | None) -> PrivacyParams:
    return PrivacyParams("sample", 1.0, 1.0, 1e-5, budget, sample_rate=0.1)


@pytest.fixture(scope="module")
def curve() -> tuple[float, ...]:
    return epsilon_curve(params(None), EPOCHS, 4)


def budget_for(curve: tuple[float, ...], rounds: int) -> float:
    """A budget that fits ``rounds`` contributions and not one more."""
    return (curve[rounds - 1] + curve[rounds]) / 2


def test_ledger_stops_before_the_round_that_would_exceed_the_budget(
    tmp_path: Path, curve: tuple[float, ...]
) -> None:
    ledger = PrivacyLedger(tmp_path, params(budget_for(curve, 2)), EPOCHS)

    allowed = []
    for round_id in (1, 2, 3, 4):
        allowed.append(ledger.allows(round_id))
        if allowed[-1]:
            ledger.charge(round_id)

    assert allowed == [True, True, False, False]
    assert ledger.rounds() == {1: curve[0], 2: curve[1]}
    assert ledger.epsilon() == curve[1]


def test_ledger_records_and_logs_the_stop_once_when_the_budget_is_spent(
    tmp_path: Path, curve: tuple[float, ...], caplog: pytest.LogCaptureFixture
) -> None:
    ledger = PrivacyLedger(tmp_path, params(budget_for(curve, 1)), EPOCHS)
    ledger.charge(1)

    with caplog.at_level(logging.WARNING, logger="flchain.roles.privacy.training"):
        for _ in range(3):  # a participant polls the commit phase many times
            ledger.allows(2)

    stops = [r for r in caplog.records if "releases no more updates" in r.getMessage()]
    assert len(stops) == 1
    stored = json.loads((tmp_path / LEDGER_FILE).read_text())
    assert stored["stopped"]["round"] == 2
    assert stored["stopped"]["epsilon_next"] == pytest.approx(curve[1])
    assert stored["params"] == params(budget_for(curve, 1)).to_dict()


def test_ledger_charges_a_round_once_and_allows_it_again_when_a_participant_restarts(
    tmp_path: Path, curve: tuple[float, ...]
) -> None:
    ledger = PrivacyLedger(tmp_path, params(budget_for(curve, 1)), EPOCHS)
    ledger.charge(1)
    ledger.charge(1)

    restarted = PrivacyLedger(tmp_path, params(budget_for(curve, 1)), EPOCHS)

    assert restarted.rounds() == {1: curve[0]}
    assert restarted.allows(1)  # the same update is re-released, not a new one
    assert not restarted.allows(2)


def test_ledger_without_budget_allows_every_round_and_counts_epsilon(
    tmp_path: Path, curve: tuple[float, ...]
) -> None:
    ledger = PrivacyLedger(tmp_path, params(None), EPOCHS)

    for round_id in (1, 2, 3):
        assert ledger.allows(round_id)
        ledger.charge(round_id)

    assert ledger.epsilon() == curve[2]


def test_ledger_without_dp_allows_everything_and_writes_nothing(tmp_path: Path) -> None:
    ledger = PrivacyLedger(tmp_path, None, EPOCHS)

    assert ledger.allows(1)
    assert ledger.charge(1) == 0.0
    assert ledger.epsilon() == 0.0
    assert not (tmp_path / LEDGER_FILE).exists()
