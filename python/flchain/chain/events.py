"""Read and decode event logs: paged over block ranges, resumable, decoded with an ABI.

:class:`LogPager` asks ``eth_getLogs`` for at most ``max_range`` blocks at a time and
halves the range when the node answers that a query is too large (providers cap results
or ranges, with wording of their own). Its :attr:`LogPager.next_block` cursor is the
first block not yet fully read: a reader that stops can resume from it later. Delivery is
at-least-once: stopping in the middle of a range re-reads that range on resume; records
are unique by ``(block_number, log_index)``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import requests
from eth_abi.abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_typing import HexStr
from eth_utils.abi import collapse_if_tuple, event_abi_to_log_topic
from eth_utils.address import to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import Web3Exception, Web3RPCError
from web3.types import FilterParams, LogReceipt

from flchain.errors import ChainError, ChainUnavailableError

__all__ = [
    "DEFAULT_MAX_BLOCK_RANGE",
    "EventDecoder",
    "EventRecord",
    "LogPager",
    "decode_logs",
]

logger = logging.getLogger(__name__)

DEFAULT_MAX_BLOCK_RANGE = 2_000
# How providers say "this query is too large" (Alchemy, Infura, geth, Erigon, Anvil...).
_TOO_LARGE_HINTS = ("too many", "more than", "limit", "range", "exceed", "response size")
_DYNAMIC_SUFFIXES = ("]", ")")


@dataclass(frozen=True)
class EventRecord:
    """One decoded event log."""

    event: str
    args: Mapping[str, Any]
    address: str
    block_number: int
    log_index: int
    tx_hash: HexStr
    block_hash: str


@dataclass(frozen=True)
class _EventSpec:
    name: str
    inputs: tuple[tuple[str, str, bool], ...]  # (name, canonical type, indexed)


def _plain(value: Any, abi_type: str) -> Any:
    if abi_type == "address" and isinstance(value, str):
        return to_checksum_address(value)
    return value


def _is_hashed_when_indexed(abi_type: str) -> bool:
    """Indexed strings, bytes, arrays and tuples appear in topics as their keccak hash."""
    return abi_type in ("string", "bytes") or abi_type.endswith(_DYNAMIC_SUFFIXES)


class EventDecoder:
    """Decodes logs of the (non-anonymous) events of an ABI; other logs are skipped."""

    def __init__(self, abi: Sequence[Mapping[str, Any]], names: Iterable[str] | None = None):
        wanted = set(names) if names is not None else None
        self._specs: dict[bytes, _EventSpec] = {}
        for item in abi:
            if item.get("type") != "event" or item.get("anonymous"):
                continue
            if wanted is not None and item["name"] not in wanted:
                continue
            inputs = tuple(
                (arg.get("name") or f"arg{i}", collapse_if_tuple(dict(arg)), bool(arg["indexed"]))
                for i, arg in enumerate(item.get("inputs", []))
            )
            topic = event_abi_to_log_topic(dict(item))  # type: ignore[arg-type]
            self._specs[topic] = _EventSpec(item["name"], inputs)
        missing = (wanted or set()) - {spec.name for spec in self._specs.values()}
        if missing:
            raise ValueError(f"Events not in the ABI: {', '.join(sorted(missing))}")

    @property
    def topics(self) -> list[str]:
        """The topic-0 hashes of the decodable events (an ``eth_getLogs`` filter)."""
        return ["0x" + topic.hex() for topic in self._specs]

    def decode(self, log: Mapping[str, Any]) -> EventRecord | None:
        """The decoded record, or None if the log is not one of the ABI's events."""
        topics = [HexBytes(t) for t in log["topics"]]
        spec = self._specs.get(bytes(topics[0])) if topics else None
        if spec is None:
            return None
        body = [(n, t) for n, t, indexed in spec.inputs if not indexed]
        indexed = [(n, t) for n, t, is_indexed in spec.inputs if is_indexed]
        try:
            decoded = abi_decode([t for _, t in body], HexBytes(log["data"]))
            values = dict(zip([n for n, _ in body], decoded, strict=True))
            for (name, abi_type), topic in zip(indexed, topics[1:], strict=True):
                hashed = _is_hashed_when_indexed(abi_type)
                values[name] = bytes(topic) if hashed else abi_decode([abi_type], topic)[0]
        except (DecodingError, ValueError) as exc:
            raise ChainError(
                f"Log {log.get('logIndex')} in block {log.get('blockNumber')} does not decode "
                f"as {spec.name}: {exc}; is the ABI the deployed contract's?"
            ) from exc
        args = {name: _plain(values[name], abi_type) for name, abi_type, _ in spec.inputs}
        return EventRecord(
            event=spec.name,
            args=args,
            address=to_checksum_address(log["address"]),
            block_number=int(log["blockNumber"]),
            log_index=int(log["logIndex"]),
            tx_hash=HexStr(HexBytes(log["transactionHash"]).to_0x_hex()),
            block_hash=HexBytes(log["blockHash"]).to_0x_hex(),
        )


