"""``flchain ui``: the web dashboard over a chain and a store (read-only, no account).

The web stack (Starlette, uvicorn, Jinja2) is imported only when the dashboard runs, so the
other commands start no slower."""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from flchain.cli.options import DeploymentsOption, RpcOption, StoreOption

if TYPE_CHECKING:
    from flchain.protocol.records import TaskId
    from flchain.ui.server import UiServer

__all__ = ["DemoDashboard", "ui"]

#: Where ``flchain ui`` listens by default (loopback only).
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 10545


def ui(
    rpc: RpcOption = None,
    store: StoreOption = None,
    deployments: DeploymentsOption = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (default: loopback only).")
    ] = DEFAULT_HOST,
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on (0: any free port).", min=0, max=65535)
    ] = DEFAULT_PORT,
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Open the dashboard in a browser.")
    ] = False,
) -> None:
    """Serve a live web dashboard of tasks, rounds, models, datasets and inference contracts."""
    from flchain.ui.server import open_dashboard
    from flchain.ui.source import UiSource

    server = open_dashboard(UiSource(rpc, store, deployments), host, port)
    console = Console(highlight=False)
    console.print(f"flchain dashboard on [bold]{server.url}[/] (read-only; Ctrl-C stops it)")
    if open_browser:
        webbrowser.open(server.url)
    server.serve()


class DemoDashboard:
    """``flchain demo --ui``: the dashboard on a background thread, started once the demo's
    devnet and task exist (call :meth:`start_once` from the demo's updates)."""

    def __init__(
        self, console: Console, store: str | Path | None = None, deployments: Path | None = None
    ) -> None:
        self._console = console
        self._store = store
        self._deployments = deployments
        self._server: UiServer | None = None
        self.url: str | None = None

    def start_once(self, rpc_url: str, task_id: TaskId) -> None:
        """Start the dashboard (once) and open the task's page in a browser."""
        if self._server is not None or not rpc_url or not task_id:
            return
        from flchain.ui.server import open_dashboard
        from flchain.ui.source import UiSource

        source = UiSource(rpc_url, self._store, self._deployments)
        self._server = open_dashboard(source, DEFAULT_HOST, 0).start()
        self.url = f"{self._server.url}tasks/{task_id}"
        self._console.print(f"dashboard: {self.url}")
        webbrowser.open(self.url)

    def stop(self) -> None:
        """Stop the dashboard (the demo stops its devnet too)."""
        if self._server is not None:
            self._server.stop()
            self._server = None
