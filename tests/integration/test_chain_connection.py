"""connect() against a real Anvil and against nothing."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from flchain.chain.connection import connect
from flchain.chain.devnet import Devnet
from flchain.errors import ChainUnavailableError, WrongChainError

pytestmark = pytest.mark.integration


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connect_raises_unavailable_naming_url_when_nothing_listens() -> None:
    url = f"http://127.0.0.1:{_unused_port()}"

    with pytest.raises(ChainUnavailableError) as caught:
        connect(url)

    assert url in str(caught.value)
    assert "flchain devnet start" in str(caught.value)


def test_connect_raises_wrong_chain_when_chain_id_differs(devnet: Devnet) -> None:
    with pytest.raises(WrongChainError, match="chain 31337, not the expected chain 1"):
        connect(devnet.rpc_url, expected_chain_id=1)


def test_connect_uses_running_devnet_record_when_no_url_given(
    devnet: Devnet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLCHAIN_RPC_URL", raising=False)

    w3 = connect(state_dir=devnet.state_dir)

    assert w3.provider.endpoint_uri == devnet.rpc_url  # type: ignore[attr-defined]


def test_connect_says_devnet_does_not_answer_when_record_is_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLCHAIN_RPC_URL", raising=False)
    with Devnet(tmp_path) as devnet:
        record = (tmp_path / "devnet.json").read_text()
    (tmp_path / "devnet.json").write_text(record)

    with pytest.raises(ChainUnavailableError, match="devnet record") as caught:
        connect(state_dir=tmp_path)

    assert devnet.state_dir.name in str(caught.value)
