"""On-chain inference for users: deploy a registry model as a contract, and ask it for classes.

:func:`deploy_model` fetches a finalized global model (verified by its on-chain CID), quantizes
it (:mod:`flchain.fl.quantize`), deploys its weights and a ``ModelInference`` contract, checks
the contract holds exactly those weights, and links it to the (task, round) in the
InferenceRegistry as the sending account. :func:`predict_rows` finds the contract a linker
(by default the task's owner) linked, and has it classify feature rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from flchain.chain.transactions import TxSender
from flchain.errors import ConfigError, QuantizationError
from flchain.fl.quantize import ACTIVATION_FRAC_BITS, quantize_inputs, quantize_state
from flchain.protocol.client import FLClient
from flchain.protocol.inference import InferenceContract, deploy_inference
from flchain.protocol.inference_registry import InferenceRegistryClient
from flchain.protocol.records import RoundId, TaskId
from flchain.roles.model_download import download_model
from flchain.storage.store import Store

__all__ = [
    "DeployedModel",
    "Predictions",
    "deploy_model",
    "find_inference",
    "predict_rows",
    "read_feature_rows",
    "resolve_round",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeployedModel:
    """A model deployed for inference and linked in the InferenceRegistry."""

    task_id: TaskId
    round: RoundId
    model_cid: str
    address: str
    linker: str
    chunks: tuple[str, ...]
    sizes: tuple[int, ...]
    frac_bits: tuple[int, ...]
    parameters: int
    weights_bytes: int
    deploy_gas: int
    link_gas: int


@dataclass(frozen=True)
class Predictions:
    """Classes computed by an inference contract, with its scores (16 fractional bits)."""

    task_id: TaskId
    round: RoundId
    address: str
    linker: str
    labels: tuple[int, ...]
    scores: tuple[tuple[int, ...], ...]
    score_frac_bits: int = ACTIVATION_FRAC_BITS


def resolve_round(client: FLClient, task_id: TaskId, round_id: RoundId | None) -> RoundId:
    """``round_id``, or the task's latest finalized round when None."""
    if round_id is not None:
        return round_id
    count = client.task_count()
    if not 1 <= task_id <= count:
        raise ConfigError(
            f"Task {task_id} does not exist on chain {client.deployment.chain_id}; list the tasks "
            "with `flchain registry tasks`."
        )
    latest = client.task(task_id).last_finalized_round
    if latest == 0:
        raise ConfigError(
            f"Task {task_id} has no finalized round yet; give ROUND 0 to use its initial model."
        )
    return latest


