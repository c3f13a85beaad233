"""``flchain ipfs add`` / ``cat``: CIDs on stdout, verified bytes back, errors as one sentence."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flchain.cli.ipfs import app
from flchain.storage import compute_cid

runner = CliRunner()


def test_add_prints_only_the_cid_when_file_added(tmp_path: Path) -> None:
    file = tmp_path / "hello.txt"
    file.write_bytes(b"hello world")

    result = runner.invoke(app, ["add", "--cid-version", "0", "--root", str(tmp_path), str(file)])

    assert result.exit_code == 0
    assert result.stdout == "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD\n"


def test_cat_writes_added_bytes_when_cid_known(tmp_path: Path) -> None:
    data = bytes(range(256)) * 2000
    file = tmp_path / "update.bin"
    file.write_bytes(data)
    cid = runner.invoke(app, ["add", "--root", str(tmp_path / "s"), str(file)]).stdout.strip()

    result = runner.invoke(app, ["cat", cid], env={"FLCHAIN_STORE": str(tmp_path / "s")})

    assert cid == str(compute_cid(data))
    assert result.stdout_bytes == data


def test_add_uses_default_root_when_no_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FLCHAIN_STORE", raising=False)
    (tmp_path / "f").write_bytes(b"x")

    runner.invoke(app, ["add", "f"])

    assert (tmp_path / ".flchain" / "store" / "blocks").is_dir()


def test_cat_prints_one_readable_error_when_cid_missing(tmp_path: Path) -> None:
    cid = str(compute_cid(b"absent"))
    command = "from flchain.cli.main import run; run()"

    result = subprocess.run(
        [sys.executable, "-c", command, "ipfs", "cat", "--root", str(tmp_path), cid],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "500"},
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert f"error: No content for {cid}" in result.stderr
    assert "Traceback" not in result.stderr
