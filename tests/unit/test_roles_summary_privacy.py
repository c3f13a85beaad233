"""summary.json carries privacy figures only when the demo ran with differential privacy."""

from __future__ import annotations

from flchain.demo.run import DemoState, RoundReport
from flchain.demo.summary import summary_document


def report(round_id: int, epsilon: float | None) -> RoundReport:
    return RoundReport(round_id, 0.5, 1.0, "bafy", 1000, {}, 2, 2, 1.0, epsilon)


def test_summary_has_no_privacy_keys_when_dp_is_off() -> None:
    state = DemoState(rounds=[report(1, None), report(2, None)])

    summary = summary_document(state)

    assert "privacy" not in summary
    assert all("epsilon" not in r for r in summary["rounds"])  # type: ignore[attr-defined]


def test_summary_carries_epsilon_per_round_and_the_parameters_when_dp_is_on() -> None:
    params = {"mode": "sample", "noise_multiplier": 1.0, "epsilon": 8.0}
    state = DemoState(rounds=[report(1, 3.2), report(2, 4.0)], privacy=params)

    summary = summary_document(state)

    assert summary["privacy"] == params
    assert [r["epsilon"] for r in summary["rounds"]] == [3.2, 4.0]  # type: ignore[attr-defined]
