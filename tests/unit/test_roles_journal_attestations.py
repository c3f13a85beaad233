"""The journal keeps a committed attestation (result and salt) across a restart, as it keeps
an update's salt: an attestation committed and never revealed counts as none."""

from __future__ import annotations

from pathlib import Path

from flchain.protocol.commitments import new_salt
from flchain.protocol.records import RoundInfo, RoundPhase, RoundStatus
from flchain.roles.journal import Journal, PendingAttestation

ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def _attestation(round_id: int) -> PendingAttestation:
    return PendingAttestation(round_id, b"\x01" * 32, 0x55, 2**255 + 5, b"\x02" * 32, new_salt())


def test_pending_attestation_survives_a_restart_when_recorded_before_the_commit(
    tmp_path: Path,
) -> None:
    recorded = Journal(tmp_path, 31337, 1, ADDRESS).record_attestation(_attestation(3))

    restarted = Journal(tmp_path, 31337, 1, ADDRESS)

    assert restarted.pending_attestation(3) == recorded
    assert restarted.pending_attestation(2) is None


def test_pending_attestation_is_kept_apart_from_the_update_of_the_same_round(
    tmp_path: Path,
) -> None:
    journal = Journal(tmp_path, 31337, 1, ADDRESS)
    update = journal.record(3, "bafkexample", b"\x03" * 32, b"update bytes")

    attestation = journal.record_attestation(_attestation(3))

    assert journal.pending(3) == update
    assert journal.pending_attestation(3) == attestation


def test_old_attestations_are_dropped_when_the_journal_moves_on(tmp_path: Path) -> None:
    journal = Journal(tmp_path, 31337, 1, ADDRESS)
    journal.record_attestation(_attestation(1))

    journal.record_attestation(_attestation(5))

    assert journal.pending_attestation(1) is None
    assert journal.pending_attestation(5) is not None


def test_attest_commit_deadline_is_the_middle_of_the_attest_window() -> None:
    rnd = RoundInfo(
        1, 1, 100, 200, 301, 0, RoundStatus.OPEN, 0, 0, 0, 0, b"", 0, 0, 0, 0, 0,
        RoundPhase.ATTEST_COMMIT,
    )  # fmt: skip

    assert rnd.attest_commit_deadline == 250  # as FLCoordinator: 200 + (301 - 200) // 2
