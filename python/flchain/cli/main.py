"""The ``flchain`` command: assembles the command groups."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

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


def _register_groups() -> None:
    """Attach every command group; each lives in its own module."""
    for module_name, group in _GROUPS:
        module = importlib.import_module(f"flchain.cli.{module_name}")
        app.add_typer(module.app, name=group)


_register_groups()


def _register_commands() -> None:
    """Attach the top-level commands (not groups)."""
    from flchain.cli.demo import demo
    from flchain.cli.deploy import deploy
    from flchain.cli.inference import deploy_model, predict
    from flchain.cli.verify import verify

    app.command(name="demo")(demo)
    app.command(name="deploy")(deploy)
    app.command(name="deploy-model")(deploy_model)
    app.command(name="predict")(predict)
    app.command(name="verify")(verify)


_register_commands()


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
