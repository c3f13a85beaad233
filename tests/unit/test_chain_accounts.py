"""Account specs and signers: parsing, dev keys only on the devnet, keys never shown."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from eth_account import Account

from flchain.chain.accounts import (
    DEV_CHAIN_ID,
    AccountSpec,
    dev_signer,
    load_signer,
    parse_account_spec,
)
from flchain.errors import AccountError

# A throwaway key for tests (not one of the dev keys).
KEY = "0x" + "4c" * 32
ADDRESS = Account.from_key(KEY).address


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("dev:3", AccountSpec("dev", "3")),
        ("dev", AccountSpec("dev", "0")),
        ("keystore:/keys/a.json", AccountSpec("keystore", "/keys/a.json")),
        ("env:MY_KEY", AccountSpec("env", "MY_KEY")),
        ("env", AccountSpec("env", "FLCHAIN_PRIVATE_KEY")),
    ],
)
def test_parse_account_spec_returns_kind_and_value_when_spec_is_valid(
    spec: str, expected: AccountSpec
) -> None:
    assert parse_account_spec(spec) == expected


@pytest.mark.parametrize("spec", ["dev:32", "dev:x", "keystore:", "ledger:0", "0xabc"])
def test_parse_account_spec_raises_with_usage_when_spec_is_invalid(spec: str) -> None:
    with pytest.raises(AccountError, match="dev:N"):
        parse_account_spec(spec)


@pytest.mark.parametrize("spec", [KEY, KEY[2:], f"dev:{KEY}"])
def test_parse_account_spec_never_echoes_the_key_when_given_a_private_key(spec: str) -> None:
    with pytest.raises(AccountError) as caught:
        parse_account_spec(spec)

    assert "4c4c4c4c" not in str(caught.value)
    assert "env:VAR" in str(caught.value)


def test_dev_signer_gives_anvil_default_account_when_on_devnet() -> None:
    assert dev_signer(0, DEV_CHAIN_ID).address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert dev_signer(9, DEV_CHAIN_ID).address == "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"


def test_dev_signer_raises_when_chain_is_not_devnet() -> None:
    with pytest.raises(AccountError, match="chain 1"):
        load_signer("dev:0", chain_id=1)


def test_signer_repr_shows_address_and_source_but_never_key_when_loaded_from_env() -> None:
    signer = load_signer("env:K", chain_id=1, env={"K": KEY})

    shown = f"{signer!r} {signer!s}"

    assert signer.address == ADDRESS
    assert ADDRESS in shown
    assert "env:K" in shown
    assert KEY[2:10] not in shown.lower()


def test_signer_refuses_pickling_when_asked() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(load_signer("env:K", chain_id=1, env={"K": KEY}))


def test_load_signer_raises_naming_variable_when_env_var_unset() -> None:
    with pytest.raises(AccountError, match=r"\$FLCHAIN_PRIVATE_KEY is unset"):
        load_signer("env", chain_id=1, env={})


def test_load_signer_hides_value_when_env_key_is_malformed() -> None:
    bad = "0x" + "ab" * 20

    with pytest.raises(AccountError) as caught:
        load_signer("env:K", chain_id=1, env={"K": bad})

    assert bad not in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


@pytest.fixture
def keystore(tmp_path: Path) -> Path:
    path = tmp_path / "key.json"
    path.write_text(
        json.dumps(Account.encrypt(bytes.fromhex(KEY[2:]), "s3cret", kdf="pbkdf2", iterations=2))
    )
    return path


def test_load_signer_decrypts_keystore_when_password_in_env(keystore: Path) -> None:
    env = {"FLCHAIN_KEYSTORE_PASSWORD": "s3cret"}

    signer = load_signer(f"keystore:{keystore}", chain_id=1, env=env)

    assert signer.address == ADDRESS
    assert "s3cret" not in repr(signer)


def test_load_signer_decrypts_keystore_when_password_in_file(
    keystore: Path, tmp_path: Path
) -> None:
    password_file = tmp_path / "password.txt"
    password_file.write_text("s3cret\n")

    signer = load_signer(f"keystore:{keystore}", chain_id=1, env={}, password_file=password_file)

    assert signer.address == ADDRESS


def test_load_signer_raises_when_keystore_password_is_wrong(keystore: Path) -> None:
    env = {"FLCHAIN_KEYSTORE_PASSWORD": "wrong"}

    with pytest.raises(AccountError, match="check the password"):
        load_signer(f"keystore:{keystore}", chain_id=1, env=env)


def test_load_signer_raises_naming_both_sources_when_keystore_password_missing(
    keystore: Path,
) -> None:
    with pytest.raises(AccountError, match="FLCHAIN_KEYSTORE_PASSWORD"):
        load_signer(f"keystore:{keystore}", chain_id=1, env={})


def test_derive_secret_is_stable_per_account_and_purpose_and_is_not_the_key() -> None:
    signer, other = dev_signer(1, DEV_CHAIN_ID), dev_signer(2, DEV_CHAIN_ID)

    secret = signer.derive_secret(b"task 1 x25519")

    assert len(secret) == 32
    assert secret == dev_signer(1, DEV_CHAIN_ID).derive_secret(b"task 1 x25519")
    assert secret != signer.derive_secret(b"task 2 x25519")
    assert secret != other.derive_secret(b"task 1 x25519")
    assert secret != bytes(signer._account.key)
