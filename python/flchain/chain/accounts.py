"""Signing accounts: Anvil's dev keys (devnet only), keystore files, a key in an env var.

An ``--account`` spec names where the key comes from:

- ``dev:N``: the N-th of Anvil's 10 default accounts (``dev`` = ``dev:0``); chain 31337 only;
- ``keystore:PATH``: an encrypted keystore (v3) file; its password comes from
  ``$FLCHAIN_KEYSTORE_PASSWORD`` or a password file (argument, or
  ``$FLCHAIN_KEYSTORE_PASSWORD_FILE``);
- ``env:VAR``: a hex private key in the environment variable VAR (bare ``env`` reads
  ``$FLCHAIN_PRIVATE_KEY``).

A :class:`Signer` signs transactions; its repr shows the address and the spec, never the
key, and nothing here logs a key.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eth_account import Account
from eth_typing import ChecksumAddress

from flchain.chain.anvil import DEV_ACCOUNT_COUNT
from flchain.errors import AccountError, ConfigError

__all__ = [
    "DEV_ACCOUNT_COUNT",
    "DEV_CHAIN_ID",
    "DEV_MNEMONIC",
    "KEYSTORE_PASSWORD_ENV",
    "KEYSTORE_PASSWORD_FILE_ENV",
    "PRIVATE_KEY_ENV",
    "AccountSpec",
    "Signer",
    "dev_signer",
    "load_signer",
    "parse_account_spec",
    "parse_address",
]

logger = logging.getLogger(__name__)

#: Anvil's (and Hardhat's) public test mnemonic: its keys are known to everyone.
DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_CHAIN_ID = 31337
PRIVATE_KEY_ENV = "FLCHAIN_PRIVATE_KEY"
KEYSTORE_PASSWORD_ENV = "FLCHAIN_KEYSTORE_PASSWORD"
KEYSTORE_PASSWORD_FILE_ENV = "FLCHAIN_KEYSTORE_PASSWORD_FILE"

_SPEC_HELP = f"use dev:N (N in 0..{DEV_ACCOUNT_COUNT - 1}), keystore:PATH or env:VAR"


@dataclass(frozen=True)
class AccountSpec:
    """Where a signing key comes from: ``kind`` plus an index, a path or a variable name."""

    kind: Literal["dev", "keystore", "env"]
    value: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


def parse_account_spec(spec: str) -> AccountSpec:
    """Parse ``dev:3``, ``keystore:PATH``, ``env:VAR`` (and bare ``dev`` / ``env``)."""
    kind, _, value = spec.strip().partition(":")
    if kind == "dev":
        value = value or "0"
        if not value.isdigit() or int(value) >= DEV_ACCOUNT_COUNT:
            raise AccountError(
                f"Account spec {_shown_spec(spec)}: dev index must be 0..{DEV_ACCOUNT_COUNT - 1}; {_SPEC_HELP}."
            )
        return AccountSpec("dev", str(int(value)))
    if kind == "keystore":
        if not value:
            raise AccountError(f"Account spec {spec!r} names no keystore file; {_SPEC_HELP}.")
        return AccountSpec("keystore", value)
    if kind == "env":
        return AccountSpec("env", value or PRIVATE_KEY_ENV)
    raise AccountError(f"Account spec {_shown_spec(spec)} is not understood; {_SPEC_HELP}.")


def _shown_spec(spec: str) -> str:
    """The spec for an error message, unless it may be a key: a secret is never echoed."""
    for part in spec.strip().split(":"):
        bare = part.removeprefix("0x").removeprefix("0X")
        if len(bare) >= 32 and all(c in "0123456789abcdefABCDEF" for c in bare):
            return "(not shown: it looks like a private key; keep keys in env:VAR or a keystore)"
    return repr(spec)


def parse_address(text: str, what: str = "address") -> str:
    """``text`` as a checksummed 20-byte address; ConfigError naming ``what`` otherwise."""
    from web3 import Web3

    value = text.strip()
    if not Web3.is_address(value):
        raise ConfigError(
            f"{what} {value!r} is not an Ethereum address (0x and 40 hex digits); check it."
        )
    return str(Web3.to_checksum_address(value))


class Signer:
    """A local signing account. Never shows its key: not in repr, str, logs or pickles."""

    __slots__ = ("_account", "source")

    def __init__(self, account: Any, source: str) -> None:
        self._account = account
        self.source = source

    @property
    def address(self) -> ChecksumAddress:
        return ChecksumAddress(self._account.address)

    def derive_secret(self, purpose: bytes) -> bytes:
        """A 32-byte secret for ``purpose``, derived one-way from the private key
        (HKDF-SHA256): the same account always gets the same secret, and the secret reveals
        nothing of the key. flchain derives its X25519 keys and round keys this way."""
        return HKDF(
            algorithm=hashes.SHA256(), length=32, salt=b"flchain derived secret v1", info=purpose
        ).derive(bytes(self._account.key))

    def sign_transaction(self, transaction: Mapping[str, Any]) -> Any:
        """Sign a complete transaction dict; returns eth-account's SignedTransaction."""
        return self._account.sign_transaction(dict(transaction))

    def __repr__(self) -> str:
        return f"Signer(address={self.address}, source={self.source!r})"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("A Signer holds a private key and cannot be pickled.")


