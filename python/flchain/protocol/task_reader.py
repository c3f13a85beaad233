"""The coordinator's task list read without web3: ``taskCount`` and ``getTask`` through
:class:`flchain.chain.rpc.RpcReader`, encoded and decoded with the contract's ABI.

It serves ``flchain registry tasks``, which must start fast; everything else reads through
:class:`flchain.protocol.client.FLClient`. A :class:`TaskReader` answers the same
``task_count()``/``task()``/``deployment`` as an FLClient, with the same values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from eth_abi.abi import decode, encode
from eth_typing import ABIFunction
from eth_utils.abi import collapse_if_tuple, function_abi_to_4byte_selector
from eth_utils.address import to_checksum_address

from flchain.chain.endpoint import resolve_endpoint
from flchain.chain.rpc import RpcReader
from flchain.errors import ArtifactError
from flchain.protocol.artifacts import load_artifact
from flchain.protocol.deployment import Deployment, recorded_deployment
from flchain.protocol.records import TaskId, TaskInfo

__all__ = ["TaskReader", "open_task_reader"]


def _checksummed(value: Any) -> Any:
    """Addresses as web3 returns them (checksummed), inside tuples too."""
    if isinstance(value, tuple):
        return tuple(_checksummed(item) for item in value)
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    return value


class TaskReader:
    """Tasks of one deployment, read over plain JSON-RPC."""

    def __init__(self, rpc: RpcReader, deployment: Deployment) -> None:
        self.rpc = rpc
        self.deployment = deployment
        self._functions = {
            entry["name"]: entry
            for entry in load_artifact("FLCoordinator").abi
            if entry.get("type") == "function"
        }

    def _read(self, name: str, *args: Any) -> tuple[Any, ...]:
        entry = self._functions.get(name)
        if entry is None:
            raise ArtifactError(f"FLCoordinator's ABI has no function {name}; rebuild it.")
        inputs = [collapse_if_tuple(item) for item in entry["inputs"]]
        outputs = [collapse_if_tuple(item) for item in entry["outputs"]]
        data = function_abi_to_4byte_selector(cast(ABIFunction, entry)) + encode(inputs, list(args))
        return tuple(
            _checksummed(decode(outputs, self.rpc.call(self.deployment.coordinator, data)))
        )

    def task_count(self) -> int:
        """Number of tasks (ids 1..task_count())."""
        return int(self._read("taskCount")[0])

    def task(self, task_id: TaskId) -> TaskInfo:
        """The task ``task_id`` (which must exist)."""
        return TaskInfo.from_abi(task_id, self._read("getTask", task_id)[0])


def open_task_reader(rpc_url: str | None, deployments: Path | None = None) -> TaskReader:
    """A reader of the recorded deployment on the chain at ``rpc_url`` (default: as
    :func:`flchain.protocol.session.open_client` resolves it), checked as it checks."""
    rpc = RpcReader(resolve_endpoint(rpc_url))
    deployment = recorded_deployment(rpc.chain_id(), rpc.genesis_hash, rpc.has_code, deployments)
    return TaskReader(rpc, deployment)
