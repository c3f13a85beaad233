"""Serve the dashboard with uvicorn, in the foreground (``flchain ui``) or on a background
thread (``flchain demo --ui``, tests). Binds loopback by default; port 0 picks a free one."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn
from starlette.applications import Starlette

from flchain.errors import ConfigError, FlchainError
from flchain.ui.app import create_app
from flchain.ui.live import DEFAULT_POLL_SECONDS
from flchain.ui.source import Reader, UiSource

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "UiServer", "allowed_hosts", "open_dashboard"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 10545
_START_TIMEOUT = 60.0


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"Cannot listen on {host}:{port} ({exc.strerror}); choose another with --port (0: any free port)."
        ) from exc
    sock.listen(64)
    return sock


_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def allowed_hosts(host: str) -> tuple[str, ...]:
    """The ``Host`` headers a server bound to ``host`` answers: loopback names only when it
    listens on loopback, any otherwise (the operator chose to expose it)."""
    return _LOOPBACK if host in _LOOPBACK else ("*",)


class UiServer:
    """The dashboard's HTTP server; ``url`` is known once bound."""

    def __init__(
        self,
        reader: Reader,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
    ) -> None:
        self._socket = _bind(host, port)
        bound = self._socket.getsockname()
        self.host, self.port = host, int(bound[1])
        self._app = create_app(reader, poll_seconds, allowed_hosts(host))
        config = uvicorn.Config(
            self._app,
            log_level="warning",
            timeout_graceful_shutdown=2,
            lifespan="on",
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def app(self) -> Starlette:
        """The ASGI application (its ``state.dashboard`` is the :class:`Dashboard`)."""
        return self._app

    @property
    def url(self) -> str:
        """The dashboard's address."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def serve(self) -> None:
        """Serve in this thread until interrupted (Ctrl-C)."""
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self._socket.close()

    def start(self) -> UiServer:
        """Serve on a background thread; returns once the server answers."""
        self._thread = threading.Thread(target=self.serve, name="flchain-ui", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise FlchainError(f"The dashboard did not start on {self.url}.")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Stop a background server and wait for it (live streams end first)."""
        self._app.state.dashboard.feed.stop()
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def __enter__(self) -> UiServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def open_dashboard(
    source: UiSource,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    poll_seconds: float = DEFAULT_POLL_SECONDS,
) -> UiServer:
    """A server (not started) for ``source``: connects to its chain first, so a wrong RPC URL
    or a chain without flchain fails here with the usual readable error."""
    return UiServer(Reader.open(source), host, port, poll_seconds)
