"""What every key and ciphertext of a task is bound to: the chain, the coordinator, the task.

Associated data (authenticated, not encrypted) binds a ciphertext to its task, round and
role (``update``, ``model``, ``keyring``...), and an update to the participant that reveals
it: a ciphertext moved to another task, round, role or sender fails to decrypt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

__all__ = ["TaskScope"]


@dataclass(frozen=True)
class TaskScope:
    """One task on one deployment (addresses are compared lower-case)."""

    chain_id: int
    coordinator: str
    task_id: int

    def label(self, purpose: str, round_id: int | None = None, party: str = "") -> bytes:
        """Canonical bytes naming ``purpose`` within this task (for HKDF info and AEAD data)."""
        fields: dict[str, object] = {
            "v": 1,
            "purpose": purpose,
            "chain": self.chain_id,
            "coordinator": self.coordinator.lower(),
            "task": self.task_id,
        }
        if round_id is not None:
            fields["round"] = round_id
        if party:
            fields["party"] = party.lower()
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
