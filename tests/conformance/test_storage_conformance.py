"""One suite, every Store: each test runs against each backend.

- ``local``: a LocalStore in a fresh directory;
- ``kubo``: a KuboStore talking to ``flchain ipfs serve``, started once per session as a
  real subprocess on a free loopback port and stopped (SIGINT, then terminate, then kill).
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flchain.errors import ContentNotFoundError, IntegrityError
from flchain.storage import CHUNK_SIZE, RAW, Cid, KuboStore, LocalStore, Store, compute_cid

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
    """SIGINT (a clean stop), then terminate, then kill: each given 5 s."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            break
        process.send_signal(signum)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            continue
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


def fresh(size: int) -> bytes:
    """Content no other test stored (the served store lives for the whole session)."""
    return os.urandom(size)


@pytest.mark.parametrize("size", [0, 1, 1000, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 5])
def test_get_returns_put_bytes_when_content_stored(backend: Backend, size: int) -> None:
    data = fresh(size)

    cid = backend.store.put(data)

    assert backend.store.get(cid) == data


def test_put_returns_kubo_cid_v1_when_default(backend: Backend) -> None:
    data = fresh(CHUNK_SIZE * 2)

    assert backend.store.put(data) == compute_cid(data, 1)


def test_put_returns_same_cid_when_content_added_twice(backend: Backend) -> None:
    data = fresh(5000)

    assert backend.store.put(data) == backend.store.put(data)


def test_has_is_true_only_after_put_when_content_new(backend: Backend) -> None:
    data = fresh(100)
    cid = compute_cid(data)
    assert not backend.store.has(cid)

    backend.store.put(data)

    assert backend.store.has(cid)


def test_get_raises_content_not_found_when_cid_unknown(backend: Backend) -> None:
    with pytest.raises(ContentNotFoundError):
        backend.store.get(compute_cid(fresh(64)))


def test_pin_succeeds_when_content_stored(backend: Backend) -> None:
    cid = backend.store.put(fresh(300))

    backend.store.pin(cid)

    assert cid in backend.disk.pinned()


def test_pin_raises_content_not_found_when_cid_unknown(backend: Backend) -> None:
    with pytest.raises(ContentNotFoundError):
        backend.store.pin(compute_cid(fresh(64)))


def test_get_raises_integrity_error_when_stored_block_corrupt(backend: Backend) -> None:
    data = fresh(2 * CHUNK_SIZE)
    cid = backend.store.put(data)
    leaf = Cid.for_block(data[:CHUNK_SIZE], RAW)
    path = backend.disk._block_path(leaf)
    raw = bytearray(path.read_bytes())
    raw[100] ^= 0x01
    path.write_bytes(bytes(raw))

    with pytest.raises(IntegrityError):
        backend.store.get(cid)


def test_import_car_makes_content_gettable_when_exported_elsewhere(backend: Backend) -> None:
    data = fresh(CHUNK_SIZE + 10)
    source = backend.disk.__class__(backend.disk.root.parent / f"src-{os.getpid()}-{id(data)}")
    cid = source.put(data)

    roots = backend.store.import_car(source.export_car(cid))  # type: ignore[attr-defined]

    assert roots == (cid,)
    assert backend.store.get(cid) == data


def test_export_car_holds_whole_dag_when_content_stored(backend: Backend) -> None:
    data = fresh(2 * CHUNK_SIZE + 1)
    cid = backend.store.put(data)

    car = backend.store.export_car(cid)  # type: ignore[attr-defined]

    target = backend.disk.__class__(backend.disk.root.parent / f"dst-{os.getpid()}-{id(car)}")
    assert target.import_car(car) == (cid,)
    assert target.get(cid) == data
