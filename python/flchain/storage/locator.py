"""Open the content store a user names: a directory (the embedded store) or the
``http(s)://`` URL of a Kubo RPC API (a Kubo daemon, or ``flchain ipfs serve`` on another
host). ``None`` means ``$FLCHAIN_STORE``, else the home's embedded store."""

from __future__ import annotations

import os
from pathlib import Path

from flchain.errors import ConfigError
from flchain.home import store_home
from flchain.storage.kubo import KuboStore
from flchain.storage.local import LocalStore
from flchain.storage.store import Store

__all__ = ["STORE_ENV", "is_store_url", "open_store"]

#: Environment variable naming the store when ``--store`` is not given.
STORE_ENV = "FLCHAIN_STORE"


def is_store_url(spec: str | Path) -> bool:
    """Whether ``spec`` names a remote store (a URL) rather than a directory."""
    return isinstance(spec, str) and "://" in spec


def open_store(spec: str | Path | None = None, *, cid_version: int = 1) -> Store:
    """The store ``spec`` names (see module docstring)."""
    if spec is None or spec == "":
        spec = os.environ.get(STORE_ENV) or store_home()
    if is_store_url(spec):
        text = str(spec)
        if not text.startswith(("http://", "https://")):
            raise ConfigError(
                f"--store {text.split('://', 1)[0]}://... is not supported; give a directory "
                "or the http(s):// URL of a Kubo RPC API (e.g. `flchain ipfs serve`)."
            )
        return KuboStore(text, cid_version=cid_version)
    path = Path(spec).expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"--store {path} is a file; give a directory or an http(s):// URL.")
    return LocalStore(path, cid_version=cid_version)
