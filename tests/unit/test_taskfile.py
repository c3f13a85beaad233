"""Task config files: the shipped example parses; every bad config is one sentence naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from flchain.errors import ConfigError
from flchain.protocol.documents import TaskDocument
from flchain.roles.taskfile import load_task_file

TOKEN = 10**18
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "digits.toml"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "task.toml"
    path.write_text(text)
    return path


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_task_file(_write(tmp_path, text))
    message = str(caught.value)
    assert "\n" not in message, f"not one line: {message!r}"
    assert message.endswith("."), f"not one sentence: {message!r}"
    return message


def test_load_task_file_reads_the_shipped_digits_example() -> None:
    task = load_task_file(EXAMPLE)

    assert (task.rounds, task.quorum_bps, task.slash_bps, task.attester_share_bps) == (
        10,
        6_700,
        1_000,
        2_000,
    )
    assert (task.min_stake, task.reward_per_round) == (10 * TOKEN, 100 * TOKEN)
    assert (task.document.rule, task.document.model.hidden_sizes) == ("fedavg", (64,))
    assert TaskDocument.from_json(task.document.to_json()) == task.document


def test_load_task_file_applies_defaults_when_sections_are_missing(tmp_path: Path) -> None:
    task = load_task_file(_write(tmp_path, '[task]\nname = "tiny"\n'))

    assert (task.document.name, task.rounds, task.commit_seconds) == ("tiny", 10, 600)
    assert task.document.data.partition == "iid"


@pytest.mark.parametrize(
    ("toml", "names"),
    [
        ("[tasks]\nrounds = 3\n", ["tasks"]),
        ('[task]\nrounds = "ten"\n', ["task.rounds", "'ten'"]),
        ('[task]\nquorum = "most"\n', ["task.quorum", "'most'"]),
        ("[training]\nlr = true\n", ["training.lr"]),
        ("task = 5\n", ["[task]", "table"]),
        ("[task]\nquorum = 0.5\n", ["task.quorum", "0.5"]),
        ("[task]\nquorum = 0.3\n", ["task.quorum", "0.3"]),
        ("[task]\nquorum = 1.5\n", ["task.quorum", "1.5"]),
        ('[task]\nrule = "median-of-means"\n', ["task.rule", "median-of-means", "fedavg"]),
        ('[data]\npartition = "shuffled"\n', ["data.partition", "shuffled"]),
        ('[data]\npartition = "dirichlet:abc"\n', ["data.partition", "dirichlet:abc"]),
        ('[data]\npartition = "dirichlet:0"\n', ["data.partition", "dirichlet:0"]),
        ('[data]\ndataset = "cifar"\n', ["data.dataset", "cifar"]),
        ('[task]\nmin_stake = "lots"\n', ["task.min_stake", "lots"]),
        ('[task]\nreward_per_round = "-1"\n', ["task.reward_per_round"]),
        ("[task]\nrounds = 0\n", ["task.rounds"]),
        ("[task]\ncommit_seconds = 0\n", ["task.commit_seconds"]),
        ("[task]\nmax_participants = 257\n", ["task.max_participants"]),
        ('[training]\noptimizer = "lbfgs"\n', ["training.optimizer", "lbfgs"]),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_load_task_file_names_the_key_when_a_value_is_wrong(
    tmp_path: Path, toml: str, names: list[str]
) -> None:
    message = _error(tmp_path, toml)

    for name in names:
        assert name in message


def test_load_task_file_names_the_path_when_the_file_is_missing(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"

    with pytest.raises(
        ConfigError, match=rf"No task config at {missing}; see examples/digits.toml\."
    ):
        load_task_file(missing)


def test_load_task_file_names_line_and_column_when_the_toml_is_invalid(tmp_path: Path) -> None:
    message = _error(tmp_path, "[task]\nrounds 3\n")

    assert "is not valid TOML" in message
    assert "line 2" in message


def test_load_task_file_names_the_key_when_a_list_is_a_number(tmp_path: Path) -> None:
    message = _error(tmp_path, "[model]\nhidden_sizes = 64\n")

    assert "hidden_sizes" in message


def test_load_task_file_names_the_key_when_it_is_misspelt(tmp_path: Path) -> None:
    message = _error(tmp_path, "[task]\nrouns = 3\n")

    assert "task.rouns" in message
