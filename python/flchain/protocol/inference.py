"""Inference contracts: deploy a quantized model's weights and its ``ModelInference``, call it.

The weights (bytes from ``flchain.fl.quantize.QuantizedModel.to_bytes``; this layer does not
read them) are cut into chunks of at most :data:`CHUNK_CAPACITY` bytes, each deployed as an
SSTORE2-style data contract: its code is a STOP byte then the chunk, so it is never callable
and stays under the 24,576-byte code-size limit (EIP-170). ``ModelInference`` then gets the
chunk addresses and the model CID it implements, checks the weights' format and keeps a
keccak256 of them (:meth:`InferenceContract.weights_hash`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from eth_utils.crypto import keccak
from web3 import Web3
from web3.contract import Contract

from flchain.chain.revert import RevertDecoder, guarded_read
from flchain.chain.transactions import TxRequest, TxSender
from flchain.errors import ContractRevertError, NotDeployedError
from flchain.protocol.artifacts import load_artifact

__all__ = [
    "CALL_GAS_CAP",
    "CHUNK_CAPACITY",
    "InferenceContract",
    "InferenceDeployment",
    "Prediction",
    "chunk_creation_code",
    "deploy_inference",
    "split_chunks",
]

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: Data bytes per chunk: the code-size limit (24,576) minus the leading STOP byte.
CHUNK_CAPACITY = 24_575
#: Gas one ``eth_call`` may ask for on every node flchain supports: Hardhat (EDR) caps it at
#: 2**24; Anvil and geth allow more.
CALL_GAS_CAP = 16_777_216
#: Share of the cap a batch is planned to use, from the gas of one ``predict``: a batch also
#: pays for memory growing with its rows (quadratic), which one row's estimate does not show.
_BATCH_SHARE = 0.75
#: Creation code of a data chunk minus the length: PUSH2 len, DUP1, PUSH1 10, RETURNDATASIZE,
#: CODECOPY, RETURNDATASIZE, RETURN, i.e. "return the code after these 10 bytes".
_CHUNK_PREFIX = bytes.fromhex("61"), bytes.fromhex("80600a3d393df3")


def chunk_creation_code(data: bytes) -> bytes:
    """Creation code deploying a contract whose code is ``0x00 || data``."""
    if not 1 <= len(data) <= CHUNK_CAPACITY:
        raise ValueError(f"A chunk holds 1..{CHUNK_CAPACITY} bytes, got {len(data)}.")
    head, tail = _CHUNK_PREFIX
    return head + (len(data) + 1).to_bytes(2, "big") + tail + b"\x00" + data


def split_chunks(weights: bytes) -> list[bytes]:
    """``weights`` cut into chunks of :data:`CHUNK_CAPACITY` bytes (the last one shorter)."""
    return [weights[i : i + CHUNK_CAPACITY] for i in range(0, len(weights), CHUNK_CAPACITY)]


@dataclass(frozen=True)
class InferenceDeployment:
    """A deployed inference contract, its chunks, and what deploying them cost."""

    address: str
    chunks: tuple[str, ...]
    gas_used: int
    chunk_gas: int
    transactions: tuple[str, ...]


@dataclass(frozen=True)
class Prediction:
    """The contract's answer for one input: the class and the scores (16 fractional bits)."""

    label: int
    scores: tuple[int, ...]


