"""KuboStore: errors at the edge, verification of what a daemon returns.

Uses ``flchain ipfs serve``'s server in-process (``StoreServer``) where a daemon is needed,
and httpx's MockTransport to play daemons that fail or lie.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from flchain.errors import (
    ContentNotFoundError,
    IntegrityError,
    StorageError,
    StoreUnavailableError,
)
from flchain.storage import (
    DAG_PB,
    RAW,
    Block,
    Cid,
    KuboStore,
    LocalStore,
    Store,
    StoreServer,
    compute_cid,
)
from flchain.storage.dagpb import PBLink, PBNode, UnixfsData, encode_node, encode_unixfs


@pytest.fixture
def server(tmp_path: Path) -> Iterator[StoreServer]:
    with StoreServer(LocalStore(tmp_path / "served")) as running:
        yield running


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mock_store(handler: Callable[[httpx.Request], httpx.Response]) -> KuboStore:
    return KuboStore("http://kubo.test:5001", transport=httpx.MockTransport(handler))


def test_kubo_store_satisfies_store_protocol_when_checked() -> None:
    with KuboStore() as store:
        assert isinstance(store, Store)


def test_put_raises_store_unavailable_naming_url_when_daemon_down() -> None:
    url = f"http://127.0.0.1:{free_port()}"

    with KuboStore(url) as store, pytest.raises(StoreUnavailableError, match=url) as info:
        store.put(b"data")

    assert "flchain ipfs serve" in str(info.value)


def test_get_raises_store_unavailable_when_daemon_times_out() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with mock_store(handler) as store, pytest.raises(StoreUnavailableError, match="in time"):
        store.get(compute_cid(b"x"))


def test_version_raises_storage_error_when_url_is_not_rpc_api() -> None:
    with (
        mock_store(lambda request: httpx.Response(404, text="404 page not found")) as store,
        pytest.raises(StorageError, match="port 5001"),
    ):
        store.version()


def test_get_raises_integrity_error_when_daemon_serves_other_bytes() -> None:
    cid = compute_cid(b"the real update")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/cat"):
            return httpx.Response(200, content=b"a forged update")
        return httpx.Response(200, content=b"")  # dag/export: no blocks at all

    with mock_store(handler) as store, pytest.raises(IntegrityError):
        store.get(cid)


def test_put_raises_integrity_error_when_daemon_returns_other_cid() -> None:
    other = str(compute_cid(b"something else"))

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.dumps({"Name": "data", "Hash": other, "Size": "22"})
        return httpx.Response(200, text=body + "\n")

    with mock_store(handler) as store, pytest.raises(IntegrityError, match="defaults"):
        store.put(b"model bytes")


def test_put_sends_kubo_import_options_when_cid_v1() -> None:
    seen: list[httpx.QueryParams] = []
    data = b"model bytes"

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params)
        body = json.dumps({"Name": "data", "Hash": str(compute_cid(data)), "Size": "11"})
        return httpx.Response(200, text=body)

    with mock_store(handler) as store:
        store.put(data)

    assert seen[0]["cid-version"] == "1"
    assert seen[0]["raw-leaves"] == "true"
    assert seen[0]["chunker"] == "size-262144"


@pytest.mark.parametrize("version", [0, 1])
def test_put_returns_compute_cid_when_served_store(server: StoreServer, version: int) -> None:
    data = bytes(range(256)) * 3000

    with KuboStore(server.url, cid_version=version) as store:
        cid = store.put(data)

    assert cid == compute_cid(data, version)


def test_get_verifies_block_by_block_when_dag_not_default_layout(server: StoreServer) -> None:
    leaves = [b"first part, ", b"second part"]
    leaf_cids = [Cid.for_block(leaf, RAW) for leaf in leaves]
    meta = UnixfsData(filesize=23, blocksizes=(12, 11))
    links = tuple(PBLink(cid, len(leaf)) for cid, leaf in zip(leaf_cids, leaves, strict=True))
    root_block = encode_node(PBNode(links, encode_unixfs(meta)))
    root = Cid.for_block(root_block, DAG_PB)
    server.store.put_blocks([Block(root, root_block), *map(Block, leaf_cids, leaves)])

    with KuboStore(server.url) as store:
        assert store.get(root) == b"first part, second part"


def test_has_is_false_when_block_absent(server: StoreServer) -> None:
    with KuboStore(server.url) as store:
        assert not store.has(compute_cid(b"never added"))


def test_get_raises_content_not_found_naming_cid_when_absent(server: StoreServer) -> None:
    cid = compute_cid(b"never added")

    with KuboStore(server.url) as store, pytest.raises(ContentNotFoundError, match=str(cid)):
        store.get(cid)


def test_version_returns_server_version_when_served(server: StoreServer) -> None:
    with KuboStore(server.url) as store:
        assert store.version()
