"""Every custom error the contracts can raise decodes into a readable ContractRevertError.

The revert data is synthesized from the compiled ABIs, so adding an error to a contract
without it being decodable (an unnamed argument, a selector clash, a type the decoder does
not read) fails here, not in front of a user.
"""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi.abi import encode
from eth_utils.abi import collapse_if_tuple
from eth_utils.crypto import keccak

from flchain.chain.revert import RevertDecoder
from flchain.protocol.artifacts import load_artifact

CONTRACTS = ("FLCoordinator", "ModelRegistry")
#: What FLClient decodes reverts with: the coordinator's errors and those it may bubble up.
CLIENT_ABI: list[dict[str, Any]] = [
    item
    for name in (*CONTRACTS, "FLDevToken")
    for item in load_artifact(name, check_fresh=False).abi
]
ERRORS: list[tuple[str, dict[str, Any]]] = [
    (contract, item)
    for contract in CONTRACTS
    for item in load_artifact(contract, check_fresh=False).abi
    if item["type"] == "error"
]


def _sample(abi_type: str) -> object:
    """A value of ``abi_type`` (fails on a type this test does not know yet)."""
    if abi_type.startswith(("uint", "int")):
        return 3
    if abi_type == "address":
        return "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    if abi_type == "bytes32":
        return b"\x5a" * 32
    if abi_type == "string":
        return "minStake"
    if abi_type == "bool":
        return True
    raise AssertionError(f"No sample value for ABI type {abi_type}; extend _sample.")


def _revert_data(item: dict[str, Any]) -> bytes:
    types = [collapse_if_tuple(arg) for arg in item["inputs"]]
    selector = keccak(text=f"{item['name']}({','.join(types)})")[:4]
    return selector + encode(types, [_sample(t) for t in types])


def test_the_contracts_declare_the_errors_this_test_checks() -> None:
    names = {item["name"] for _, item in ERRORS}

    assert len(ERRORS) >= 30
    assert {"TaskNotFound", "RoundWrongPhase", "RevealMismatch", "RegistryModelNotFound"} <= names


@pytest.mark.parametrize(("contract", "error"), ERRORS, ids=[f"{c}.{e['name']}" for c, e in ERRORS])
def test_custom_error_decodes_with_its_name_and_named_arguments(
    contract: str, error: dict[str, Any]
) -> None:
    arg_names = [arg["name"] for arg in error["inputs"]]

    decoded = RevertDecoder(CLIENT_ABI, "FLCoordinator").decode(_revert_data(error))

    assert all(arg_names), (
        f"{contract}.{error['name']} has an unnamed argument; name it for messages"
    )
    assert decoded.error_name == error["name"]
    assert list(decoded.error_args) == arg_names
    message = str(decoded)
    assert f"{error['name']}(" in message
    for name in arg_names:
        assert f"{name}=" in message
