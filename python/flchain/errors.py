"""Every exception flchain raises, in one tree.

::

    FlchainError
     +-- ConfigError                 a config file, flag or argument is invalid
     +-- ChainError                  talking to the EVM chain failed
     |    +-- ChainUnavailableError  no node answers at the RPC URL
     |    +-- WrongChainError        the node is not the chain the caller expected
     |    +-- DevnetError            the local Anvil devnet cannot be started/stopped
     |    +-- TransactionError       a transaction could not be sent or mined
     |    |    +-- TransactionTimeoutError
     |    |    +-- ContractRevertError   the contract rejected the call (decoded custom error)
     |    +-- StakeUnbondingError    a member's stake still unbonds: it may leave later
     |    +-- NotDeployedError       no flchain deployment on this chain
     |    +-- ArtifactError          compiled contracts are missing or stale
     |    +-- AccountError           no usable signing account
     +-- StorageError                the content store failed
     |    +-- ContentNotFoundError   no content for this CID
     |    +-- IntegrityError         content does not match its CID / digest
     |    +-- StoreUnavailableError  the store (e.g. a Kubo daemon) does not answer
     |    +-- InvalidCidError        a string is not a CID flchain understands
     +-- LearningError               training, encoding or aggregation failed
     |    +-- EncodingError          bytes are not a valid flchain model encoding
     |    +-- AggregationError       an aggregation rule cannot be applied
     |    |    +-- SecureAggregationError  masked updates cannot be summed (e.g. a dropout)
     |    +-- PrivacyError           differential privacy cannot be applied as asked
     |    +-- QuantizationError      a model or input has no fixed-point form for the chain
     |    |    +-- UnsupportedModelError  the model is not one on-chain inference runs
     +-- EncryptionError             encrypted content cannot be read or written
          +-- DecryptionError        a ciphertext fails authentication (tampered or wrong key)
          +-- KeyAccessError         this account holds no key for the content (not a member)
          +-- KeyringError           a round's keyring is missing, malformed or inconsistent

Messages state the facts and the next step, in one sentence where possible.
"""

from __future__ import annotations

__all__ = [
    "AccountError",
    "AggregationError",
    "ArtifactError",
    "ChainError",
    "ChainUnavailableError",
    "ConfigError",
    "ContentNotFoundError",
    "ContractRevertError",
    "DecryptionError",
    "DevnetError",
    "EncodingError",
    "EncryptionError",
    "FlchainError",
    "IntegrityError",
    "InvalidCidError",
    "KeyAccessError",
    "KeyringError",
    "LearningError",
    "NotDeployedError",
    "PrivacyError",
    "QuantizationError",
    "SecureAggregationError",
    "StakeUnbondingError",
    "StorageError",
    "StoreUnavailableError",
    "TransactionError",
    "TransactionTimeoutError",
    "UnsupportedModelError",
    "WrongChainError",
]


class FlchainError(Exception):
    """Base of every error raised by flchain."""


class ConfigError(FlchainError):
    """A configuration file, flag or argument is invalid."""


class ChainError(FlchainError):
    """Talking to the EVM chain failed."""


class ChainUnavailableError(ChainError):
    """No node answers at the RPC URL."""


class WrongChainError(ChainError):
    """The node answers, but it is not the chain the caller expected."""


class DevnetError(ChainError):
    """The local Anvil devnet cannot be started, found or stopped."""


class TransactionError(ChainError):
    """A transaction could not be sent or mined."""


class TransactionTimeoutError(TransactionError):
    """A sent transaction was not mined in time."""


class ContractRevertError(TransactionError):
    """The contract rejected the call; carries the decoded custom error.

    Attributes:
        error_name: the Solidity custom error's name (e.g. ``TaskNotFound``), or
            ``"Error"``/``"Panic"`` for string reverts and panics, or ``""`` if unknown.
        args: the error's arguments by name.
    """

    def __init__(self, message: str, error_name: str = "", args: dict[str, object] | None = None):
        super().__init__(message)
        self.error_name = error_name
        self.error_args: dict[str, object] = dict(args or {})


class NotDeployedError(ChainError):
    """The chain has no (or no longer has the recorded) flchain deployment."""


class ArtifactError(ChainError):
    """Compiled contract artifacts are missing, truncated or stale."""


class AccountError(ChainError):
    """No usable signing account (missing key, wrong password, devnet key off devnet)."""


class StorageError(FlchainError):
    """The content store failed."""


class ContentNotFoundError(StorageError):
    """The store has no content for this CID."""


class IntegrityError(StorageError):
    """Content does not match the CID or digest it was requested by."""


class StoreUnavailableError(StorageError):
    """The store (for example a Kubo daemon) does not answer."""


class InvalidCidError(StorageError):
    """A string or byte sequence is not a CID that flchain understands."""


class LearningError(FlchainError):
    """Training, model encoding or aggregation failed."""


class EncodingError(LearningError):
    """Bytes are not a valid flchain model encoding."""


class AggregationError(LearningError):
    """An aggregation rule cannot be applied to the given updates."""


class SecureAggregationError(AggregationError):
    """Masked updates cannot be summed: an update of the round's roster is missing or unusable."""


class PrivacyError(LearningError):
    """Differential privacy cannot be applied as asked (e.g. a layer without per-sample
    gradients for DP-SGD)."""


class EncryptionError(FlchainError):
    """Encrypted content cannot be read or written."""


class DecryptionError(EncryptionError):
    """A ciphertext fails authentication: it was tampered with, or the key is not its key."""


class KeyAccessError(EncryptionError):
    """The account holds no key for this content (it is not a member of the round)."""


class StakeUnbondingError(ChainError):
    """A member asked to leave while its stake still unbonds (issue 11: ``unbond``, then
    ``UNBONDING_ROUNDS`` rounds or their phases' time). Says when it may leave."""

    def __init__(self, task_id: int, leave_round: int, leave_time: int) -> None:
        self.task_id = task_id
        self.leave_round = leave_round
        self.leave_time = leave_time
        super().__init__(
            f"Task {task_id}: the stake unbonds once round {leave_round} opens "
            f"(or at unix time {leave_time} if rounds stall); run `flchain participant leave` again then."
        )


class KeyringError(EncryptionError):
    """A round's keyring is missing, malformed or inconsistent with the chain."""


class QuantizationError(LearningError):
    """A model or an input cannot be turned into the fixed point that on-chain inference uses."""


class UnsupportedModelError(QuantizationError):
    """The model is not a stack of dense layers with ReLU between them (see flchain.fl.quantize)."""
