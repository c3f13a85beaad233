"""``flchain ui`` failing readably without a chain (the dashboard's public API and the CLI
loading without the web stack are checked in test_public_api.py)."""

from __future__ import annotations

from typer.testing import CliRunner

from flchain.cli.main import app
from flchain.errors import ChainUnavailableError


def test_ui_without_a_node_fails_with_a_readable_error_when_rpc_is_unreachable() -> None:
    result = CliRunner().invoke(app, ["ui", "--rpc", "http://127.0.0.1:1", "--port", "0"])

    assert result.exit_code != 0
    assert isinstance(result.exception, ChainUnavailableError)
    assert "No Ethereum node answers at http://127.0.0.1:1" in str(result.exception)