def decode_logs(
    abi: Sequence[Mapping[str, Any]], logs: Iterable[Mapping[str, Any]]
) -> list[EventRecord]:
    """Decode the logs of a receipt (``TxResult.logs``); logs of other events are skipped."""
    decoder = EventDecoder(abi)
    return [record for log in logs if (record := decoder.decode(log)) is not None]


def _too_large(exc: Exception) -> bool:
    if isinstance(exc, requests.Timeout):
        return True
    message = str(exc).lower()
    if isinstance(exc, Web3RPCError) and isinstance(exc.rpc_response, Mapping):
        error = exc.rpc_response.get("error")
        if isinstance(error, Mapping):
            message = f"{error.get('code')} {error.get('message')}".lower()
            if error.get("code") == -32005:
                return True
    return any(hint in message for hint in _TOO_LARGE_HINTS)


class LogPager:
    """Iterates decoded events of ``address`` from ``from_block`` to ``to_block`` in pages.

    ``to_block=None`` means the head when iteration starts. ``events`` restricts to some
    event names; ``extra_topics`` filters indexed arguments (topic positions 1..3).
    """

    def __init__(
        self,
        w3: Web3,
        abi: Sequence[Mapping[str, Any]],
        *,
        address: str | Sequence[str] | None,
        from_block: int = 0,
        to_block: int | None = None,
        events: Iterable[str] | None = None,
        extra_topics: Sequence[str | list[str] | None] = (),
        max_range: int = DEFAULT_MAX_BLOCK_RANGE,
    ) -> None:
        if max_range < 1:
            raise ValueError(f"max_range must be >= 1, got {max_range}")
        self._w3 = w3
        self._decoder = EventDecoder(abi, events)
        self._address = address
        self._extra_topics = list(extra_topics)
        self.next_block = from_block
        self.to_block = to_block
        self.chunk = max_range

    def _filter(self, start: int, end: int) -> FilterParams:
        params: dict[str, Any] = {
            "fromBlock": start,
            "toBlock": end,
            "topics": [self._decoder.topics, *self._extra_topics],
        }
        if self._address is not None:
            addresses = [self._address] if isinstance(self._address, str) else self._address
            params["address"] = [to_checksum_address(a) for a in addresses]
        return params  # type: ignore[return-value]

    def _fetch(self, start: int, end: int) -> list[LogReceipt] | None:
        """The logs of [start, end], or None if the node says the range is too large."""
        try:
            return list(self._w3.eth.get_logs(self._filter(start, end)))
        except (Web3Exception, requests.RequestException) as exc:
            if _too_large(exc) and end > start:
                return None
            if isinstance(exc, requests.ConnectionError):
                raise ChainUnavailableError(
                    f"eth_getLogs for blocks {start}..{end} failed: the node does not answer."
                ) from exc
            raise ChainError(
                f"eth_getLogs for blocks {start}..{end} failed: {exc}; resume from block {start}."
            ) from exc

    def __iter__(self) -> Iterator[EventRecord]:
        if self.to_block is None:
            try:
                self.to_block = int(self._w3.eth.block_number)
            except (Web3Exception, requests.RequestException) as exc:
                raise ChainUnavailableError(f"Reading the head block failed: {exc}.") from exc
        while self.next_block <= self.to_block:
            start = self.next_block
            end = min(start + self.chunk - 1, self.to_block)
            logs = self._fetch(start, end)
            if logs is None:
                self.chunk = max(1, (end - start + 1) // 2)
                logger.debug("Log range %s..%s too large; trying %s blocks", start, end, self.chunk)
                continue
            for log in sorted(logs, key=lambda entry: (entry["blockNumber"], entry["logIndex"])):
                record = self._decoder.decode(log)
                if record is not None:
                    yield record
            self.next_block = end + 1
