"""summary.json records the device the demo's participants trained on, and `flchain demo`
refuses a device this machine lacks before starting anything."""

from __future__ import annotations

import torch
from typer.testing import CliRunner

from flchain.cli.main import app
from flchain.demo.run import DemoState
from flchain.demo.summary import summary_document
from flchain.errors import ConfigError


def test_summary_records_the_device_when_the_demo_ran() -> None:
    state = DemoState(device="cpu")

    summary = summary_document(state)

    assert summary["device"] == "cpu"


def test_demo_refuses_a_device_this_machine_lacks_before_starting() -> None:
    absent = f"cuda:{torch.cuda.device_count() if torch.cuda.is_available() else 0}"

    result = CliRunner().invoke(app, ["demo", "--device", absent, "--out", "unused"])

    assert isinstance(result.exception, ConfigError), result.output
    assert absent in str(result.exception)
