"""A participant's local journal: what it must remember across a restart mid-round.

The salt and update of a commit are written here *before* the commit transaction is sent,
so a participant that dies after committing can still reveal after a restart. Writes are
atomic (temp file + rename): a crash leaves the old journal or the new one.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Journal", "PendingUpdate"]


@dataclass(frozen=True)
class PendingUpdate:
    """An update committed (or about to be) in a round."""

    round: int
    cid: str
    salt: bytes
    update_path: Path


class Journal:
    """The journal of one participant in one task, kept in ``directory``."""

    def __init__(self, directory: Path, chain_id: int, task_id: int, address: str) -> None:
        self.directory = directory / f"chain{chain_id}-task{task_id}-{address.lower()}"
        self.directory.mkdir(parents=True, exist_ok=True)
        self._path = self.directory / "journal.json"

    def _read(self) -> dict[str, dict[str, str]]:
        if not self._path.is_file():
            return {}
        data: dict[str, dict[str, str]] = json.loads(self._path.read_text())
        return data

    def _write_atomic(self, path: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    def record(self, round_id: int, cid: str, salt: bytes, update: bytes) -> PendingUpdate:
        """Remember a round's update before committing it."""
        update_path = self.directory / f"update-round{round_id}.bin"
        self._write_atomic(update_path, update)
        entries = self._read()
        entries[str(round_id)] = {"cid": cid, "salt": salt.hex(), "update": update_path.name}
        for old in [k for k in entries if int(k) < round_id - 2]:  # keep the journal small
            (self.directory / entries.pop(old)["update"]).unlink(missing_ok=True)
        self._write_atomic(self._path, json.dumps(entries, sort_keys=True).encode())
        return PendingUpdate(round_id, cid, salt, update_path)

    def pending(self, round_id: int) -> PendingUpdate | None:
        """The update recorded for ``round_id``, if any."""
        entry = self._read().get(str(round_id))
        if entry is None:
            return None
        return PendingUpdate(
            round_id, entry["cid"], bytes.fromhex(entry["salt"]), self.directory / entry["update"]
        )
