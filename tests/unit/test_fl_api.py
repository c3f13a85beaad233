"""The public API of flchain.fl: the layer and its privacy package re-export every public name
of their modules (each module's own __all__ is checked in test_public_api.py)."""

from __future__ import annotations

import importlib


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
