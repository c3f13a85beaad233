"""`flchain --help` lists every command without importing torch or web3; each listed
command still resolves to the real one when used."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from flchain.cli.main import _COMMANDS, _GROUPS, _Flchain, app

PROBE = """
import sys
from flchain.cli.main import run
sys.argv = ["flchain", "--help"]
try:
    run()
except SystemExit:
    pass
print("loaded:", "torch" in sys.modules, "web3" in sys.modules, file=sys.stderr)
"""


def test_help_lists_the_commands_without_importing_torch_or_web3() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)

    assert done.stderr.strip().endswith("loaded: False False")
    for name in ("participant", "registry", "task", "deploy", "verify", "predict"):
        assert name in done.stdout


@pytest.mark.parametrize("name", [g for _m, g in _GROUPS] + [n for n, _m, _f in _COMMANDS])
def test_every_listed_command_resolves_to_the_real_one(name: str) -> None:
    lazy = _Flchain.lazy[name]

    real = lazy.real()

    assert real.name == name
    assert real.callback is not None or getattr(real, "commands", None)


def test_a_group_with_one_command_stays_a_group() -> None:
    result = CliRunner().invoke(app, ["participant", "run", "--help"])

    assert result.exit_code == 0, result.output
    assert "--account" in result.output
