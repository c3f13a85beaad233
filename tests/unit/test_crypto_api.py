"""The public API of flchain.crypto: every name in __all__ exists, none is listed twice, and the
layer imports neither web3 nor torch (it is pure cryptography over bytes and integers)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

MODULES = [
    "flchain.crypto",
    "flchain.crypto.envelope",
    "flchain.crypto.keyring",
    "flchain.crypto.keys",
    "flchain.crypto.masks",
    "flchain.crypto.rounds",
    "flchain.crypto.scope",
    "flchain.fl.aggregation.secure_fedavg",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_existing_names_once_when_module_is_imported(name: str) -> None:
    module = importlib.import_module(name)

    exported = module.__all__

    assert len(set(exported)) == len(exported)
    assert [n for n in exported if not hasattr(module, n)] == []


def test_privacy_layer_loads_without_web3_or_torch() -> None:
    code = (
        "import sys, flchain.crypto; "
        "print(sorted(m for m in ('web3', 'torch') if m in sys.modules))"
    )

    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert loaded.stdout.strip() == "[]"
