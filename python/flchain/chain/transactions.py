"""Send transactions: EIP-1559 fees, shared nonces, revert decoding, receipts with a timeout.

:class:`TxSender` estimates gas first: an estimate that reverts means the transaction
would revert, so it raises :class:`ContractRevertError` (decoded) and sends nothing. A
mined transaction with status 0 is replayed as a call at its block to recover the reason.

Only idempotent operations are retried after a transient RPC failure: reads (by the
provider, see :mod:`flchain.chain.connection`) and re-delivering the *same* signed bytes
(same hash), after asking the node whether it already has that hash. A different
transaction is built only when the node refused the previous one outright.

Threads, not AsyncWeb3: one process may run many participants that train (blocking,
CPU-bound torch code) and submit concurrently. The rest of flchain is synchronous code;
threads let each participant block on its own RPC calls without making every layer
async, and the GIL is released while waiting on the network. The per-account nonce lock
(:mod:`flchain.chain.nonces`) makes concurrent submission safe; its only cost is that
sends *for one account* are serialized, which they must be anyway to keep nonces gapless.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from eth_typing import ChecksumAddress, HexStr
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import TransactionNotFound, Web3Exception, Web3RPCError
from web3.types import LogReceipt, TxParams, TxReceipt, Wei

from flchain.chain.accounts import Signer
from flchain.chain.nonces import account_nonces
from flchain.chain.revert import RevertDecoder
from flchain.errors import (
    ChainError,
    ChainUnavailableError,
    ContractRevertError,
    TransactionError,
    TransactionTimeoutError,
)

__all__ = [
    "DEFAULT_GAS_MARGIN",
    "DEFAULT_RECEIPT_TIMEOUT",
    "PendingTx",
    "TxRequest",
    "TxResult",
    "TxSender",
]

logger = logging.getLogger(__name__)

DEFAULT_RECEIPT_TIMEOUT = 120.0
#: Gas limit = estimate x margin: state may change between estimate and inclusion.
DEFAULT_GAS_MARGIN = 1.2
_SEND_ATTEMPTS = 3
_NONCE_RESYNCS = 3
_TRANSIENT = (requests.ConnectionError, requests.Timeout, ConnectionError, TimeoutError)


@dataclass(frozen=True)
class TxRequest:
    """What to send: ``to=None`` creates a contract. ``gas=None`` estimates it (and refuses
    a call that would revert); ``decoder`` names the contract and knows its errors."""

    to: ChecksumAddress | None
    data: bytes
    value: int = 0
    gas: int | None = None
    decoder: RevertDecoder = field(default_factory=RevertDecoder, compare=False)
    label: str = "transaction"


@dataclass(frozen=True)
class PendingTx:
    """A transaction the node accepted, not yet known to be mined."""

    tx_hash: HexStr
    sender: ChecksumAddress
    nonce: int
    gas: int
    request: TxRequest


@dataclass(frozen=True)
class TxResult:
    """A mined, successful transaction."""

    tx_hash: HexStr
    block_number: int
    gas_used: int
    status: int
    logs: tuple[LogReceipt, ...]
    contract_address: ChecksumAddress | None = None


class _NonceConflictError(Exception):
    """The node refused our nonce (too low / replaced) and does not have our transaction."""


@contextmanager
def _rpc_errors(action: str) -> Iterator[None]:
    """Translate web3/requests failures of ``action`` into flchain errors."""
    try:
        yield
    except _TRANSIENT as exc:
        raise ChainUnavailableError(f"{action} failed: the node does not answer ({exc}).") from exc
    except Web3Exception as exc:
        raise ChainError(f"{action} failed: {exc}.") from exc


def _rpc_message(exc: Web3RPCError) -> str:
    error = (exc.rpc_response or {}).get("error")
    return str(error.get("message", exc)) if isinstance(error, Mapping) else str(exc)


class TxSender:
    """Signs and sends transactions for one account; safe to share between threads."""

    def __init__(
        self,
        w3: Web3,
        signer: Signer,
        *,
        receipt_timeout: float = DEFAULT_RECEIPT_TIMEOUT,
        poll_interval: float = 0.05,
        gas_margin: float = DEFAULT_GAS_MARGIN,
    ) -> None:
        self.w3 = w3
        self.signer = signer
        self.receipt_timeout = receipt_timeout
        self.poll_interval = poll_interval
        self.gas_margin = gas_margin
        with _rpc_errors("Reading the chain id"):
            self.chain_id = int(w3.eth.chain_id)
        self._nonces = account_nonces(w3, signer.address)

    @property
    def address(self) -> ChecksumAddress:
        return self.signer.address

    def __repr__(self) -> str:
        return f"TxSender(address={self.address}, chain_id={self.chain_id})"

    # -- building requests ---------------------------------------------------------

    @staticmethod
    def request_for(
        fn: ContractFunction,
        *,
        value: int = 0,
        gas: int | None = None,
        abi: Sequence[Mapping[str, Any]] | None = None,
        contract_name: str | None = None,
    ) -> TxRequest:
        """A request calling a bound contract function (``contract.functions.f(1)``)."""
        name = contract_name or f"Contract {fn.address}"
        decoder = RevertDecoder(abi if abi is not None else fn.contract_abi or (), name)
        data = HexBytes(fn._encode_transaction_data())
        return TxRequest(fn.address, bytes(data), value, gas, decoder, f"{name}.{fn.fn_name}")

    def transact(self, fn: ContractFunction, **kwargs: Any) -> TxResult:
        """Send a contract function call and wait for it; see :meth:`request_for`."""
        return self.send(self.request_for(fn, **kwargs))

    def deploy(
        self,
        abi: Sequence[Mapping[str, Any]],
        bytecode: str | bytes,
        *args: Any,
        value: int = 0,
        gas: int | None = None,
        contract_name: str = "The new contract",
    ) -> TxResult:
        """Deploy a contract; the result's ``contract_address`` is where it lives."""
        factory = self.w3.eth.contract(abi=list(abi), bytecode=HexBytes(bytecode))
        data = HexBytes(factory.constructor(*args).data_in_transaction)
        decoder = RevertDecoder(abi, contract_name)
        request = TxRequest(None, bytes(data), value, gas, decoder, f"deploy {contract_name}")
        return self.send(request)

    # -- sending ------------------------------------------------------------------

    def send(self, request: TxRequest, timeout: float | None = None) -> TxResult:
        """Submit and wait for the receipt."""
        return self.wait(self.submit(request), timeout)

    def submit(self, request: TxRequest) -> PendingTx:
        """Estimate, sign and hand the transaction to the node; do not wait for mining."""
        fees = self._fees()
        gas = request.gas if request.gas is not None else self._estimate(request)
        with self._nonces.lock:
            for _ in range(_NONCE_RESYNCS):
                nonce = self._nonces.next_nonce()
                tx: TxParams = {
                    "chainId": self.chain_id,
                    "nonce": nonce,
                    "from": self.address,
                    "data": HexBytes(request.data),
                    "value": request.value,
                    "gas": gas,
                    **fees,  # type: ignore[typeddict-item]
                }
                if request.to is not None:
                    tx["to"] = request.to
                signed = self.signer.sign_transaction(tx)
                try:
                    tx_hash = self._deliver(signed)
                except _NonceConflictError:
                    logger.debug("Nonce %s of %s is taken; resyncing", nonce, self.address)
                    self._nonces.invalidate()
                    continue
                self._nonces.mark_used(nonce)
                logger.info("Sent %s: tx %s (nonce %s)", request.label, tx_hash, nonce)
                return PendingTx(tx_hash, self.address, nonce, gas, request)
        raise TransactionError(
            f"The node refused {_NONCE_RESYNCS} nonces in a row for {self.address}; another "
            "sender is using this account: give each process its own account."
        )

    def _fees(self) -> dict[str, int]:
        with _rpc_errors("Reading gas fees"):
            base = self.w3.eth.get_block("latest").get("baseFeePerGas")
            if base is None:  # a pre-London chain: legacy gas price
                return {"gasPrice": int(self.w3.eth.gas_price)}
            tip = int(self.w3.eth.max_priority_fee)
        return {"maxPriorityFeePerGas": tip, "maxFeePerGas": 2 * int(base) + tip}

    def _estimate(self, request: TxRequest) -> int:
        call: TxParams = {"from": self.address, "data": HexBytes(request.data)}
        call["value"] = Wei(request.value)
        if request.to is not None:
            call["to"] = request.to
        try:
            estimate = self.w3.eth.estimate_gas(call)
        except Web3Exception as exc:
            reverted = request.decoder.from_exception(exc)
            if reverted is not None:
                raise reverted from exc
            raise TransactionError(f"Estimating gas for {request.label} failed: {exc}.") from exc
        except _TRANSIENT as exc:
            raise ChainUnavailableError(
                f"Estimating gas for {request.label} failed: the node does not answer ({exc})."
            ) from exc
        return int(estimate * self.gas_margin)

    def _known(self, tx_hash: HexBytes) -> bool:
        try:
            self.w3.eth.get_transaction(tx_hash)
        except (TransactionNotFound, *_TRANSIENT):
            return False
        return True

    def _deliver(self, signed: Any) -> HexStr:
        """``eth_sendRawTransaction``, re-delivering the same bytes after transient failures."""
        tx_hash = HexBytes(signed.hash)
        for attempt in range(_SEND_ATTEMPTS):
            try:
                self.w3.eth.send_raw_transaction(signed.raw_transaction)
                return HexStr(tx_hash.to_0x_hex())
            except _TRANSIENT as exc:
                if self._known(tx_hash):
                    return HexStr(tx_hash.to_0x_hex())
                logger.debug(
                    "Sending %s failed (%s); attempt %s", tx_hash.to_0x_hex(), exc, attempt
                )
                time.sleep(0.2 * 2**attempt)
            except Web3RPCError as exc:
                message = _rpc_message(exc)
                lowered = message.lower()
                if "already known" in lowered or self._known(tx_hash):
                    return HexStr(tx_hash.to_0x_hex())
                if "nonce too low" in lowered or "replacement transaction" in lowered:
                    raise _NonceConflictError(message) from exc
                self._nonces.invalidate()
                raise TransactionError(
                    f"The node refused the transaction from {self.address}: {message}."
                ) from exc
        self._nonces.invalidate()
        raise ChainUnavailableError(
            f"Could not deliver transaction {tx_hash.to_0x_hex()} after {_SEND_ATTEMPTS} "
            "attempts and the node does not know it; nothing was sent twice. Check the node."
        )

    # -- waiting ------------------------------------------------------------------

    def wait(self, pending: PendingTx, timeout: float | None = None) -> TxResult:
        """Wait for the receipt; raise ContractRevertError/TransactionError on status 0."""
        limit = self.receipt_timeout if timeout is None else timeout
        receipt = self._poll_receipt(pending, limit)
        if receipt["status"] != 1:
            raise self._failure(pending, receipt)
        address = receipt.get("contractAddress")
        return TxResult(
            tx_hash=pending.tx_hash,
            block_number=int(receipt["blockNumber"]),
            gas_used=int(receipt["gasUsed"]),
            status=int(receipt["status"]),
            logs=tuple(receipt["logs"]),
            contract_address=Web3.to_checksum_address(address) if address else None,
        )

    def _poll_receipt(self, pending: PendingTx, limit: float) -> TxReceipt:
        deadline = time.monotonic() + limit
        while True:
            with _rpc_errors(f"Reading the receipt of {pending.tx_hash}"):
                try:
                    return self.w3.eth.get_transaction_receipt(HexBytes(pending.tx_hash))
                except TransactionNotFound:
                    pass
            if time.monotonic() >= deadline:
                raise TransactionTimeoutError(
                    f"Transaction {pending.tx_hash} ({pending.request.label}, nonce "
                    f"{pending.nonce} from {pending.sender}) was not mined within {limit:g}s; "
                    "it may still be mined: wait for it again by hash, or check that the "
                    "node mines (a devnet started with --no-mining needs evm_mine)."
                )
            time.sleep(self.poll_interval)

    def _failure(self, pending: PendingTx, receipt: TxReceipt) -> TransactionError:
        """Why a mined transaction failed: replay it as a call at its block."""
        block = int(receipt["blockNumber"])
        where = f"transaction {pending.tx_hash}, block {block}"
        call: TxParams = {"from": pending.sender, "data": HexBytes(pending.request.data)}
        call["value"] = Wei(pending.request.value)
        call["gas"] = pending.gas
        if pending.request.to is not None:
            call["to"] = pending.request.to
        # The state *after* the block: it includes the transactions mined before this one
        # (often the reason for the revert); this one's own effects were rolled back.
        try:
            self.w3.eth.call(call, block_identifier=block)
        except Web3Exception as exc:
            reverted = pending.request.decoder.from_exception(exc)
            if reverted is not None:
                return ContractRevertError(
                    f"{reverted} ({where})", reverted.error_name, reverted.error_args
                )
            if "outofgas" in str(exc).lower().replace(" ", ""):  # "out of gas", "OutOfGas"
                return _out_of_gas(pending, where)
            return TransactionError(f"{pending.request.label} failed ({where}): {exc}.")
        except _TRANSIENT as exc:
            return TransactionError(
                f"{pending.request.label} failed ({where}); replaying it to find why failed: {exc}."
            )
        if int(receipt["gasUsed"]) >= pending.gas:
            return _out_of_gas(pending, where)
        return TransactionError(
            f"{pending.request.label} failed ({where}), but replaying it at that block "
            "succeeds: the reason cannot be recovered."
        )


def _out_of_gas(pending: PendingTx, where: str) -> TransactionError:
    return TransactionError(
        f"{pending.request.label} ran out of gas ({where}, limit {pending.gas}); give a "
        "higher gas limit, or none to let flchain estimate it."
    )
