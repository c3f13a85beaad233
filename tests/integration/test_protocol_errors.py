"""What a user sees when the contracts refuse, the chain is not there, or the build is not.

Reverts surface as ContractRevertError with the custom error's name and arguments; setup
problems surface as one sentence naming the next step (deploy --fresh, start a devnet, build).
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from protocol_parties import PHASE, TOKEN, Parties, task_with_members
from web3 import Web3

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.controls import increase_time, mine, revert, snapshot
from flchain.chain.devnet import Devnet
from flchain.chain.transactions import TxSender
from flchain.errors import (
    ArtifactError,
    ChainUnavailableError,
    ContractRevertError,
    NotDeployedError,
)
from flchain.protocol.artifacts import find_project_root
from flchain.protocol.deploy import deploy
from flchain.protocol.records import RoundPhase
from flchain.protocol.session import open_client
from flchain.storage.cid import RAW

pytestmark = pytest.mark.integration

DIGEST = b"\xaa" * 32
SALT = b"\xbb" * 32


def _open_task(d: Parties) -> int:
    """A task with alice and bob joined and round 1 in its commit phase."""
    task_id = task_with_members(d)
    d.owner.start_round(task_id)
    return task_id


def _to_phase(w3: Web3, d: Parties, task_id: int, phase: RoundPhase) -> None:
    """Move round 1 from its commit phase to ``phase``, alice committing and revealing."""
    d.alice.commit(task_id, 1, DIGEST, RAW, SALT)
    for step in (RoundPhase.REVEAL, RoundPhase.ATTEST_COMMIT):
        if phase < step:
            return
        increase_time(w3, PHASE)
        mine(w3)
        if step == RoundPhase.REVEAL and phase > step:
            d.alice.reveal(task_id, 1, DIGEST, RAW, SALT)


Action = Callable[[Parties, int], object]

CASES: list[tuple[str, RoundPhase, Action, dict[str, object]]] = [
    ("TaskNotFound", RoundPhase.COMMIT, lambda d, t: d.alice.task(t + 99), {"taskId": 100}),
    (
        "MemberStakeTooLow",
        RoundPhase.COMMIT,
        lambda d, t: d.owner.join(t, TOKEN),
        {"taskId": 1, "stake": TOKEN, "minStake": 10 * TOKEN},
    ),
    ("TaskUnauthorized", RoundPhase.COMMIT, lambda d, t: d.alice.close_task(t), {"taskId": 1}),
    (
        "CommitAlreadyExists",
        RoundPhase.COMMIT,
        lambda d, t: d.alice.commit(t, 1, DIGEST, RAW, SALT),
        {"taskId": 1, "round": 1},
    ),
    (
        "RoundWrongPhase",
        RoundPhase.COMMIT,
        lambda d, t: d.alice.reveal(t, 1, DIGEST, RAW, SALT),
        {"taskId": 1, "round": 1, "phase": int(RoundPhase.COMMIT)},
    ),
    (
        "RevealMismatch",
        RoundPhase.REVEAL,
        lambda d, t: d.alice.reveal(t, 1, DIGEST, RAW, b"\x00" * 32),
        {"taskId": 1, "round": 1},
    ),
    (
        "AttestCommitAlreadyExists",
        RoundPhase.ATTEST_COMMIT,
        lambda d, t: [
            d.bob.commit_attestation(t, 1, DIGEST, RAW, 1, bytes(32), SALT) for _ in range(2)
        ],
        {"taskId": 1, "round": 1},
    ),
    ("MemberNothingToClaim", RoundPhase.COMMIT, lambda d, t: d.bob.claim(t), {"taskId": 1}),
]


@pytest.mark.parametrize(("name", "phase", "action", "expected"), CASES, ids=[c[0] for c in CASES])
def test_contract_revert_raises_decoded_custom_error_when_the_call_is_refused(
    w3: Web3,
    parties: Parties,
    chain_snapshot: str,
    name: str,
    phase: RoundPhase,
    action: Action,
    expected: dict[str, object],
) -> None:
    task_id = _open_task(parties)
    _to_phase(w3, parties, task_id, phase)

    with pytest.raises(ContractRevertError) as caught:
        action(parties, task_id)

    assert caught.value.error_name == name
    assert expected.items() <= caught.value.error_args.items()
    assert str(caught.value).startswith(f"FLCoordinator rejected the call: {name}(")
    for arg in caught.value.error_args:
        assert f"{arg}=" in str(caught.value)


# ---------------------------------------------------------------------- deployments


def test_open_client_says_deploy_fresh_when_the_recorded_contracts_vanished(
    w3: Web3, devnet: Devnet, chain_snapshot: str, tmp_path: Path
) -> None:
    before_deploy = snapshot(w3)
    deploy(w3, TxSender(w3, dev_signer(0, DEV_CHAIN_ID)), directory=tmp_path)
    revert(w3, before_deploy)  # a reset devnet: the record stays, the contracts are gone

    with pytest.raises(NotDeployedError, match=r"has no contract there.*flchain deploy --fresh"):
        open_client(devnet.rpc_url, deployments=tmp_path)
    with pytest.raises(NotDeployedError, match=r"flchain deploy --fresh"):
        deploy(w3, TxSender(w3, dev_signer(0, DEV_CHAIN_ID)), directory=tmp_path)
    fresh = deploy(w3, TxSender(w3, dev_signer(0, DEV_CHAIN_ID)), directory=tmp_path, fresh=True)
    assert open_client(devnet.rpc_url, deployments=tmp_path).deployment == fresh.deployment


def test_open_client_says_deploy_first_when_the_chain_has_no_record(
    devnet: Devnet, tmp_path: Path
) -> None:
    with pytest.raises(
        NotDeployedError, match=r"not deployed on chain 31337.*run `flchain deploy` first"
    ):
        open_client(devnet.rpc_url, deployments=tmp_path)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_open_client_says_start_a_devnet_when_nothing_answers_at_the_url(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}"

    with pytest.raises(
        ChainUnavailableError, match=rf"No Ethereum node answers at {url}.*flchain devnet start"
    ):
        open_client(url, deployments=tmp_path)


# ---------------------------------------------------------------------- artifacts


def _project_copy(tmp_path: Path) -> Path:
    """The project's compiled artifacts and sources, copied to ``tmp_path``."""
    source = find_project_root()
    copy = tmp_path / "project"
    shutil.copytree(source / "contracts", copy / "contracts")
    shutil.copytree(
        source / "artifacts", copy / "artifacts", ignore=shutil.ignore_patterns("*.output.json")
    )
    shutil.copy(source / "hardhat.config.js", copy)
    return copy


def test_open_client_says_build_when_an_artifact_is_truncated(
    parties: Parties, devnet: Devnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project_copy(tmp_path)
    artifact = project / "artifacts/contracts/FLCoordinator.sol/FLCoordinator.json"
    artifact.write_text(artifact.read_text()[:1000])
    monkeypatch.setenv("FLCHAIN_PROJECT", str(project))

    with pytest.raises(ArtifactError, match=r"FLCoordinator .*truncated; run the build first"):
        open_client(devnet.rpc_url, deployments=parties.directory)


def test_open_client_says_build_when_a_source_changed_since_the_build(
    parties: Parties, devnet: Devnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project_copy(tmp_path)
    with (project / "contracts/FLCoordinator.sol").open("a") as source:
        source.write("\n// edited after the build\n")
    monkeypatch.setenv("FLCHAIN_PROJECT", str(project))

    with pytest.raises(
        ArtifactError, match=r"stale: contracts/FLCoordinator.sol changed.*run the build first"
    ):
        open_client(devnet.rpc_url, deployments=parties.directory)
