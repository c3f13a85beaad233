"""A read-only JSON-RPC client over the standard library, for commands that only read.

web3 takes about a second to import (eth_account, py_ecc); a command such as
``flchain registry tasks`` that makes a handful of ``eth_call`` reads does not need it.
:class:`RpcReader` speaks plain JSON-RPC over HTTP and maps failures to the same errors as
:func:`flchain.chain.connection.connect`.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any

from flchain.chain.endpoint import START_HINT, Endpoint
from flchain.errors import ChainError, ChainUnavailableError, WrongChainError

__all__ = ["RpcReader"]

logger = logging.getLogger(__name__)


class RpcReader:
    """Reads from the node at ``endpoint``: chain id, block 0, code and ``eth_call``."""

    def __init__(self, endpoint: Endpoint, timeout: float = 30.0) -> None:
        self.endpoint = endpoint
        self._timeout = timeout
        self._ids = 0

    def request(self, method: str, params: list[Any]) -> Any:
        """The result of one JSON-RPC call; ChainUnavailableError if nothing answers,
        ChainError if the node answers with an error."""
        self._ids += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self._ids, "method": method, "params": params})
        request = urllib.request.Request(
            self.endpoint.url, data=body.encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                reply = json.loads(response.read())
        except (OSError, ValueError) as exc:  # URLError, refused, timeout, not JSON
            raise ChainUnavailableError(
                f"No Ethereum node answers at {self.endpoint.shown} (from {self.endpoint.source}): "
                f"{type(exc).__name__}; {START_HINT}."
            ) from exc
        if not isinstance(reply, dict) or "error" in reply:
            error = reply.get("error") if isinstance(reply, dict) else reply
            raise ChainError(f"{method} at {self.endpoint.shown} failed: {error}")
        return reply.get("result")

    def chain_id(self) -> int:
        """The node's chain id, checked against the endpoint's expected one."""
        chain_id = int(self.request("eth_chainId", []), 16)
        expected = self.endpoint.expected_chain_id
        if expected is not None and chain_id != expected:
            raise WrongChainError(
                f"The node at {self.endpoint.shown} is chain {chain_id}, not the expected chain "
                f"{expected}; pass the RPC URL of chain {expected}."
            )
        return chain_id

    def genesis_hash(self) -> str:
        """The 0x-hex hash of block 0 (see :func:`flchain.chain.connection.genesis_hash`)."""
        block = self.request("eth_getBlockByNumber", ["0x0", False])
        if not isinstance(block, dict) or "hash" not in block:
            raise ChainUnavailableError(
                f"The node at {self.endpoint.shown} does not serve block 0; is it an archive of "
                "this chain?"
            )
        return str(block["hash"]).lower()

    def has_code(self, address: str) -> bool:
        """Whether a contract is deployed at ``address`` (latest block)."""
        code = self.request("eth_getCode", [address, "latest"])
        return isinstance(code, str) and len(code) > 2

    def call(self, to: str, data: bytes) -> bytes:
        """The return data of ``eth_call`` of ``data`` on ``to`` at the latest block."""
        result = self.request("eth_call", [{"to": to, "data": "0x" + data.hex()}, "latest"])
        return bytes.fromhex(str(result).removeprefix("0x"))