def deploy_inference(
    sender: TxSender,
    weights: bytes,
    model_digest: bytes,
    codec: int,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> InferenceDeployment:
    """Deploy ``weights`` as data chunks, then a ``ModelInference`` over them.

    ``progress(done, total)`` is called after each transaction (chunks, then the contract).
    """
    if not weights:
        raise ValueError("There are no weights to deploy.")
    artifact = load_artifact("ModelInference")
    pieces = split_chunks(weights)
    decoder = RevertDecoder(artifact.abi, "ModelInference")
    addresses: list[str] = []
    hashes: list[str] = []
    chunk_gas = 0
    for index, piece in enumerate(pieces):
        label = f"deploy weights chunk {index + 1}/{len(pieces)}"
        result = sender.send(
            TxRequest(None, chunk_creation_code(piece), decoder=decoder, label=label)
        )
        if result.contract_address is None:
            raise NotDeployedError(
                f"{label} mined without a contract address (tx {result.tx_hash})."
            )
        addresses.append(result.contract_address)
        hashes.append(result.tx_hash)
        chunk_gas += result.gas_used
        if progress is not None:
            progress(index + 1, len(pieces) + 1)
    result = sender.deploy(
        artifact.abi,
        artifact.bytecode,
        model_digest,
        codec,
        addresses,
        contract_name="ModelInference",
    )
    if result.contract_address is None:
        raise NotDeployedError(
            f"ModelInference mined without a contract address (tx {result.tx_hash})."
        )
    if progress is not None:
        progress(len(pieces) + 1, len(pieces) + 1)
    logger.info(
        "Deployed ModelInference at %s over %s chunk(s) (tx %s)",
        result.contract_address,
        len(pieces),
        result.tx_hash,
    )
    return InferenceDeployment(
        result.contract_address,
        tuple(addresses),
        chunk_gas + result.gas_used,
        chunk_gas,
        (*hashes, result.tx_hash),
    )


class InferenceContract:
    """A deployed ``ModelInference``, read-only (every call is a free ``eth_call``)."""

    def __init__(self, w3: Web3, address: str) -> None:
        self.w3 = w3
        self.address = Web3.to_checksum_address(address)
        artifact = load_artifact("ModelInference")
        self.decoder = RevertDecoder(artifact.abi, "ModelInference")
        self.contract: Contract = w3.eth.contract(address=self.address, abi=artifact.abi)
        if len(self._call(lambda: w3.eth.get_code(self.address))) == 0:
            raise NotDeployedError(
                f"There is no contract at {self.address}; is it the right chain?"
            )

    def _call(self, fn: Callable[[], T]) -> T:
        return guarded_read(fn, self.decoder, f"calling ModelInference at {self.address}")

    def model_digest(self) -> bytes:
        """Digest of the model CID the contract states it implements."""
        return bytes(self._call(lambda: self.contract.functions.modelDigest().call()))

    def model_codec(self) -> int:
        """Codec byte of that CID."""
        return int(self._call(lambda: self.contract.functions.modelCodec().call()))

    def weights_hash(self) -> bytes:
        """keccak256 of the weights, as computed by the contract at deployment."""
        return bytes(self._call(lambda: self.contract.functions.weightsHash().call()))

    def architecture(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(sizes: inputs first, classes last; each layer's fractional bits)."""
        sizes, bits = self._call(lambda: self.contract.functions.architecture().call())
        return tuple(int(s) for s in sizes), tuple(int(b) for b in bits)

    def chunks(self) -> tuple[str, ...]:
        """The data contracts holding the weights."""
        return tuple(str(a) for a in self._call(lambda: self.contract.functions.chunks().call()))

    def read_weights(self) -> bytes:
        """The weights as stored on chain (each chunk's code without its STOP byte)."""
        codes = [bytes(self._call(lambda a=a: self.w3.eth.get_code(a))) for a in self.chunks()]  # type: ignore[misc]
        return b"".join(code[1:] for code in codes)

    def matches(self, weights: bytes) -> bool:
        """Whether the contract holds exactly ``weights`` (by its keccak256 of them)."""
        return self.weights_hash() == keccak(weights)

    def predict(self, row: Sequence[int]) -> Prediction:
        """One input (ints with 16 fractional bits) -> class and scores, computed by the contract."""
        label, scores = self._call(lambda: self.contract.functions.predict(list(row)).call())
        return Prediction(int(label), tuple(int(s) for s in scores))

    def predict_gas(self, row: Sequence[int]) -> int:
        """Gas ``predict(row)`` would use as a transaction (eth_estimateGas: 21,000 + calldata +
        execution); as a view call it costs nothing."""
        call = self.contract.functions.predict(list(row))
        return int(self._call(lambda: call.estimate_gas()))

    def predict_batch(
        self, rows: Sequence[Sequence[int]], *, rows_per_call: int | None = None
    ) -> list[Prediction]:
        """Many inputs, ``rows_per_call`` per ``predictBatch`` call (default: as many as fit
        :data:`CALL_GAS_CAP`, from the gas of one ``predict``). A batch that still runs out of
        gas is split in halves (down to one row; a row that fails alone raises)."""
        if not rows:
            return []
        if rows_per_call is None:
            per_row = self.predict_gas(rows[0])
            rows_per_call = max(1, int(CALL_GAS_CAP * _BATCH_SHARE) // per_row)
        found: list[Prediction] = []
        for start in range(0, len(rows), rows_per_call):
            found.extend(
                self._predict_fitting([list(r) for r in rows[start : start + rows_per_call]])
            )
        return found

    def _predict_fitting(self, batch: list[list[int]]) -> list[Prediction]:
        call = self.contract.functions.predictBatch(batch)
        try:
            labels, scores = self._call(lambda: call.call({"gas": CALL_GAS_CAP}))
        except ContractRevertError:
            if len(batch) == 1:
                raise
            half = len(batch) // 2
            logger.debug("predictBatch of %s rows ran out of gas; splitting it", len(batch))
            return self._predict_fitting(batch[:half]) + self._predict_fitting(batch[half:])
        return [
            Prediction(int(label), tuple(int(s) for s in row))
            for label, row in zip(labels, scores, strict=True)
        ]
