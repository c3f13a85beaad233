"""The package's layers (README, "Architecture"): every import in python/flchain, at module
level or inside a function, points down the table, and each layer stays ignorant of what it
must not know (web3 for `fl`, torch for `protocol`, both for `crypto`, ...)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "python" / "flchain"

#: The foundation every layer may use: errors, lazy re-exports, FLCHAIN_HOME, named networks.
FOUNDATION = frozenset({"errors", "exports", "home", "networks"})
#: layer -> the flchain layers it may import (besides itself and the foundation).
MAY_IMPORT: dict[str, frozenset[str]] = {
    "cli": frozenset({"ui", "demo", "roles", "protocol", "fl", "storage", "crypto", "chain"}),
    "ui": frozenset({"roles", "protocol", "fl", "storage", "crypto", "chain"}),
    "demo": frozenset({"roles", "protocol", "fl", "storage", "crypto", "chain"}),
    "roles": frozenset({"protocol", "fl", "storage", "crypto", "chain"}),
    "protocol": frozenset({"storage", "crypto", "chain"}),
    "fl": frozenset(),
    "storage": frozenset(),
    "crypto": frozenset(),
    "chain": frozenset(),
}
#: layer -> single modules of a layer it may not import as a whole: the task document (a wire
#: format, the protocol's) holds the learning layer's model spec and privacy parameters, data
#: modules that load neither torch nor numpy.
MAY_IMPORT_MODULES: dict[str, frozenset[str]] = {
    "protocol": frozenset({"flchain.fl.model_spec", "flchain.fl.privacy.params"}),
}
#: layer -> third-party packages it must never import.
MUST_NOT_IMPORT: dict[str, frozenset[str]] = {
    "protocol": frozenset({"torch", "opacus"}),
    "fl": frozenset({"web3", "eth_account", "eth_abi"}),
    "storage": frozenset({"web3", "eth_account", "torch"}),
    "crypto": frozenset({"web3", "eth_account", "torch"}),
    "chain": frozenset({"torch", "numpy"}),
}

#: Inside `roles`: the concern packages stay apart, and the core roles (roles/*.py) use the
#: privacy package (private rounds, DP training) but never the data package (the CLI, the
#: dashboard and the demo load data for them). part -> roles packages it must not import.
ROLES_APART: dict[str, frozenset[str]] = {
    "data": frozenset({"flchain.roles.privacy"}),
    "privacy": frozenset({"flchain.roles.data"}),
    "": frozenset({"flchain.roles.data"}),
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def test_every_top_level_package_is_a_known_layer_or_foundation() -> None:
    layers = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    assert layers - {"_bundle"} == set(MAY_IMPORT)
    assert modules == FOUNDATION


@pytest.mark.parametrize("layer", sorted(MAY_IMPORT))
def test_imports_of_a_layer_point_down_the_table(layer: str) -> None:
    allowed = MAY_IMPORT[layer] | FOUNDATION | {layer}
    upward = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in _modules(layer)
        for name in _imports(path)
        if name.startswith("flchain.")
        and name.split(".")[1] not in allowed
        and name not in MAY_IMPORT_MODULES.get(layer, frozenset())
    }
    assert not upward, f"{layer} imports layers above it or beside it: {sorted(upward)}"


@pytest.mark.parametrize("layer", sorted(MUST_NOT_IMPORT))
def test_a_layer_never_imports_what_it_must_not_know(layer: str) -> None:
    forbidden = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in _modules(layer)
        for name in _imports(path)
        if name.split(".")[0] in MUST_NOT_IMPORT[layer]
    }
    assert not forbidden, f"{layer} imports {sorted(forbidden)}"


def test_the_foundation_imports_no_layer() -> None:
    for name in FOUNDATION:
        imported = _imports(PACKAGE / f"{name}.py")
        assert all(i.split(".")[1] in FOUNDATION for i in imported if i.startswith("flchain."))


@pytest.mark.parametrize("part", sorted(ROLES_APART))
def test_roles_packages_import_no_concern_they_must_stay_apart_from(part: str) -> None:
    folder = PACKAGE / "roles" / part
    paths = sorted(folder.glob("*.py")) if part == "" else _modules(f"roles/{part}")
    crossing = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in paths
        for name in _imports(path)
        if any(name == f or name.startswith(f"{f}.") for f in ROLES_APART[part])
    }
    assert not crossing, f"roles/{part} imports {sorted(crossing)}"
