"""ABIs and migrations ship inside the installed package: built with setup.py's build hook
and used from a directory with no project around it, flchain deploys and reads its contracts
without a Hardhat build (the freshness check stays for a source checkout)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from flchain.chain.devnet import Devnet

PROJECT = Path(__file__).resolve().parents[2]


def test_an_installed_package_deploys_from_the_contracts_it_ships(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(lib)],
        cwd=PROJECT, check=True, capture_output=True,
    )  # fmt: skip
    host = tmp_path / "host"  # no hardhat.config.js here or above
    host.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLCHAIN_")}
    env |= {"PYTHONPATH": str(lib), "FLCHAIN_HOME": str(host / "home"), "OMP_NUM_THREADS": "1"}

    with Devnet() as devnet:
        deployed = subprocess.run(
            [sys.executable, "-m", "flchain", "deploy", "--rpc", devnet.rpc_url, "--json"],
            cwd=host, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        where = subprocess.run(
            [sys.executable, "-c", "import flchain.protocol.artifacts as a; "
             "print(a.find_project_root())"],
            cwd=host, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip

    assert deployed.returncode == 0, deployed.stderr
    assert json.loads(deployed.stdout)["applied"]
    assert where.stdout.strip() == str(lib / "flchain" / "_bundle")
