"""The public API of flchain.ui (every name in __all__ exists, none twice), the CLI loading the
web stack only when the dashboard runs, and ``flchain ui`` failing readably without a chain."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from flchain.cli.main import app
from flchain.errors import ChainUnavailableError

MODULES = [
    "flchain.ui",
    "flchain.ui.app",
    "flchain.ui.evaluation",
    "flchain.ui.format",
    "flchain.ui.live",
    "flchain.ui.queries",
    "flchain.ui.server",
    "flchain.ui.source",
    "flchain.cli.ui",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_existing_names_once_when_module_is_imported(name: str) -> None:
    module = importlib.import_module(name)

    exported = module.__all__

    assert len(set(exported)) == len(exported)
    assert [n for n in exported if not hasattr(module, n)] == []


def test_cli_loads_without_the_web_stack() -> None:
    code = (
        "import sys, flchain.cli.main; "
        "print(sorted(m for m in ('starlette', 'uvicorn', 'jinja2') if m in sys.modules))"
    )

    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert loaded.stdout.strip() == "[]"


def test_ui_without_a_node_fails_with_a_readable_error_when_rpc_is_unreachable() -> None:
    result = CliRunner().invoke(app, ["ui", "--rpc", "http://127.0.0.1:1", "--port", "0"])

    assert result.exit_code != 0
    assert isinstance(result.exception, ChainUnavailableError)
    assert "No Ethereum node answers at http://127.0.0.1:1" in str(result.exception)
