"""Where flchain keeps its files: ``$FLCHAIN_HOME`` if set, else ``./.flchain``.

Under the home: ``devnet/`` (the local chain), ``store/`` (the embedded content store),
``participants/`` (participants' journals) and, when ``FLCHAIN_HOME`` is set,
``deployments/`` (deployment records; without it they stay in ``./deployments`` beside the
project). Set ``FLCHAIN_HOME`` and every command works the same from any directory.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["HOME_ENV", "deployments_home", "home_dir", "journal_home", "store_home"]

#: Environment variable naming flchain's home directory.
HOME_ENV = "FLCHAIN_HOME"


def home_dir() -> Path:
    """``$FLCHAIN_HOME``, else ``./.flchain`` (relative to the current directory)."""
    home = os.environ.get(HOME_ENV)
    return Path(home).expanduser() if home else Path.cwd() / ".flchain"


def store_home() -> Path:
    """The embedded store's default directory."""
    return home_dir() / "store"


def journal_home() -> Path:
    """The default directory of participants' journals."""
    return home_dir() / "participants"


def deployments_home() -> Path:
    """``$FLCHAIN_HOME/deployments`` when FLCHAIN_HOME is set, else ``./deployments``."""
    home = os.environ.get(HOME_ENV)
    return Path(home).expanduser() / "deployments" if home else Path.cwd() / "deployments"