def deploy_model(
    client: FLClient,
    registry: InferenceRegistryClient,
    sender: TxSender,
    store: Store,
    task_id: TaskId,
    round_id: RoundId | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> DeployedModel:
    """Quantize the (task, round) global model, deploy it for inference and link it as
    ``sender`` (default round: the latest finalized)."""
    round_id = resolve_round(client, task_id, round_id)
    model = download_model(client, store, task_id, round_id)
    if model.spec is None:
        raise ConfigError(
            f"The store lacks the document of task {task_id}, so its model family is unknown; "
            "point --store at the store that holds it."
        )
    quantized = quantize_state(model.spec, model.data)
    weights = quantized.to_bytes()
    digest, codec = model.cid.to_chain()
    deployment = deploy_inference(sender, weights, digest, codec, progress=progress)
    contract = InferenceContract(client.w3, deployment.address)
    if not contract.matches(weights):
        raise ConfigError(
            f"The inference contract at {deployment.address} does not hold the weights just "
            "deployed; the chain answered unexpectedly, deploy again."
        )
    link = registry.link(task_id, round_id, deployment.address)
    logger.info(
        "Task %s round %s (%s) deployed for inference at %s",
        task_id,
        round_id,
        model.cid,
        deployment.address,
    )
    return DeployedModel(
        task_id,
        round_id,
        str(model.cid),
        deployment.address,
        sender.address,
        deployment.chunks,
        quantized.sizes,
        quantized.frac_bits,
        quantized.parameter_count,
        len(weights),
        deployment.gas_used,
        link.gas_used,
    )


def find_inference(
    client: FLClient,
    registry: InferenceRegistryClient,
    task_id: TaskId,
    round_id: RoundId | None = None,
    linker: str | None = None,
) -> tuple[RoundId, str, str]:
    """(round, linker, contract address) of the inference contract ``linker`` (default: the
    task's owner) linked to (task, round) (default round: the latest finalized)."""
    round_id = resolve_round(client, task_id, round_id)
    who = linker or client.task(task_id).owner
    address = registry.inference_of(task_id, round_id, who)
    if address is not None:
        return round_id, who, address
    others = sorted({link.linker for link in registry.links(task_id, round_id)} - {who})
    hint = f" (linked by: {', '.join(others)})" if others else ""
    role = "The task owner" if linker is None else "Account"
    raise ConfigError(
        f"{role} {who} has linked no inference contract to task {task_id} round {round_id}"
        f"{hint}; deploy one with `flchain deploy-model {task_id} {round_id}`, or name another "
        "linker with --linker."
    )


def predict_rows(
    client: FLClient,
    registry: InferenceRegistryClient,
    task_id: TaskId,
    features: npt.ArrayLike,
    *,
    round_id: RoundId | None = None,
    linker: str | None = None,
    source: str = "the input",
) -> Predictions:
    """Classify each row of ``features`` with the (task, round) inference contract."""
    round_id, who, address = find_inference(client, registry, task_id, round_id, linker)
    contract = InferenceContract(client.w3, address)
    sizes, _ = contract.architecture()
    rows = np.asarray(features, dtype=np.float64)
    width = int(np.prod(rows.shape[1:])) if rows.ndim >= 2 else -1
    if width != sizes[0]:
        shape = f"rows of {width} features" if width >= 0 else f"shape {rows.shape}"
        raise ConfigError(
            f"{source} has {shape}, but the model of task {task_id} round {round_id} takes "
            f"{sizes[0]} features per row."
        )
    try:
        inputs = quantize_inputs(rows, sizes[0])
    except QuantizationError as exc:
        raise ConfigError(f"{source}: {exc}") from exc
    found = contract.predict_batch(inputs.tolist())
    return Predictions(
        task_id,
        round_id,
        address,
        who,
        tuple(p.label for p in found),
        tuple(p.scores for p in found),
    )


def read_feature_rows(path: Path) -> npt.NDArray[np.float64]:
    """Feature rows from a ``.npy`` array (rows first; other axes are flattened) or a CSV
    file (one row per line, comma-separated; a first line that is not numbers is a header)."""
    try:
        if path.suffix == ".npy":
            array = np.load(path, allow_pickle=False)
            values = np.asarray(array, dtype=np.float64)
            return values.reshape(1, -1) if values.ndim == 1 else values.reshape(len(values), -1)
        text = path.read_text()
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}; give a CSV file or a .npy array.") from exc
    return _parse_csv(path, text)


def _parse_csv(path: Path, text: str) -> npt.NDArray[np.float64]:
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if lines and not _numeric(lines[0][1]):
        lines = lines[1:]  # a header
    if not lines:
        raise ConfigError(f"{path} holds no feature rows.")
    rows: list[list[float]] = []
    for number, line in lines:
        cells = [cell.strip() for cell in line.split(",")]
        try:
            rows.append([float(cell) for cell in cells])
        except ValueError:
            raise ConfigError(
                f"{path} line {number} is not comma-separated numbers: {line[:60]!r}."
            ) from None
        if len(rows[-1]) != len(rows[0]):
            raise ConfigError(
                f"{path} line {number} has {len(rows[-1])} values where the first row has "
                f"{len(rows[0])}."
            )
    return np.asarray(rows, dtype=np.float64)


def _numeric(line: str) -> bool:
    try:
        [float(cell) for cell in line.split(",")]
    except ValueError:
        return False
    return True
