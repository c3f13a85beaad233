"""Revert data decoding from raw bytes and from web3's exception types."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi.abi import encode
from eth_utils.crypto import keccak
from web3.exceptions import ContractCustomError, ContractLogicError, Web3RPCError

from flchain.chain.revert import (
    ERROR_SELECTOR,
    PANIC_SELECTOR,
    RevertDecoder,
    decode_revert,
    revert_data_from_exception,
)

ABI: list[dict[str, Any]] = [
    {
        "type": "error",
        "name": "TaskNotFound",
        "inputs": [{"name": "taskId", "type": "uint256"}],
    },
    {
        "type": "error",
        "name": "NotMember",
        "inputs": [
            {"name": "account", "type": "address"},
            {"name": "", "type": "bytes32"},
            {"name": "ids", "type": "uint64[]"},
        ],
    },
    {"type": "function", "name": "x", "inputs": [], "outputs": []},
]
ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def _selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def test_decode_names_error_and_args_when_selector_is_in_abi() -> None:
    data = _selector("TaskNotFound(uint256)") + encode(["uint256"], [7])

    error = decode_revert(data, ABI, "FLCoordinator")

    assert str(error) == "FLCoordinator rejected the call: TaskNotFound(taskId=7)"
    assert error.error_name == "TaskNotFound"
    assert error.error_args == {"taskId": 7}


def test_decode_checksums_addresses_and_names_unnamed_args_when_types_vary() -> None:
    data = _selector("NotMember(address,bytes32,uint64[])") + encode(
        ["address", "bytes32", "uint64[]"], [ACCOUNT, b"\x02" * 32, [1, 2]]
    )

    error = RevertDecoder(ABI, "Registry").decode("0x" + data.hex())

    assert error.error_args == {"account": ACCOUNT, "arg1": b"\x02" * 32, "ids": [1, 2]}
    assert f"NotMember(account={ACCOUNT}, arg1=0x{'02' * 32}, ids=[1, 2])" in str(error)


def test_decode_quotes_reason_when_error_string() -> None:
    error = decode_revert(ERROR_SELECTOR + encode(["string"], ["stake too low"]), ABI, "C")

    assert str(error) == 'C rejected the call: "stake too low"'
    assert (error.error_name, error.error_args) == ("Error", {"message": "stake too low"})


@pytest.mark.parametrize(
    ("code", "reason"),
    [(0x11, "arithmetic overflow or underflow"), (0x32, "array index out of bounds")],
)
def test_decode_explains_panic_when_code_is_known(code: int, reason: str) -> None:
    error = decode_revert(PANIC_SELECTOR + encode(["uint256"], [code]), ABI, "C")

    assert str(error) == f"C rejected the call: Panic(0x{code:02x}): {reason}"
    assert error.error_args == {"code": code, "reason": reason}


def test_decode_says_unknown_code_when_panic_code_is_new() -> None:
    error = decode_revert(PANIC_SELECTOR + encode(["uint256"], [0x99]), ABI, "C")

    assert "Panic(0x99): unknown panic code" in str(error)


def test_decode_says_no_reason_when_data_is_empty() -> None:
    error = decode_revert(b"", ABI, "C")

    assert str(error) == "C rejected the call without a reason (empty revert data)"
    assert error.error_name == ""


def test_decode_shows_selector_when_error_is_not_in_abi() -> None:
    data = _selector("Other(uint256)") + encode(["uint256"], [1])

    error = decode_revert(data, ABI, "C")

    assert f"unknown error 0x{data[:4].hex()}" in str(error)
    assert error.error_args == {"data": data}


def test_decode_says_malformed_when_args_do_not_decode() -> None:
    error = decode_revert(_selector("TaskNotFound(uint256)") + b"\x01", ABI, "C")

    assert "malformed revert data" in str(error)


def test_data_is_read_from_contract_custom_error_when_web3_raises_it() -> None:
    data = _selector("TaskNotFound(uint256)") + encode(["uint256"], [3])
    exc = ContractCustomError("0x" + data.hex(), data="0x" + data.hex())

    assert revert_data_from_exception(exc) == data


def test_data_is_empty_when_logic_error_has_none() -> None:
    assert revert_data_from_exception(ContractLogicError("execution reverted", data=None)) == b""


def test_data_is_read_from_rpc_error_object_when_node_nests_it() -> None:
    data = ERROR_SELECTOR + encode(["string"], ["no"])
    response: Any = {
        "error": {"code": 3, "message": "reverted", "data": {"data": "0x" + data.hex()}}
    }

    assert revert_data_from_exception(Web3RPCError("reverted", rpc_response=response)) == data


def test_no_revert_is_found_when_rpc_error_is_something_else() -> None:
    response: Any = {"error": {"code": -32000, "message": "insufficient funds for gas"}}

    assert RevertDecoder(ABI).from_exception(Web3RPCError("x", rpc_response=response)) is None
