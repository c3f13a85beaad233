"""How a participant trains and what it releases under the task's DP parameters."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from flchain.fl import (
    ArrayDataset,
    build_model,
    encode_model,
    encode_state,
    flatten_state,
    load_digits_dataset,
)
from flchain.fl.privacy import PrivacyParams
from flchain.protocol.documents import TaskDocument
from flchain.roles.privacy.training import fit_local, release_state
from flchain.roles.taskfile import load_task_file

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "digits.toml"


@pytest.fixture(scope="module")
def plain() -> TaskDocument:
    return dataclasses.replace(
        load_task_file(EXAMPLE).document,
        training=dataclasses.replace(load_task_file(EXAMPLE).document.training, epochs=1),
    )


@pytest.fixture(scope="module")
def data() -> ArrayDataset:
    return load_digits_dataset().subset(np.arange(300))


def with_privacy(doc: TaskDocument, privacy: PrivacyParams) -> TaskDocument:
    return dataclasses.replace(doc, privacy=privacy)


def test_fit_local_repeats_for_a_seed_without_dp_and_not_under_dp_sgd(
    plain: TaskDocument, data: ArrayDataset
) -> None:
    private = with_privacy(plain, PrivacyParams("sample", 1.0, 1.0, 1e-5, sample_rate=0.1))
    runs = {}
    for name, doc in (("plain", plain), ("private", private)):
        models = [build_model(doc.model, seed=0) for _ in range(2)]
        for model in models:
            fit_local(model, data, doc, seed=7, device="cpu")
        runs[name] = [encode_model(m) for m in models]

    assert runs["plain"][0] == runs["plain"][1]
    # The public seed does not drive DP-SGD: sampling and noise come from a secret seed.
    assert runs["private"][0] != runs["private"][1]


def test_release_state_clips_noises_and_weights_one_when_mode_is_client(
    plain: TaskDocument,
) -> None:
    clip = 0.5
    doc = with_privacy(plain, PrivacyParams("client", 1e-6, clip, 1e-5))
    parent_model = build_model(doc.model, seed=0)
    trained = build_model(doc.model, seed=1)  # far from the parent: must be clipped
    parent = encode_model(parent_model)

    state, weight = release_state(trained.state_dict(), parent, doc, 250, lambda: 4)

    moved = flatten_state(state).astype(np.float64) - flatten_state(parent_model.state_dict())
    assert weight == 1
    assert np.linalg.norm(moved) == pytest.approx(clip, rel=1e-3)  # clipped, tiny noise


def test_release_state_adds_noise_of_the_share_std_when_mode_is_client(
    plain: TaskDocument,
) -> None:
    doc = with_privacy(plain, PrivacyParams("client", 2.0, 1.0, 1e-5, colluders=1))
    model = build_model(doc.model, seed=0)
    parent = encode_model(model)

    state, _ = release_state(model.state_dict(), parent, doc, 250, lambda: 5)

    noise = flatten_state(state).astype(np.float64) - flatten_state(model.state_dict())
    expected = 2.0 * 1.0 / np.sqrt(5 - 1)
    draws = noise.size  # 4810 parameters: 6 standard errors of the variance ratio
    assert abs(noise.var() / expected**2 - 1) < 6 * np.sqrt(2 / (draws - 1))


@pytest.mark.parametrize("mode", ["none", "sample"])
def test_release_state_is_the_trained_state_and_its_samples_when_not_client_level(
    plain: TaskDocument, mode: str
) -> None:
    doc = (
        plain
        if mode == "none"
        else with_privacy(plain, PrivacyParams("sample", 1.0, 1.0, 1e-5, sample_rate=0.1))
    )
    model = build_model(doc.model, seed=0)

    state, weight = release_state(model.state_dict(), encode_model(model), doc, 250, lambda: 4)

    assert weight == 250
    assert encode_state(state) == encode_model(model)
