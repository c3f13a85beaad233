"""``flchain ipfs``: add, cat and serve content of the embedded store."""

from __future__ import annotations

import typer

app = typer.Typer(help="Content store commands (IPFS-compatible CIDs).", no_args_is_help=True)
