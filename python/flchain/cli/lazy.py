"""Command groups loaded when used, so `flchain --help` and a light command start fast.

`flchain --help` lists every command from a short help text given here, without importing
any command module (those pull in torch and web3); running a command imports only its own
module. A :class:`LazyCommand` stands for the real click command until it is invoked.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import typer
from typer import _click as click  # the click that typer runs on (vendored)
from typer.core import TyperCommand, TyperGroup

__all__ = ["LazyCommand", "LazyGroup", "load_command", "load_group"]


class LazyCommand(TyperCommand):
    """A named command whose real click command is built by ``loader`` on first use."""

    def __init__(self, name: str, short_help: str, loader: Callable[[], click.Command]) -> None:
        super().__init__(name, help=short_help, short_help=short_help)
        self._loader = loader
        self._real: click.Command | None = None

    def real(self) -> click.Command:
        """The command itself (imported now if it was not yet)."""
        if self._real is None:
            self._real = self._loader()
            self._real.name = self.name
        return self._real

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        return self.real().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        return self.real().invoke(ctx)


class LazyGroup(TyperGroup):
    """A typer group that also lists the :attr:`lazy` commands (set by a subclass)."""

    lazy: dict[str, LazyCommand] = {}  # noqa: RUF012 - each subclass sets its own

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self.lazy.get(cmd_name) or super().get_command(ctx, cmd_name)


def load_group(module_name: str) -> Callable[[], click.Command]:
    """A loader of the typer app ``flchain.cli.<module_name>.app`` as a click group."""

    def load() -> click.Command:
        module = importlib.import_module(f"flchain.cli.{module_name}")
        return typer.main.get_group(module.app)

    return load


def load_command(module_name: str, function: str) -> Callable[[], click.Command]:
    """A loader of the function ``flchain.cli.<module_name>.<function>`` as a command."""

    def load() -> click.Command:
        module = importlib.import_module(f"flchain.cli.{module_name}")
        single = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        single.command()(getattr(module, function))
        return typer.main.get_command(single)

    return load
