"""``flchain ipfs serve``'s server speaks the Kubo RPC subset as Kubo does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from flchain.storage import LocalStore, StoreServer, build_file_dag, compute_cid, encode_car


@pytest.fixture
def api(tmp_path: Path) -> Iterator[httpx.Client]:
    with (
        StoreServer(LocalStore(tmp_path / "served")) as server,
        httpx.Client(base_url=server.url + "/api/v0/", timeout=10) as client,
    ):
        yield client


def add(api: httpx.Client, data: bytes, **params: str) -> httpx.Response:
    return api.post("add", params=params, files={"file": ("update.bin", data)})


def test_add_replies_name_hash_and_size_when_file_uploaded(api: httpx.Client) -> None:
    data = bytes(300_000)

    reply = add(api, data, **{"cid-version": "1"}).json()

    dag = build_file_dag(data, 1)
    assert reply == {"Name": "update.bin", "Hash": str(dag.root), "Size": str(dag.dag_size)}


def test_add_gives_cid_v0_when_no_cid_version(api: httpx.Client) -> None:
    reply = add(api, b"hello world").json()

    assert reply["Hash"] == "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD"


def test_add_replies_one_line_per_file_when_several_uploaded(api: httpx.Client) -> None:
    files = [("file", ("a", b"first")), ("file", ("b", b"second"))]

    response = api.post("add", params={"cid-version": "1"}, files=files)

    hashes = [line.split('"Hash": "')[1].split('"')[0] for line in response.text.splitlines()]
    assert hashes == [str(compute_cid(b"first")), str(compute_cid(b"second"))]


def test_add_rejects_with_400_when_chunker_not_default(api: httpx.Client) -> None:
    response = add(api, b"x", chunker="size-1024")

    assert response.status_code == 400
    assert response.json()["Type"] == "error"
    assert response.json()["Code"] == 1


def test_cat_returns_slice_when_offset_and_length_given(api: httpx.Client) -> None:
    cid = add(api, b"0123456789", **{"cid-version": "1"}).json()["Hash"]

    response = api.post("cat", params={"arg": cid, "offset": "2", "length": "3"})

    assert response.content == b"234"


def test_cat_accepts_ipfs_path_when_prefixed(api: httpx.Client) -> None:
    cid = add(api, b"content").json()["Hash"]

    assert api.post("cat", params={"arg": f"/ipfs/{cid}"}).content == b"content"


def test_cat_replies_400_when_arg_is_not_a_cid(api: httpx.Client) -> None:
    response = api.post("cat", params={"arg": "not-a-cid"})

    assert response.status_code == 400
    assert "not-a-cid" in response.json()["Message"]


def test_block_stat_replies_500_not_found_when_block_absent(api: httpx.Client) -> None:
    response = api.post("block/stat", params={"arg": str(compute_cid(b"absent"))})

    assert response.status_code == 500
    assert "not found" in response.json()["Message"]


def test_block_stat_replies_key_and_size_when_block_present(api: httpx.Client) -> None:
    cid = add(api, b"12345", **{"cid-version": "1"}).json()["Hash"]

    assert api.post("block/stat", params={"arg": cid}).json() == {"Key": cid, "Size": 5}


def test_dag_import_replies_root_lines_when_car_uploaded(api: httpx.Client) -> None:
    data = bytes(range(200)) * 2000
    source = build_file_dag(data, 1)
    car = encode_car([source.root], source.blocks)

    response = api.post("dag/import", files={"file": ("x.car", car)})

    assert response.json() == {"Root": {"Cid": {"/": str(source.root)}, "PinErrorMsg": ""}}
    assert api.post("cat", params={"arg": str(source.root)}).content == data


def test_server_replies_405_when_method_is_get(api: httpx.Client) -> None:
    assert api.get("version").status_code == 405


def test_server_replies_404_when_command_unknown(api: httpx.Client) -> None:
    assert api.post("swarm/peers").status_code == 404


def test_add_accepts_chunked_upload_when_no_content_length(api: httpx.Client) -> None:
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n'
        f"streamed\r\n--{boundary}--\r\n"
    ).encode()

    response = api.post(
        "add",
        params={"cid-version": "1"},
        content=iter([body[:10], body[10:]]),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )

    assert response.json()["Hash"] == str(compute_cid(b"streamed"))


def test_add_stores_nothing_when_only_hash(api: httpx.Client) -> None:
    cid = add(api, b"just hashing", **{"only-hash": "true", "cid-version": "1"}).json()["Hash"]

    assert cid == str(compute_cid(b"just hashing"))
    assert api.post("block/stat", params={"arg": cid}).status_code == 500
