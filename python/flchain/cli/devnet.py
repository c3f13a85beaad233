"""``flchain devnet``: start, stop, inspect and reset the local Anvil devnet."""

from __future__ import annotations

import typer

app = typer.Typer(help="Local Anvil devnet commands.", no_args_is_help=True)
