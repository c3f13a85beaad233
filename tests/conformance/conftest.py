"""Backends for the Store conformance suite: every test runs against each of them.

- ``local``: a LocalStore in a fresh directory;
- ``kubo``: a KuboStore talking to ``flchain ipfs serve``, started once per session as a
  real subprocess on a free loopback port and stopped (SIGINT, then terminate, then kill).
"""

from __future__ import annotations

import selectors
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flchain.storage import KuboStore, LocalStore, Store

_STARTUP_TIMEOUT = 30.0


@dataclass(frozen=True)
class Backend:
    """A store under test and the directory whose blocks it ultimately reads."""

    name: str
    store: Store
    disk: LocalStore


@dataclass(frozen=True)
class ServedStore:
    url: str
    root: Path


def _read_url(process: subprocess.Popen[bytes]) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(_STARTUP_TIMEOUT):
            raise RuntimeError(f"flchain ipfs serve printed no URL in {_STARTUP_TIMEOUT}s")
    line = process.stdout.readline().decode().strip()
    if not line.startswith("http://"):
        stderr = process.stderr.read().decode() if process.stderr else ""
        raise RuntimeError(f"flchain ipfs serve did not start: {line!r} {stderr}")
    return line


def _stop(process: subprocess.Popen[bytes]) -> None:
    for stop, wait in ((lambda: process.send_signal(signal.SIGINT), 5), (process.terminate, 5)):
        if process.poll() is not None:
            break
        stop()
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    if process.poll() is None:
        process.kill()
        process.wait()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


@pytest.fixture(scope="session")
def served_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedStore]:
    """``flchain ipfs serve`` on a free loopback port, for the whole session."""
    root = tmp_path_factory.mktemp("served-store")
    command = [
        sys.executable,
        "-c",
        "from flchain.cli.main import run; run()",
        "ipfs",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--root",
        str(root),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        yield ServedStore(_read_url(process), root)
    finally:
        _stop(process)


@pytest.fixture(params=["local", "kubo"])
def backend(
    request: pytest.FixtureRequest, tmp_path: Path, served_store: ServedStore
) -> Iterator[Backend]:
    if request.param == "local":
        store = LocalStore(tmp_path / "store")
        yield Backend("local", store, store)
        return
    with KuboStore(served_store.url, fetch_timeout=10) as kubo:
        yield Backend("kubo", kubo, LocalStore(served_store.root))
