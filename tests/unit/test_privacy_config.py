"""The [privacy] section of a task config and the DP parameters of the task document."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from flchain.demo.privacy import apply_dp_epsilon, with_dp_budget
from flchain.errors import ConfigError
from flchain.fl.privacy import PrivacyParams, epsilon_after
from flchain.protocol.documents import TaskDocument
from flchain.roles.taskfile import load_task_file

PROJECT = Path(__file__).resolve().parents[2]
EXAMPLE = PROJECT / "examples" / "digits.toml"
DP_EXAMPLE = PROJECT / "examples" / "digits-dp.toml"


def _write(tmp_path: Path, privacy: str, rounds: int = 5, task: str = "") -> Path:
    path = tmp_path / "task.toml"
    path.write_text(
        f"[task]\nrounds = {rounds}\n{task}[training]\nepochs = 2\n[privacy]\n{privacy}"
    )
    return path


def test_task_document_json_is_unchanged_when_the_config_has_no_privacy_section() -> None:
    doc = load_task_file(EXAMPLE).document

    assert doc.privacy is None
    assert "privacy" not in json.loads(doc.to_json())


def test_shipped_dp_example_spends_its_budget_over_its_rounds() -> None:
    task = load_task_file(DP_EXAMPLE)
    privacy = task.document.privacy

    assert privacy is not None
    assert privacy.epsilon is not None
    spent = epsilon_after(privacy, task.document.training.epochs, task.rounds)
    assert privacy.epsilon - 0.01 <= spent <= privacy.epsilon


def test_noise_is_calibrated_and_stored_in_the_document_when_only_epsilon_is_given(
    tmp_path: Path,
) -> None:
    task = load_task_file(_write(tmp_path, "epsilon = 3.0\nsample_rate = 0.05\n"))
    privacy = task.document.privacy

    assert privacy is not None
    assert (privacy.mode, privacy.delta, privacy.clip_norm, privacy.epsilon) == (
        "sample",
        1e-5,
        1.0,
        3.0,
    )
    assert 2.99 <= epsilon_after(privacy, 2, 5) <= 3.0
    stored = json.loads(task.document.to_json())["privacy"]
    assert stored["noise_multiplier"] == privacy.noise_multiplier
    assert TaskDocument.from_json(task.document.to_json()) == task.document


def test_given_noise_multiplier_is_kept_when_both_noise_and_budget_are_given(
    tmp_path: Path,
) -> None:
    task = load_task_file(
        _write(
            tmp_path,
            'mode = "client"\nnoise_multiplier = 2.5\nepsilon = 4\ncolluders = 2\n',
            task="max_participants = 3\n",
        )
    )

    assert task.document.privacy == PrivacyParams("client", 2.5, 1.0, 1e-5, 4.0, colluders=2)


def test_client_dp_without_secure_aggregation_must_noise_each_update_fully(
    tmp_path: Path,
) -> None:
    # Updates are readable one by one: distributed noise (colluders < n - 1) would overstate.
    config = 'mode = "client"\nnoise_multiplier = 2.5\ncolluders = 2\n'
    with pytest.raises(ConfigError, match="colluders = 9"):
        load_task_file(_write(tmp_path, config, task="max_participants = 10\n"))
    hidden = "max_participants = 10\nprivate = true\nsecure_aggregation = true\n"
    assert load_task_file(_write(tmp_path, config, task=hidden)).document.privacy is not None


@pytest.mark.parametrize(
    ("privacy", "names"),
    [
        ("sample_rate = 0.1\n", ["epsilon", "noise_multiplier"]),
        ("epsilon = 3\n", ["privacy.sample_rate"]),
        ('mode = "record"\nepsilon = 3\n', ["privacy.mode", "'record'"]),
        ("epsilon = 3\nsample_rate = 0.1\nnoise = 2\n", ["privacy.noise"]),
        ("epsilon = -1\nsample_rate = 0.1\n", ["privacy.epsilon"]),
        ('epsilon = 3\nsample_rate = 0.1\ndelta = "small"\n', ["privacy.delta"]),
        ("epsilon = 3\nsample_rate = 0.1\ndelta = 1.5\n", ["privacy.delta", "1.5"]),
        ('mode = "client"\nepsilon = 3\nsample_rate = 0.1\n', ["privacy.sample_rate"]),
        ('mode = "client"\nnoise_multiplier = 1\ncolluders = -1\n', ["privacy.colluders"]),
        ('epsilon = 3\nsample_rate = 0.1\naccountant = "gdp"\n', ["privacy.accountant"]),
    ],
)
def test_bad_privacy_section_is_one_sentence_naming_the_key(
    tmp_path: Path, privacy: str, names: list[str]
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_task_file(_write(tmp_path, privacy))

    message = str(caught.value)
    assert "\n" not in message
    assert message.endswith(".")
    assert all(name in message for name in names), message


def test_task_document_refuses_privacy_parameters_with_unknown_keys() -> None:
    doc = json.loads(load_task_file(DP_EXAMPLE).document.to_json())
    doc["privacy"]["trust_me"] = True

    with pytest.raises(ConfigError, match="trust_me"):
        TaskDocument.from_json(json.dumps(doc).encode())


def test_with_dp_budget_sets_sample_level_dp_over_the_rounds_when_the_config_has_none() -> None:
    task = dataclasses.replace(load_task_file(EXAMPLE), rounds=4)

    private = with_dp_budget(task, 2.0, train_samples=288)
    privacy = private.document.privacy

    assert privacy is not None
    assert (privacy.mode, privacy.epsilon, privacy.delta) == ("sample", 2.0, 1e-5)
    assert privacy.sample_rate == pytest.approx(16 / 288)
    assert 1.99 <= epsilon_after(privacy, task.document.training.epochs, 4) <= 2.0
    assert with_dp_budget(task, None, 288) is task


def test_with_dp_budget_keeps_the_configs_mode_and_replaces_its_budget() -> None:
    task = load_task_file(DP_EXAMPLE)
    base = task.document.privacy
    assert base is not None
    client = dataclasses.replace(base, mode="client", sample_rate=None, colluders=1)
    task = dataclasses.replace(task, document=dataclasses.replace(task.document, privacy=client))

    private = with_dp_budget(task, 20.0, train_samples=288)

    assert private.document.privacy is not None
    assert private.document.privacy.mode == "client"
    assert private.document.privacy.colluders == 1
    assert private.document.privacy.epsilon == 20.0
    assert private.document.privacy.noise_multiplier != client.noise_multiplier


def test_demo_recalibrates_the_configs_budget_when_rounds_are_overridden() -> None:
    task = dataclasses.replace(load_task_file(DP_EXAMPLE), rounds=3)

    shortened = apply_dp_epsilon(task, None, participants=5, config=DP_EXAMPLE)

    privacy = shortened.document.privacy
    assert privacy is not None
    assert privacy.epsilon == 8.0
    assert 7.99 <= epsilon_after(privacy, task.document.training.epochs, 3) <= 8.0


def test_demo_keeps_a_pinned_noise_multiplier_when_rounds_are_overridden(tmp_path: Path) -> None:
    config = _write(tmp_path, "noise_multiplier = 1.5\nepsilon = 8\nsample_rate = 0.1\n")
    task = dataclasses.replace(load_task_file(config), rounds=2)

    assert apply_dp_epsilon(task, None, participants=5, config=config) is task


def test_demo_dp_epsilon_sizes_the_sampling_rate_for_a_digits_shard() -> None:
    task = dataclasses.replace(load_task_file(EXAMPLE), rounds=2)

    private = apply_dp_epsilon(task, 3.0, participants=5, config=EXAMPLE)

    assert private.document.privacy is not None
    assert private.document.privacy.sample_rate == pytest.approx(16 / (1438 // 5))
