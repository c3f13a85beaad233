"""The Anvil binary and its process: find it, start it, wait for it, stop it.

Nothing here knows about state files or the CLI; :mod:`flchain.chain.devnet` builds the
devnet on top. Processes are stopped the way web3.py's own test suite stops its nodes:
SIGINT (Anvil dumps its state and exits), then SIGTERM, then SIGKILL.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from flchain.errors import DevnetError

__all__ = [
    "ANVIL_ENV",
    "DEV_ACCOUNT_COUNT",
    "check_port_free",
    "continue_clock",
    "find_anvil",
    "pid_alive",
    "pid_is_anvil",
    "rpc_request",
    "stop_pid",
    "stop_process",
    "wait_until_listening",
]

logger = logging.getLogger(__name__)

#: Environment variable naming an Anvil binary to use instead of searching for one.
ANVIL_ENV = "FLCHAIN_ANVIL"

_LISTENING = re.compile(r"Listening on (\S+):(\d+)")
_POLL_SECONDS = 0.05
_PACKAGE_DIR = Path(__file__).resolve().parent

#: Dev accounts flchain derives and the devnet funds (Anvil's `--accounts`).
DEV_ACCOUNT_COUNT = 32


def _candidates_below(node_modules: Path) -> list[Path]:
    """Where npm puts Anvil in one node_modules: the platform package's binary (preferred:
    signals reach it directly), then the ``.bin`` entry (a symlink or a launcher)."""
    found = sorted(node_modules.glob("@foundry-rs/anvil-*/bin/anvil"))
    return [*found, node_modules / ".bin" / "anvil"]


def find_anvil(search_from: Sequence[Path] = ()) -> Path:
    """Return the Anvil executable to run.

    Order: ``$FLCHAIN_ANVIL``; ``node_modules`` of the given directories, the current
    directory and the flchain package location, each searched upward; ``anvil`` on PATH.
    """
    explicit = os.environ.get(ANVIL_ENV)
    if explicit:
        path = Path(explicit)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise DevnetError(f"${ANVIL_ENV} is {explicit}, which is not an executable file.")
    starts = [*search_from, Path.cwd(), _PACKAGE_DIR]
    for start in starts:
        for directory in (start.resolve(), *start.resolve().parents):
            for candidate in _candidates_below(directory / "node_modules"):
                if candidate.is_file() and os.access(candidate, os.X_OK):
                    return candidate.resolve()
    on_path = shutil.which("anvil")
    if on_path:
        return Path(on_path)
    raise DevnetError(
        "Anvil was not found in node_modules (searched upward from "
        f"{Path.cwd()} and {_PACKAGE_DIR}) nor on PATH; install it with `npm ci` in the "
        f"flchain project, or point ${ANVIL_ENV} at an anvil binary."
    )


def rpc_request(
    url: str, method: str, params: Sequence[object] = (), timeout: float = 2.0
) -> object:
    """One JSON-RPC call without web3 (used before a Web3 exists, and by ``status``).

    Raises OSError (and its subclasses, such as URLError) when nothing answers, and
    DevnetError when the node answers with an error.
    """
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    request = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        reply = json.loads(response.read())
    if "error" in reply:
        raise DevnetError(f"{method} at {url} failed: {reply['error']}")
    return reply.get("result")


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def _listening_address(log_path: Path) -> str | None:
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return None
    match = _LISTENING.search(text)
    return f"http://{match.group(1)}:{match.group(2)}" if match else None


def wait_until_listening(
    proc: subprocess.Popen[bytes], stdout_log: Path, stderr_log: Path, timeout: float
) -> tuple[str, int]:
    """Wait until Anvil prints its address and answers ``eth_chainId``; return (url, chain id).

    On failure the process is stopped and DevnetError carries the tail of its stderr.
    """
    deadline = time.monotonic() + timeout
    url: str | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DevnetError(
                f"Anvil exited with code {proc.returncode} while starting; its stderr ends "
                f"with:\n{_tail(stderr_log) or _tail(stdout_log) or '(empty)'}"
            )
        url = url or _listening_address(stdout_log)
        if url is not None:
            try:
                chain_id = rpc_request(url, "eth_chainId", timeout=1.0)
            except (OSError, DevnetError):
                pass
            else:
                return url, int(str(chain_id), 16)
        time.sleep(_POLL_SECONDS)
    stop_process(proc)
    raise DevnetError(
        f"Anvil did not answer eth_chainId within {timeout:.0f}s "
        f"(address seen: {url or 'none'}); it was stopped. Its stderr ends with:\n"
        f"{_tail(stderr_log) or '(empty)'}"
    )


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Stop a child process: SIGINT, then SIGTERM, then SIGKILL; always reap it."""
    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        if proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            logger.warning("Anvil (pid %s) still running after %.0fs; escalating", proc.pid, wait)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def pid_alive(pid: int) -> bool:
    """True if a live (not zombie) process has this pid."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def pid_is_anvil(pid: int) -> bool:
    """Guard against pid reuse: on Linux, check that the process runs an ``anvil`` binary."""
    if not sys.platform.startswith("linux"):
        return pid_alive(pid)
    try:
        argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0", 1)[0]
    except OSError:
        return False
    return Path(argv0.decode(errors="replace")).name == "anvil" and not _is_zombie(pid)


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(_POLL_SECONDS)
    return not pid_alive(pid)


def stop_pid(pid: int, timeout: float = 10.0) -> None:
    """Stop a process that is not (or no longer) our child: SIGINT, SIGTERM, SIGKILL."""
    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        if _wait_gone(pid, wait):
            return
        logger.warning("Anvil (pid %s) still running after %.0fs; escalating", pid, wait)
    raise DevnetError(f"Anvil (pid {pid}) survived SIGKILL; check it with `ps -p {pid}`.")


def continue_clock(url: str) -> None:
    """Keep block time monotonic after a reload.

    Anvil 1.7.1 restores blocks from ``--state`` but not the clock offset added by
    ``evm_increaseTime``: the next block would take the wall-clock time, earlier than the
    saved head if time had been moved forward. Restore just enough offset that the next
    block comes after the head; a head in the past needs nothing (wall clock continues).
    """
    try:
        head = rpc_request(url, "eth_getBlockByNumber", ["latest", False])
        if not isinstance(head, dict):
            return
        ahead = int(str(head["timestamp"]), 16) - int(time.time())
        if ahead >= 0:
            rpc_request(url, "evm_increaseTime", [ahead + 1])
    except (OSError, DevnetError, KeyError, ValueError) as exc:
        raise DevnetError(f"Anvil at {url} failed right after loading its state: {exc}.") from exc
    if ahead >= 0:
        logger.info("Reloaded chain head is %ss ahead of the clock; time offset restored", ahead)


def check_port_free(host: str, port: int) -> None:
    """DevnetError unless ``host:port`` can be listened on (port 0: any free port)."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as a server would
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = (
                "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
            )
            raise DevnetError(
                f"Port {port} on {host} {reason}: another program listens there; pick another "
                "--port, or --port 0 for a free one (the saved chain is untouched)."
            ) from exc
