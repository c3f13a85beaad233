"""Documents the protocol puts in the store beside the chain's records, as canonical JSON
(sorted keys, no spaces): the same content always gives the same bytes, hence the same CID,
on every machine.

- the task document (:class:`TaskDocument`): what the chain's model spec CID points to, the
  model spec plus everything a participant needs to train the same way (dataset and partition,
  local training settings, aggregation rule, encryption, the differential-privacy parameters
  when the task has them). The task owner writes it from a task file
  (:mod:`flchain.roles.taskfile`); private data never appears in it. It holds the learning
  layer's model spec and privacy parameters: the two torch-free data modules
  (``fl.model_spec``, ``fl.privacy.params``) are the only part of ``fl`` this layer imports.
- the round's metrics document: what every aggregator derives identically for a round (its
  parent and new global model, the rule, the accepted updates and why the others were
  rejected); its CID digest is attested on chain with the model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from flchain.errors import ConfigError
from flchain.fl.model_spec import ModelSpec
from flchain.fl.privacy.params import PrivacyParams
from flchain.protocol.records import RoundId, TaskId
from flchain.storage.cid import Cid

__all__ = [
    "TASK_DOCUMENT_VERSION",
    "DataConfig",
    "TaskDocument",
    "TrainingConfig",
    "metrics_document",
]

#: The task document's format version; a document of another version is refused.
TASK_DOCUMENT_VERSION = 1


@dataclass(frozen=True)
class TrainingConfig:
    """Local training hyperparameters, identical for every participant."""

    epochs: int = 2
    batch_size: int = 16
    lr: float = 0.1
    optimizer: str = "sgd"


@dataclass(frozen=True)
class DataConfig:
    """Which data the task is about and how demo shards are cut.

    ``dataset``: ``"digits"`` (scikit-learn's, shipped) or ``"mnist"`` (IDX files a
    participant points to); ``partition``: ``"iid"`` or ``"dirichlet:ALPHA"``.
    """

    dataset: str = "digits"
    partition: str = "iid"
    test_fraction: float = 0.2
    seed: int = 0

    @property
    def alpha(self) -> float | None:
        """The Dirichlet concentration, or None for IID shards."""
        if self.partition == "iid":
            return None
        return float(self.partition.split(":", 1)[1])


@dataclass(frozen=True)
class TaskDocument:
    """What the chain's model spec CID points to."""

    name: str
    model: ModelSpec
    training: TrainingConfig
    data: DataConfig
    rule: str
    rule_params: dict[str, Any] = field(default_factory=dict)
    private: bool = False  # updates and global models are encrypted for the task's members
    secure_aggregation: bool = False  # FedAvg over pairwise-masked updates (needs private)
    privacy: PrivacyParams | None = None  # None: no differential privacy

    def to_json(self) -> bytes:
        """Canonical JSON: the same document always gives the same bytes (and CID)."""
        document = {
            "version": TASK_DOCUMENT_VERSION,
            "name": self.name,
            "model": json.loads(self.model.to_json()),
            "training": asdict(self.training),
            "data": asdict(self.data),
            "rule": self.rule,
            "rule_params": self.rule_params,
        }
        # Only when set: documents of tasks without encryption keep their bytes (and CIDs).
        if self.private:
            document["private"] = True
        if self.secure_aggregation:
            document["secure_aggregation"] = True
        if self.privacy is not None:  # absent otherwise: documents without DP keep their CID
            document["privacy"] = self.privacy.to_dict()
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes) -> TaskDocument:
        """Parse a task document; ConfigError names what is wrong."""
        try:
            doc = json.loads(data)
            if doc.get("version") != TASK_DOCUMENT_VERSION:
                raise ConfigError(f"Unsupported task document version {doc.get('version')!r}.")
            model = ModelSpec.from_json(json.dumps(doc["model"]).encode())
            return cls(
                name=str(doc["name"]),
                model=model,
                training=TrainingConfig(**doc["training"]),
                data=DataConfig(**doc["data"]),
                rule=str(doc["rule"]),
                rule_params=dict(doc.get("rule_params", {})),
                private=bool(doc.get("private", False)),
                secure_aggregation=bool(doc.get("secure_aggregation", False)),
                privacy=PrivacyParams.from_dict(doc["privacy"]) if "privacy" in doc else None,
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(
                f"The task document is malformed ({exc!r}); was it written by flchain?"
            ) from exc


def metrics_document(
    task_id: TaskId,
    round_id: RoundId,
    parent: Cid,
    model: Cid,
    rule: str,
    accepted: Sequence[Cid],
    rejected: Mapping[int, str],
    extra: Mapping[str, object] | None = None,
) -> bytes:
    """The canonical JSON that every aggregator derives identically for a round (``extra``:
    more fields, e.g. the private model commitment)."""
    doc = {
        **(extra or {}),
        "task": task_id,
        "round": round_id,
        "parent_model": str(parent),
        "model": str(model),
        "rule": rule,
        "accepted_updates": [str(c) for c in accepted],
        "rejected": {str(k): v for k, v in sorted(rejected.items())},
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
