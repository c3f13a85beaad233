"""Live updates: a thread follows the chain's head and pages the coordinator's events of every
new block (``chain.events.LogPager``); each browser subscribes through server-sent events.

A message is ``{"block": N, "events": [{"event", "task", "round"}...], "reset": bool}``;
``reset`` says the head went backwards (a devnet reset or a reverted snapshot), after which a
page reloads all it shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

from flchain.chain.events import LogPager
from flchain.errors import FlchainError
from flchain.ui.source import Reader

__all__ = ["DEFAULT_POLL_SECONDS", "BlockFeed", "sse_stream"]

logger = logging.getLogger(__name__)

DEFAULT_POLL_SECONDS = 0.5
_KEEPALIVE_SECONDS = 15.0


class BlockFeed:
    """Follows the head of ``reader``'s chain and fans each new block out to subscribers."""

    def __init__(self, reader: Reader, poll_seconds: float = DEFAULT_POLL_SECONDS) -> None:
        self._reader = reader
        self._poll = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribers: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self._guard = threading.Lock()
        self.latest: dict[str, Any] = {"block": -1, "events": [], "reset": False}

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start following the head; messages are delivered on ``loop``."""
        self._loop = loop
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="flchain-ui-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop following and end every subscriber's stream."""
        self._stop.set()
        with self._guard:
            subscribers = list(self._subscribers)
        for queue in subscribers:
            self._deliver(queue, None)
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stop.is_set()

    def subscribe(self) -> asyncio.Queue[dict[str, Any] | None]:
        """A queue receiving every later message (None: the feed stopped)."""
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        with self._guard:
            self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        """Stop delivering to ``queue``."""
        with self._guard:
            self._subscribers.discard(queue)

    def _deliver(self, queue: asyncio.Queue[dict[str, Any] | None], item: Any) -> None:
        if self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self._loop.call_soon_threadsafe(queue.put_nowait, item)

    def _run(self) -> None:
        last = -1
        while not self._stop.wait(self._poll if last >= 0 else 0):
            try:
                last = self._step(last)
            except FlchainError as exc:
                logger.warning("Following the chain failed: %s; retrying", exc)
                self._stop.wait(2.0)

    def _step(self, last: int) -> int:
        client = self._reader.client
        with self._reader.lock:
            head = int(client.w3.eth.block_number)
            if head == last:
                return last
            reset = head < last
            events = []
            if last >= 0 and not reset:
                pager = LogPager(
                    client.w3, client.coordinator.abi, address=client.deployment.coordinator,
                    from_block=last + 1, to_block=head,
                )  # fmt: skip
                events = [
                    {
                        "event": e.event,
                        "task": int(e.args.get("taskId", 0)),
                        "round": int(e.args.get("round", 0)),
                    }
                    for e in pager
                ]
        message = {"block": head, "events": events, "reset": reset}
        self.latest = message
        with self._guard:
            subscribers = list(self._subscribers)
        for queue in subscribers:
            self._deliver(queue, message)
        return head


async def sse_stream(feed: BlockFeed, disconnected: Any) -> AsyncIterator[str]:
    """Server-sent events for one browser: the latest block at once, then each new one.
    ``disconnected``: an async callable telling whether the browser went away."""
    queue = feed.subscribe()
    try:
        yield "retry: 1000\n\n"
        yield f"event: block\ndata: {json.dumps(feed.latest)}\n\n"
        while not feed.stopped:
            try:
                message = await asyncio.wait_for(queue.get(), timeout=_KEEPALIVE_SECONDS)
            except TimeoutError:
                if await disconnected():
                    return
                yield ": keepalive\n\n"
                continue
            if message is None:
                return
            yield f"event: block\ndata: {json.dumps(message)}\n\n"
    finally:
        feed.unsubscribe(queue)
