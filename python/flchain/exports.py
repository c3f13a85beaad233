"""Lazy re-exports for a package's ``__init__`` (PEP 562): each public name is imported from
its module on first use, so importing the package loads nothing heavy. A package writes::

    _EXPORTS = {"build_model": "flchain.fl.models", ...}
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

and lists the same names under ``if TYPE_CHECKING:`` imports for the type checker.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose public ``name`` lives in the
    module ``exports[name]``; ``namespace`` is the package's ``globals()``."""

    def get(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # later look-ups skip this function
        return value

    def names() -> list[str]:
        return sorted({*namespace, *namespace["__all__"]})

    return get, names
