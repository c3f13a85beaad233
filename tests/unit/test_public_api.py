"""The public API of the layers: every name in a module's __all__ exists and none is listed
twice, and a layer loads without the heavy or foreign packages it must not pull in."""

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
    "flchain.fl",
    "flchain.fl.aggregation",
    "flchain.fl.aggregation.fedavg",
    "flchain.fl.aggregation.fixedpoint",
    "flchain.fl.aggregation.registry",
    "flchain.fl.aggregation.result",
    "flchain.fl.aggregation.secure_fedavg",
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
    "flchain.ui",
    "flchain.ui.app",
    "flchain.ui.evaluation",
    "flchain.ui.format",
    "flchain.ui.live",
    "flchain.ui.queries",
    "flchain.ui.server",
    "flchain.ui.source",
    "flchain.cli.ui",
]

#: module -> packages importing it must not load (pure layers; the CLI without the dashboard).
LOADS_WITHOUT = {
    "flchain.crypto": ("web3", "torch"),
    "flchain.protocol.documents": ("torch", "web3"),
    "flchain.cli.main": ("starlette", "uvicorn", "jinja2"),
}


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_existing_names_once_when_module_is_imported(name: str) -> None:
    module = importlib.import_module(name)

    exported = module.__all__

    assert len(set(exported)) == len(exported)
    assert [n for n in exported if not hasattr(module, n)] == []


@pytest.mark.parametrize(("name", "absent"), sorted(LOADS_WITHOUT.items()))
def test_module_loads_without_the_packages_it_must_not_pull_in(
    name: str, absent: tuple[str, ...]
) -> None:
    code = f"import sys, {name}; print(sorted(m for m in {absent!r} if m in sys.modules))"

    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert loaded.stdout.strip() == "[]"
