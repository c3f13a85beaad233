"""Options several commands share, declared once so they read the same everywhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from flchain.protocol.records import RoundId, TaskId

    TaskIdParam = TaskId
    RoundIdParam = RoundId
else:
    # Typer takes a NewType for an unknown type (it would drop ``min`` and print `<TaskId>` in
    # --help), so it is given the int; a NewType is the identity at run time, so the int it
    # parses is the TaskId (RoundId) mypy sees the commands pass on.
    TaskIdParam = RoundIdParam = int

__all__ = [
    "DEVICE_CHOICES",
    "AccountOption",
    "DeploymentsOption",
    "JsonOption",
    "ReaderAccountOption",
    "RoundArgument",
    "RoundIdParam",
    "RpcOption",
    "StoreOption",
    "TaskArgument",
    "TaskIdParam",
    "TaskOption",
    "device_option",
    "echo_json",
    "err_console",
    "out_console",
]

AccountOption = Annotated[
    str,
    typer.Option(
        "--account",
        envvar="FLCHAIN_ACCOUNT",
        help="Signing account: dev:N (devnet only), keystore:PATH or env:VAR "
        "(env FLCHAIN_ACCOUNT).",
    ),
]
TaskArgument = Annotated[TaskIdParam, typer.Argument(help="Task id.", min=1)]
TaskOption = Annotated[TaskIdParam, typer.Option("--task", help="Task id.", min=1)]
RoundArgument = Annotated[
    RoundIdParam | None,
    typer.Argument(help="Round (0: initial model; default: latest).", min=0),
]

RpcOption = Annotated[
    str | None,
    typer.Option(
        "--rpc",
        help="RPC URL (default: $FLCHAIN_RPC_URL, set by --network too, else the running devnet).",
    ),
]
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="FLCHAIN_STORE",
        help="Content store: a directory (embedded store) or the http(s):// URL of a Kubo RPC "
        "API, e.g. `flchain ipfs serve` (env FLCHAIN_STORE; default $FLCHAIN_HOME/store, "
        "else ./.flchain/store).",
        show_default=False,
    ),
]
DeploymentsOption = Annotated[
    Path | None,
    typer.Option(
        "--deployments",
        help="Deployment records directory (default: $FLCHAIN_DEPLOYMENTS, else "
        "$FLCHAIN_HOME/deployments, else ./deployments).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document, nothing else.")]
ReaderAccountOption = Annotated[
    str | None,
    typer.Option(
        "--account",
        help="A private task: a member's (or the owner's) account, whose keys decrypt "
        "(dev:N, keystore:PATH or env:VAR).",
    ),
]

#: The ``--device`` values (and its environment variable), as every command's help names them.
DEVICE_CHOICES = "auto (CUDA when available), cpu, cuda or cuda:N (env FLCHAIN_DEVICE)"


def device_option(help_text: str) -> Any:
    """The ``--device`` option (env FLCHAIN_DEVICE) of a command that trains, described by
    ``help_text`` (which names :data:`DEVICE_CHOICES`)."""
    return typer.Option("--device", envvar="FLCHAIN_DEVICE", help=help_text)


def out_console() -> Console:
    """Where a command prints its result: stdout, markup on, no syntax highlighting of
    numbers or addresses, lines not wrapped (so they can be piped and grepped)."""
    return Console(highlight=False, soft_wrap=True)


def err_console() -> Console:
    """Where a command prints progress and errors: like :func:`out_console`, on stderr."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def echo_json(document: Any) -> None:
    """Print ``document`` as a command's one JSON line (keys sorted), for --json."""
    typer.echo(json.dumps(document, sort_keys=True))
