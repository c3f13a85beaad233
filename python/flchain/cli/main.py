"""The ``flchain`` command: assembles the command groups."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from typer import _click as click  # the click that typer runs on (vendored)

from flchain.cli.lazy import LazyCommand, LazyGroup, load_command, load_group
from flchain.errors import FlchainError

app = typer.Typer(
    name="flchain",
    help="Federated learning coordinated by Ethereum smart contracts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _options(
    network: Annotated[
        str | None,
        typer.Option(
            "--network",
            envvar="FLCHAIN_NETWORK",
            help="A named network of $FLCHAIN_HOME/networks.toml (else ./networks.toml): its "
            "RPC URL, chain id, store, deployments and account become the defaults.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Federated learning coordinated by Ethereum smart contracts."""
    if network is not None:
        from flchain.networks import apply_network, load_network

        apply_network(load_network(network))


# (module under flchain.cli, group name); a module exposes `app` (a typer.Typer).
_GROUPS: tuple[tuple[str, str], ...] = (
    ("data", "data"),
    ("devnet", "devnet"),
    ("ipfs", "ipfs"),
    ("participant", "participant"),
    ("registry", "registry"),
    ("task", "task"),
)
# (command name, module under flchain.cli, function): the top-level commands (not groups).
_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("demo", "demo", "demo"),
    ("deploy", "deploy", "deploy"),
    ("deploy-model", "inference", "deploy_model"),
    ("predict", "inference", "predict"),
    ("verify", "verify", "verify"),
    ("ui", "ui", "ui"),
)
#: What `flchain --help` says of each command without importing it (a command missing here
#: is imported for its help).
_HELP: dict[str, str] = {
    "data": "Publish data shards on chain and fetch the ones a task assigns you.",
    "devnet": "Local Anvil devnet commands.",
    "ipfs": "Content store commands (IPFS-compatible CIDs).",
    "participant": "Run a participant of a task.",
    "registry": "Query the on-chain model registry.",
    "task": "Create, start and follow training tasks.",
    "demo": "Train a model across N participants on the local devnet and show it live.",
    "deploy": "Deploy flchain's contracts: run the migration steps not yet applied on that chain.",
    "deploy-model": "Deploy a global model as an inference contract; prints its address.",
    "predict": "Classify input rows on chain; prints one class per row.",
    "verify": "Recompute a finalized round from the chain and the store, and compare.",
    "ui": "A live web dashboard of tasks, rounds, models, datasets and inference contracts.",
}


def _lazy(name: str, loader: Callable[[], click.Command]) -> LazyCommand:
    short = _HELP.get(name)
    if short is None:  # not listed above: import it to learn its help
        real = loader()
        short = real.get_short_help_str(limit=200)
    return LazyCommand(name, short, loader)


class _Flchain(LazyGroup):
    lazy = {  # noqa: RUF012
        **{group: _lazy(group, load_group(module)) for module, group in _GROUPS},
        **{name: _lazy(name, load_command(module, fn)) for name, module, fn in _COMMANDS},
    }


app.info.cls = _Flchain


#: Set to 1 to see the traceback of an unexpected error (a bug) instead of one line.
DEBUG_ENV = "FLCHAIN_DEBUG"


def run() -> None:
    """Entry point: run the app, turning every error into one readable line (its text is
    printed literally: ``[privacy]`` stays ``[privacy]``)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        app()
    except FlchainError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]: stopped; nothing was left half-written.")
        sys.exit(130)
    except Exception as exc:  # a bug: still one line, unless asked for the traceback
        if os.environ.get(DEBUG_ENV):
            raise
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        err.print(
            f"[bold red]error:[/] unexpected {type(exc).__name__}: {escape(first)} (a bug in "
            f"flchain; rerun with {DEBUG_ENV}=1 for the traceback and report it)"
        )
        sys.exit(2)
