"""The (chain, account) lock that makes approve-then-spend atomic among local processes."""

from __future__ import annotations

import fcntl

import pytest

from flchain.chain.account_lock import account_lock, lock_path

ADDRESS = "0x00000000000000000000000000000000000000aB"


def _try_lock(chain_id: int, address: str) -> bool:
    """Whether another holder (a separate open of the file, as another process) gets the lock."""
    with lock_path(chain_id, address).open("a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return True


def test_account_lock_excludes_other_holders_until_released() -> None:
    with account_lock(1, ADDRESS):
        held_elsewhere = _try_lock(1, ADDRESS)
        other_chain = _try_lock(2, ADDRESS)
    assert not held_elsewhere
    assert other_chain
    assert _try_lock(1, ADDRESS)


def test_account_lock_is_released_when_the_body_raises() -> None:
    with pytest.raises(RuntimeError), account_lock(1, ADDRESS):
        raise RuntimeError("join reverted")
    assert _try_lock(1, ADDRESS)


def test_lock_path_is_per_chain_and_account_and_ignores_address_case() -> None:
    assert lock_path(1, ADDRESS) == lock_path(1, ADDRESS.lower())
    assert lock_path(1, ADDRESS) != lock_path(2, ADDRESS)
