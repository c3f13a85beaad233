"""The private and secure_aggregation task options: parsed, checked against the rule, and kept
out of the task document of tasks that do not use them (so their CIDs do not change)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from flchain.errors import ConfigError
from flchain.protocol.documents import TaskDocument
from flchain.roles.taskfile import load_task_file

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "digits.toml"


def _with_task_lines(tmp_path: Path, lines: str) -> Path:
    text = EXAMPLE.read_text().replace("[task]\n", f"[task]\n{lines}\n", 1)
    path = tmp_path / "task.toml"
    path.write_text(text)
    return path


def test_private_options_reach_the_task_document_when_set(tmp_path: Path) -> None:
    task = load_task_file(_with_task_lines(tmp_path, "private = true\nsecure_aggregation = true"))

    doc = TaskDocument.from_json(task.document.to_json())

    assert (doc.private, doc.secure_aggregation) == (True, True)
    assert json.loads(task.document.to_json())["private"] is True


def test_document_of_a_task_without_privacy_keeps_its_bytes() -> None:
    doc = load_task_file(EXAMPLE).document

    assert "private" not in json.loads(doc.to_json())
    assert "secure_aggregation" not in json.loads(doc.to_json())
    assert TaskDocument.from_json(doc.to_json()) == doc
    assert dataclasses.replace(doc, private=True).to_json() != doc.to_json()


def test_secure_aggregation_is_refused_when_the_task_is_not_private(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"needs task\.private = true"):
        load_task_file(_with_task_lines(tmp_path, "secure_aggregation = true"))


def test_secure_aggregation_is_refused_when_the_rule_is_not_fedavg(tmp_path: Path) -> None:
    path = _with_task_lines(tmp_path, "private = true\nsecure_aggregation = true")
    path.write_text(path.read_text().replace('rule = "fedavg"', 'rule = "median"'))

    with pytest.raises(ConfigError) as caught:
        load_task_file(path)

    assert "works with rule 'fedavg' only, got 'median'" in str(caught.value)


def test_private_must_be_a_boolean_when_given(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"task\.private must be true or false"):
        load_task_file(_with_task_lines(tmp_path, 'private = "yes"'))
