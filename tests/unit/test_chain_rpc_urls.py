"""RPC URL resolution and redaction (no chain)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flchain.chain.connection import connect, redact_url, resolve_rpc_url
from flchain.chain.devnet import DevnetInfo
from flchain.errors import ChainUnavailableError, ConfigError


def _record(state_dir: Path, url: str) -> None:
    info = DevnetInfo(url, 1, 31337, state_dir, "2026-01-01T00:00:00+00:00", True, "anvil")
    (state_dir / "devnet.json").write_text(info.to_json())


@pytest.fixture(autouse=True)
def _no_env_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLCHAIN_RPC_URL", raising=False)


def test_resolve_prefers_explicit_url_when_env_and_devnet_also_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLCHAIN_RPC_URL", "http://env:1")
    _record(tmp_path, "http://devnet:2")

    assert resolve_rpc_url("http://given:3", state_dir=tmp_path) == "http://given:3"


def test_resolve_uses_env_when_no_explicit_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLCHAIN_RPC_URL", "http://env:1")
    _record(tmp_path, "http://devnet:2")

    assert resolve_rpc_url(state_dir=tmp_path) == "http://env:1"


def test_resolve_uses_devnet_record_when_nothing_else_given(tmp_path: Path) -> None:
    _record(tmp_path, "http://devnet:2")

    assert resolve_rpc_url(state_dir=tmp_path) == "http://devnet:2"


def test_resolve_raises_with_next_step_when_nothing_is_known(tmp_path: Path) -> None:
    with pytest.raises(ChainUnavailableError, match=r"flchain devnet start`, or pass --rpc"):
        resolve_rpc_url(state_dir=tmp_path)


def test_connect_refuses_when_scheme_is_not_http() -> None:
    with pytest.raises(ConfigError, match="not http"):
        connect("ws://127.0.0.1:8546")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://127.0.0.1:8545", "http://127.0.0.1:8545"),
        ("https://user:pw@node.example/rpc", "https://***@node.example/rpc"),
        ("https://mainnet.infura.io/v3/0123456789abcdef0123", "https://mainnet.infura.io/v3/***"),
        ("https://node.example/rpc?apikey=secret", "https://node.example/rpc?***"),
    ],
)
def test_redact_url_hides_credentials_when_url_carries_them(url: str, shown: str) -> None:
    assert redact_url(url) == shown
