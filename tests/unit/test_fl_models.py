"""Model specs (canonical JSON) and the models they build."""

from __future__ import annotations

import pytest
import torch

from flchain.errors import ConfigError
from flchain.fl.models import ModelSpec, build_model, select_device

SPECS = [
    ModelSpec("logreg", (1, 8, 8), 10),
    ModelSpec("mlp", (64,), 10, hidden_sizes=(32, 16)),
    ModelSpec("cnn", (1, 8, 8), 10, hidden_sizes=(16,), channels=(4, 8)),
    ModelSpec("cnn", (1, 28, 28), 10, channels=(8, 16)),
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.family}{s.input_shape}")
def test_build_model_outputs_one_logit_per_class_when_given_a_batch(spec: ModelSpec) -> None:
    model = build_model(spec, seed=0)

    logits = model(torch.zeros(3, *spec.input_shape))

    assert logits.shape == (3, spec.num_classes)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.family}{s.input_shape}")
def test_build_model_gives_identical_weights_when_seed_is_the_same(spec: ModelSpec) -> None:
    first, second = build_model(spec, seed=7), build_model(spec, seed=7)

    for (name, a), b in zip(first.state_dict().items(), second.state_dict().values(), strict=True):
        assert torch.equal(a, b), name


def test_build_model_gives_other_weights_when_seed_differs() -> None:
    first, second = build_model(SPECS[1], seed=1), build_model(SPECS[1], seed=2)

    assert not torch.equal(first.state_dict()["1.weight"], second.state_dict()["1.weight"])


def test_build_model_leaves_global_rng_untouched_when_called() -> None:
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)

    build_model(SPECS[0], seed=5)

    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.family}{s.input_shape}")
def test_spec_round_trips_when_serialized_to_json(spec: ModelSpec) -> None:
    assert ModelSpec.from_json(spec.to_json()) == spec


def test_spec_json_is_canonical_when_serialized() -> None:
    spec = ModelSpec("mlp", (1, 8, 8), 10, hidden_sizes=(64,))

    assert spec.to_json() == (
        b'{"channels":[],"family":"mlp","hidden_sizes":[64],"input_shape":[1,8,8],'
        b'"num_classes":10,"version":1}'
    )


@pytest.mark.parametrize(
    ("document", "key"),
    [
        (b"not json", "JSON"),
        (b"[]", "object"),
        (b'{"version":1,"family":"mlp","input_shape":[64]}', "num_classes"),
        (b'{"version":2,"family":"mlp","input_shape":[64],"num_classes":10}', "version"),
        (b'{"version":1,"family":"rnn","input_shape":[64],"num_classes":10}', "family"),
        (b'{"version":1,"family":"mlp","input_shape":[0],"num_classes":10}', "input_shape"),
        (b'{"version":1,"family":"mlp","input_shape":64,"num_classes":10}', "input_shape"),
        (b'{"version":1,"family":"mlp","input_shape":[64],"num_classes":1}', "num_classes"),
        (b'{"version":1,"family":"mlp","input_shape":[64],"num_classes":10,"x":1}', "x"),
    ],
)
def test_from_json_raises_config_error_naming_the_key_when_invalid(
    document: bytes, key: str
) -> None:
    with pytest.raises(ConfigError, match=key):
        ModelSpec.from_json(document)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ModelSpec("logreg", (64,), 10, hidden_sizes=(8,)),
        lambda: ModelSpec("mlp", (64,), 10, channels=(4,)),
        lambda: ModelSpec("cnn", (64,), 10, channels=(4,)),
        lambda: ModelSpec("cnn", (1, 8, 8), 10),
        lambda: ModelSpec("cnn", (1, 4, 4), 10, channels=(2, 2, 2)),
    ],
)
def test_spec_raises_config_error_when_sizes_do_not_fit_the_family(make: object) -> None:
    assert callable(make)
    with pytest.raises(ConfigError):
        make()


def test_select_device_returns_cuda_or_cpu_when_called() -> None:
    expected = "cuda" if torch.cuda.is_available() else "cpu"

    assert select_device().type == expected
