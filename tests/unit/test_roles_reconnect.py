"""A participant rides out outages of its node or store: re-run with exponential backoff,
give up only after the allowed outage; other errors pass at once."""

from __future__ import annotations

import pytest

from flchain.errors import ChainUnavailableError, ConfigError, StoreUnavailableError
from flchain.roles.reconnect import run_through_outages


class _Flaky:
    """Fails with the given errors, in order, then returns "done"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def test_run_through_outages_retries_with_growing_delays_until_it_succeeds() -> None:
    flaky = _Flaky(
        ChainUnavailableError("node down."),
        StoreUnavailableError("store down."),
        ChainUnavailableError("node down."),
    )
    waits: list[float] = []

    result = run_through_outages(flaky, sleep=waits.append, first_delay=1, max_delay=3)

    assert result == "done"
    assert flaky.calls == 4
    assert waits == [1, 2, 3]


def test_run_through_outages_gives_up_after_the_allowed_outage() -> None:
    flaky = _Flaky(ChainUnavailableError("node down."), ChainUnavailableError("still down."))

    with pytest.raises(ChainUnavailableError, match="node down"):
        run_through_outages(flaky, max_outage=0, sleep=lambda _s: None)
    assert flaky.calls == 1


def test_run_through_outages_passes_other_errors_at_once() -> None:
    flaky = _Flaky(ConfigError("bad input."))

    with pytest.raises(ConfigError):
        run_through_outages(flaky, sleep=lambda _s: None)
    assert flaky.calls == 1
