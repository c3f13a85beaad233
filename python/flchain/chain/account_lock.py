"""A lock per (chain, account) shared by every flchain process of this machine.

Approving a token allowance and then spending it (``join``, ``createTask``) is two
transactions: two processes of one account doing it at once (a participant per task) would
overwrite each other's approval, and one ``transferFrom`` would revert. Holding this lock over
both makes the pair atomic among local processes. The lock file lives in the system's
temporary directory, so processes with different ``FLCHAIN_HOME`` share it too; processes of
one account on different machines are not covered (use one machine per account).
"""

from __future__ import annotations

import fcntl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["account_lock", "lock_path"]


def lock_path(chain_id: int, address: str) -> Path:
    """The lock file of ``address`` on chain ``chain_id``."""
    return Path(tempfile.gettempdir()) / "flchain-locks" / f"{chain_id}-{address.lower()}.lock"


@contextmanager
def account_lock(chain_id: int, address: str) -> Iterator[None]:
    """Hold the (chain, account) lock for the body; waits while another process holds it."""
    path = lock_path(chain_id, address)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
