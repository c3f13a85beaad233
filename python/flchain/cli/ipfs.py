"""``flchain ipfs``: add, cat and serve content of the embedded store."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from flchain.errors import ConfigError
from flchain.storage.cid import Cid
from flchain.storage.local import LocalStore
from flchain.storage.locator import open_store
from flchain.storage.server import DEFAULT_HOST, DEFAULT_PORT, StoreServer

_LOOPBACK = ("127.0.0.1", "localhost", "::1")

app = typer.Typer(help="Content store commands (IPFS-compatible CIDs).", no_args_is_help=True)

RootOption = Annotated[
    str | None,
    typer.Option(
        "--root",
        "--store",
        envvar="FLCHAIN_STORE",
        help="Store: a directory, or (add, cat) a Kubo RPC URL (env FLCHAIN_STORE; default "
        "$FLCHAIN_HOME/store, else ./.flchain/store).",
        show_default=False,
    ),
]


@app.command()
def add(
    file: Annotated[Path, typer.Argument(help="File to add; '-' reads standard input.")],
    cid_version: Annotated[
        int, typer.Option("--cid-version", min=0, max=1, help="0 (Qm...) or 1 (b..., raw leaves).")
    ] = 1,
    root: RootOption = None,
) -> None:
    """Add FILE to the store and print its CID (the one `ipfs add` would print)."""
    data = sys.stdin.buffer.read() if str(file) == "-" else _read(file)
    cid = open_store(root, cid_version=cid_version).put(data)
    typer.echo(str(cid))


@app.command()
def cat(
    cid: Annotated[str, typer.Argument(help="CID of the content (Qm... or b...).")],
    root: RootOption = None,
) -> None:
    """Write the content of CID to standard output, verified against the CID."""
    data = open_store(root).get(Cid.parse(cid))
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (keep it loopback).")] = (
        DEFAULT_HOST
    ),
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port; 0 picks a free one.")] = (
        DEFAULT_PORT
    ),
    root: RootOption = None,
) -> None:
    """Serve the store over Kubo's HTTP RPC (add, cat, pin/add, version, dag import/export).

    Prints the API URL on the first line of standard output, then serves until Ctrl-C.
    """
    store = open_store(root)
    if not isinstance(store, LocalStore):
        raise ConfigError(f"`flchain ipfs serve` serves a directory; {root} is a URL.")
    server = StoreServer(store, host=host, port=port)
    typer.echo(server.url)
    sys.stdout.flush()
    console = Console(stderr=True)
    if host not in _LOOPBACK:
        console.print(f"[yellow]warning[/]: {host} is not loopback; anyone who reaches it can add")
    console.print(
        f"serving store [bold]{escape(str(store.root))}[/] at {server.url}; Ctrl-C stops it"
    )
    for signum in (signal.SIGINT, signal.SIGTERM):  # also when started with SIGINT ignored
        signal.signal(signum, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        server.stop()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"Cannot read {file}: {exc.strerror}; check the path.") from exc