@cache
def _dev_account(index: int) -> Any:
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


def dev_signer(index: int, chain_id: int) -> Signer:
    """Anvil's dev account ``index``; refused unless ``chain_id`` is the devnet's 31337."""
    if chain_id != DEV_CHAIN_ID:
        raise AccountError(
            f"Dev account dev:{index} is a publicly known key, allowed only on the devnet "
            f"(chain {DEV_CHAIN_ID}); this is chain {chain_id}: use keystore:PATH or env:VAR."
        )
    if not 0 <= index < DEV_ACCOUNT_COUNT:
        raise AccountError(
            f"Dev account index {index} is outside 0..{DEV_ACCOUNT_COUNT - 1}; {_SPEC_HELP}."
        )
    return Signer(_dev_account(index), f"dev:{index}")


def _from_key(key: str, source: str) -> Signer:
    try:
        return Signer(Account.from_key(key.strip()), source)
    except Exception:  # any failure means the key is unusable
        # eth-account's message may echo the key: keep it out of the message and the chain.
        raise AccountError(
            f"The private key from {source} is not a 32-byte hex key; check the value."
        ) from None


def _keystore_password(path: Path, env: Mapping[str, str], password_file: Path | None) -> str:
    file = password_file or (
        Path(env[KEYSTORE_PASSWORD_FILE_ENV]) if env.get(KEYSTORE_PASSWORD_FILE_ENV) else None
    )
    if file is not None:
        try:
            return file.read_text().rstrip("\r\n")
        except OSError as exc:
            raise AccountError(f"Cannot read the keystore password file {file}: {exc}.") from exc
    if KEYSTORE_PASSWORD_ENV in env:
        return env[KEYSTORE_PASSWORD_ENV]
    raise AccountError(
        f"No password for keystore {path}: set ${KEYSTORE_PASSWORD_ENV}, or give a password "
        f"file (${KEYSTORE_PASSWORD_FILE_ENV})."
    )


def _keystore_signer(path: Path, env: Mapping[str, str], password_file: Path | None) -> Signer:
    try:
        keyfile = json.loads(path.read_text())
    except OSError as exc:
        raise AccountError(f"Cannot read keystore {path}: {exc}.") from exc
    except ValueError as exc:
        raise AccountError(f"Keystore {path} is not JSON: {exc}.") from exc
    password = _keystore_password(path, env, password_file)
    try:
        key = Account.decrypt(keyfile, password)
    except ValueError as exc:
        raise AccountError(
            f"Cannot decrypt keystore {path}: {exc}; check the password and the file."
        ) from exc
    return Signer(Account.from_key(key), f"keystore:{path}")


def load_signer(
    spec: str | AccountSpec,
    *,
    chain_id: int,
    env: Mapping[str, str] | None = None,
    password_file: Path | None = None,
) -> Signer:
    """The signer a spec names, for a chain with ``chain_id`` (dev keys need 31337)."""
    parsed = parse_account_spec(spec) if isinstance(spec, str) else spec
    environ: Mapping[str, str] = os.environ if env is None else env
    if parsed.kind == "dev":
        signer = dev_signer(int(parsed.value), chain_id)
    elif parsed.kind == "keystore":
        signer = _keystore_signer(Path(parsed.value), environ, password_file)
    else:
        key = environ.get(parsed.value)
        if not key:
            raise AccountError(
                f"${parsed.value} is unset or empty; export the account's hex private key "
                f"in it, or use another --account ({_SPEC_HELP})."
            )
        signer = _from_key(key, f"env:{parsed.value}")
    logger.debug("Loaded signer %s", signer)
    return signer
