"""A session builds its clients on first use: opening one for the coordinator alone never
loads the dataset or inference registry modules (a read-only command stays light)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_session_loads_no_registry_client_module() -> None:
    code = (
        "import sys, flchain.protocol.session as s; "
        "print(sorted(m for m in sys.modules if m.startswith('flchain.protocol.')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = done.stdout
    assert "flchain.protocol.session" in loaded
    for lazy in ("datasets_registry", "inference_registry", "notes"):
        assert f"flchain.protocol.{lazy}'" not in loaded
