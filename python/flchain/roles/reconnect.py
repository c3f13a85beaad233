"""Keep a participant running through outages of its RPC node or its store.

A participant decides everything from chain state and its journal, so after an outage it can
simply run again: :func:`run_through_outages` re-runs it with exponential backoff (1, 2, 4 ...
up to ``max_delay`` seconds) whenever the node or the store stops answering, and gives up
only after ``max_outage`` seconds without progress (None: never). Other errors pass through.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from flchain.errors import ChainUnavailableError, StoreUnavailableError

__all__ = ["OUTAGE_ERRORS", "run_through_outages"]

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: The errors that mean "the node or the store does not answer now".
OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    ChainUnavailableError,
    StoreUnavailableError,
    ConnectionError,
)


def run_through_outages(
    run: Callable[[], T],
    *,
    max_outage: float | None = None,
    first_delay: float = 1.0,
    max_delay: float = 30.0,
    on_outage: Callable[[Exception, float], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``run()``, re-run after each outage (see module docstring); ``on_outage(error, delay)``
    is told before each wait."""
    delay = first_delay
    outage_started: float | None = None
    while True:
        started = time.monotonic()
        try:
            return run()
        except OUTAGE_ERRORS as exc:
            now = time.monotonic()
            if outage_started is None or now - started > max_delay:  # it ran: a new outage
                outage_started, delay = now, first_delay
            if max_outage is not None and now - outage_started >= max_outage:
                raise
            logger.warning("Outage (%s); retrying in %.0f s", exc, delay)
            if on_outage is not None:
                on_outage(exc, delay)
            sleep(delay)
            delay = min(delay * 2, max_delay)
