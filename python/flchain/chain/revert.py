"""Revert data -> :class:`ContractRevertError` with the error's name and decoded arguments.

Revert data is a 4-byte selector plus ABI-encoded arguments: a custom error of the given
ABI (looked up by selector), ``Error(string)`` from ``require``/``revert("...")``, or
``Panic(uint256)`` from a failed ``assert``, an overflow, a division by zero, etc.
The ABI may be the concatenation of several contracts' ABIs, so errors raised by a
called contract (a token, say) decode too.

web3.py 8 reports a revert during ``eth_call``/``eth_estimateGas`` as
``ContractLogicError`` (``ContractCustomError``/``ContractPanicError`` subclasses) with
the data in ``.data``; other nodes answer a ``Web3RPCError`` carrying the data in the
JSON-RPC error object. :func:`revert_data_from_exception` reads both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from eth_abi.abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_utils.abi import collapse_if_tuple, function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address
from web3.exceptions import ContractLogicError, Web3Exception, Web3RPCError

from flchain.errors import ChainError, ChainUnavailableError, ContractRevertError

__all__ = [
    "ERROR_SELECTOR",
    "PANIC_REASONS",
    "PANIC_SELECTOR",
    "RevertDecoder",
    "decode_revert",
    "guarded_read",
    "revert_data_from_exception",
]

T = TypeVar("T")

ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)

#: Solidity's panic codes (https://docs.soliditylang.org/en/latest/control-structures.html).
PANIC_REASONS: Mapping[int, str] = {
    0x00: "generic compiler-inserted panic",
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "value out of range for the enum",
    0x22: "storage byte array incorrectly encoded",
    0x31: "pop() on an empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory (allocation too large)",
    0x51: "call to a zero-initialized internal function",
}

ABI = Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class _ErrorSpec:
    name: str
    types: tuple[str, ...]
    arg_names: tuple[str, ...]


def _error_specs(abi: ABI) -> dict[bytes, _ErrorSpec]:
    specs: dict[bytes, _ErrorSpec] = {}
    for item in abi:
        if item.get("type") != "error":
            continue
        inputs = item.get("inputs", [])
        types = tuple(collapse_if_tuple(dict(arg)) for arg in inputs)
        names = tuple(arg.get("name") or f"arg{i}" for i, arg in enumerate(inputs))
        selector = function_signature_to_4byte_selector(f"{item['name']}({','.join(types)})")
        specs[selector] = _ErrorSpec(str(item["name"]), types, names)
    return specs


def _plain(value: object, abi_type: str) -> object:
    """Decoded ABI value -> what callers see: checksummed addresses, lists for arrays."""
    if abi_type == "address" and isinstance(value, str):
        return to_checksum_address(value)
    if abi_type.endswith("]") and isinstance(value, tuple | list):
        inner = abi_type[: abi_type.rindex("[")]
        return [_plain(item, inner) for item in value]
    return value


def _show(value: object) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        inner = ", ".join(_show(item) for item in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, str) and not value.startswith("0x"):
        return repr(value)
    return str(value)


def _to_bytes(data: bytes | str | None) -> bytes:
    if data is None:
        return b""
    if isinstance(data, bytes):
        return data
    text = data.removeprefix("Reverted ").strip()
    return bytes.fromhex(text.removeprefix("0x"))


class RevertDecoder:
    """Decodes revert data against an ABI; ``contract_name`` opens every message."""

    def __init__(self, abi: ABI = (), contract_name: str = "The contract") -> None:
        self.contract_name = contract_name
        self._specs = _error_specs(abi)

    def _error(
        self, detail: str, name: str = "", args: dict[str, object] | None = None
    ) -> ContractRevertError:
        return ContractRevertError(f"{self.contract_name} rejected the call{detail}", name, args)

    def decode(self, data: bytes | str | None) -> ContractRevertError:
        """The error that ``data`` (raw bytes or 0x-hex) encodes."""
        raw = _to_bytes(data)
        selector, payload = raw[:4], raw[4:]
        if not raw:
            return self._error(" without a reason (empty revert data)")
        try:
            if selector == ERROR_SELECTOR:
                (reason,) = abi_decode(["string"], payload)
                return self._error(f': "{reason}"', "Error", {"message": reason})
            if selector == PANIC_SELECTOR:
                (code,) = abi_decode(["uint256"], payload)
                reason = PANIC_REASONS.get(code, "unknown panic code")
                args = {"code": code, "reason": reason}
                return self._error(f": Panic(0x{code:02x}): {reason}", "Panic", args)
            spec = self._specs.get(selector)
            if spec is not None:
                values = abi_decode(list(spec.types), payload)
                args = {
                    n: _plain(v, t)
                    for n, v, t in zip(spec.arg_names, values, spec.types, strict=True)
                }
                shown = ", ".join(f"{n}={_show(v)}" for n, v in args.items())
                return self._error(f": {spec.name}({shown})", spec.name, args)
        except (DecodingError, ValueError, OverflowError):
            return self._error(
                f" with malformed revert data 0x{raw.hex()} (selector 0x{selector.hex()})"
            )
        return self._error(
            f" with an unknown error 0x{selector.hex()} ({len(raw)} bytes of data); decode it "
            "with the ABI of the contract that raised it (possibly one it called)",
            args={"data": raw},
        )

    def from_exception(self, exc: BaseException) -> ContractRevertError | None:
        """The decoded revert if ``exc`` reports one, else None (a non-revert failure)."""
        data = revert_data_from_exception(exc)
        if data is None:
            return None
        return self.decode(data)


def decode_revert(
    data: bytes | str | None, abi: ABI = (), contract_name: str = "The contract"
) -> ContractRevertError:
    """Shorthand for ``RevertDecoder(abi, contract_name).decode(data)``."""
    return RevertDecoder(abi, contract_name).decode(data)


def _data_field(value: object) -> bytes | None:
    """Revert data from a JSON-RPC ``error.data``: a hex string or ``{"data": "0x..."}``."""
    if isinstance(value, Mapping):
        value = value.get("data")
    if isinstance(value, bytes):
        return value
    if isinstance(value, str) and (value.startswith("0x") or value.startswith("Reverted 0x")):
        try:
            return _to_bytes(value)
        except ValueError:
            return None
    return None


def revert_data_from_exception(exc: BaseException) -> bytes | None:
    """The revert data a web3 exception carries; ``b""`` for a revert without data;
    None if the exception is not a revert."""
    if isinstance(exc, ContractLogicError):
        return _data_field(exc.data) or b""
    if isinstance(exc, Web3RPCError):
        error = (exc.rpc_response or {}).get("error")
        if isinstance(error, Mapping):
            data = _data_field(error.get("data"))
            message = str(error.get("message", "")).lower()
            if data is not None:
                return data
            if "revert" in message:
                return b""
    return None


def guarded_read(fn: Callable[[], T], decoder: RevertDecoder, what: str) -> T:
    """Run a contract read (``fn``), mapping its failures to flchain errors: a node that does
    not answer becomes ChainUnavailableError, a revert its decoded ContractRevertError, any
    other web3 failure a ChainError. ``what`` names the read in messages ("reading the task")."""
    try:
        return fn()
    except (requests.RequestException, OSError) as exc:
        raise ChainUnavailableError(
            f"The node stopped answering ({type(exc).__name__}) while {what}; check that it "
            "runs (`flchain devnet status`)."
        ) from exc
    except Web3Exception as exc:
        decoded = decoder.from_exception(exc)
        if decoded is not None:
            raise decoded from exc
        raise ChainError(f"{what[:1].upper()}{what[1:]} failed: {exc}") from exc
