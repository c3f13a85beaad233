"""The public API of flchain.fl: every name in __all__ exists, none is listed twice."""

from __future__ import annotations

import importlib

import pytest

MODULES = [
    "flchain.fl",
    "flchain.fl.aggregation",
    "flchain.fl.aggregation.fedavg",
    "flchain.fl.aggregation.fixedpoint",
    "flchain.fl.aggregation.registry",
    "flchain.fl.aggregation.result",
    "flchain.fl.aggregation.updates",
    "flchain.fl.data",
    "flchain.fl.encoding",
    "flchain.fl.idx",
    "flchain.fl.models",
    "flchain.fl.partition",
    "flchain.fl.privacy",
    "flchain.fl.privacy.accounting",
    "flchain.fl.privacy.dpsgd",
    "flchain.fl.privacy.gaussian",
    "flchain.fl.privacy.params",
    "flchain.fl.simulation",
    "flchain.fl.training",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_existing_names_once_when_module_is_imported(name: str) -> None:
    module = importlib.import_module(name)

    exported = module.__all__

    assert len(set(exported)) == len(exported)
    assert [n for n in exported if not hasattr(module, n)] == []


def test_fl_reexports_every_public_name_when_a_user_imports_the_layer() -> None:
    fl = importlib.import_module("flchain.fl")
    layer_modules = ["data", "encoding", "idx", "models", "partition", "simulation", "training"]

    missing = [
        n
        for m in layer_modules
        for n in importlib.import_module(f"flchain.fl.{m}").__all__
        if n not in fl.__all__ and not n.isupper()
    ]

    assert missing == []


def test_privacy_package_reexports_every_public_name_of_its_modules() -> None:
    privacy = importlib.import_module("flchain.fl.privacy")

    missing = [
        n
        for m in ("accounting", "dpsgd", "gaussian", "params")
        for n in importlib.import_module(f"flchain.fl.privacy.{m}").__all__
        if n not in privacy.__all__
    ]

    assert missing == []
