"""The local devnet: an Anvil process on a free loopback port, its chain kept in a state dir.

A state dir (default ``./.flchain/devnet``, or ``$FLCHAIN_HOME/devnet``) holds:

- ``state.json``: Anvil's chain state, loaded at start and dumped when Anvil exits on
  SIGINT/SIGTERM (``anvil --state``), so contracts and transactions survive a restart;
- ``devnet.json``: the running devnet's URL and pid (:mod:`flchain.chain.devnet_record`);
- ``anvil.log`` / ``anvil.stderr.log``: Anvil's output of its latest run.

Use it attached (``with Devnet(state_dir=...) as dn: dn.rpc_url``, stopped on exit) or
detached (:func:`start_devnet` returns while Anvil keeps running; :func:`stop_devnet`).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from flchain.chain.anvil import (
    DEV_ACCOUNT_COUNT,
    check_port_free,
    continue_clock,
    find_anvil,
    pid_is_anvil,
    stop_pid,
    stop_process,
    wait_until_listening,
)
from flchain.chain.devnet_record import (
    INFO_FILE,
    DevnetInfo,
    DevnetStatus,
    default_state_dir,
    devnet_status,
    read_devnet_info,
    remove_info,
    resolve_dir,
    write_info,
)
from flchain.errors import DevnetError
from flchain.home import HOME_ENV as HOME_ENV_NAME

__all__ = [
    "DEFAULT_STARTUP_TIMEOUT",
    "DEVNET_CHAIN_ID",
    "HOME_ENV",
    "Devnet",
    "DevnetInfo",
    "DevnetStatus",
    "default_state_dir",
    "devnet_status",
    "read_devnet_info",
    "reset_devnet",
    "start_devnet",
    "stop_devnet",
]

logger = logging.getLogger(__name__)

#: Anvil's default chain id; dev accounts are only allowed on it.
DEVNET_CHAIN_ID = 31337
#: Environment variable for flchain's home; the devnet lives in ``$FLCHAIN_HOME/devnet``.
HOME_ENV = HOME_ENV_NAME
DEFAULT_STARTUP_TIMEOUT = 20.0

_CHAIN_STATE_FILE = "state.json"
_STDOUT_LOG = "anvil.log"
_STDERR_LOG = "anvil.stderr.log"

# Detached Anvil processes started by this Python process, by pid. Holding the Popen keeps
# it from warning "still running" when collected, and lets a stop in the same process reap it.
_DETACHED: dict[int, subprocess.Popen[bytes]] = {}


class Devnet:
    """An Anvil devnet owned by this object: ``start()``/``stop()`` or a ``with`` block.

    ``state_dir=None`` runs an ephemeral chain in a temporary directory. With a state dir,
    ``persist=True`` (the default) keeps the chain there across stop/start. ``detached=True``
    starts Anvil in its own session so it outlives this process (used by ``start_devnet``).
    """

    def __init__(
        self,
        state_dir: Path | str | None = None,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        block_time: float | None = None,
        persist: bool = True,
        detached: bool = False,
        mining: bool = True,
        anvil: Path | None = None,
        extra_args: tuple[str, ...] = (),
        startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
    ) -> None:
        self._temp: tempfile.TemporaryDirectory[str] | None = None
        if state_dir is None:
            self._temp = tempfile.TemporaryDirectory(prefix="flchain-devnet-")
            state_dir, persist = self._temp.name, False
        self.state_dir = Path(state_dir).resolve()
        self._port = port
        self._host = host
        self._block_time = block_time
        self._persist = persist
        self._detached = detached
        self._mining = mining
        self._anvil = anvil
        self._extra_args = extra_args
        self._startup_timeout = startup_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._info: DevnetInfo | None = None

    @property
    def info(self) -> DevnetInfo:
        if self._info is None:
            raise DevnetError("The devnet is not running; call start() or use it in a `with`.")
        return self._info

    @property
    def rpc_url(self) -> str:
        return self.info.rpc_url

    @property
    def pid(self) -> int:
        return self.info.pid

    @property
    def chain_state_path(self) -> Path:
        return self.state_dir / _CHAIN_STATE_FILE

    def _command(self, anvil: Path) -> list[str]:
        command = [str(anvil), "--host", self._host, "--port", str(self._port)]
        if self._block_time is not None:  # interval mining: the clock moves on its own
            command += ["--block-time", f"{self._block_time:g}"]
        if "--accounts" not in self._extra_args:
            command += ["--accounts", str(DEV_ACCOUNT_COUNT)]  # every dev:N funded with ETH
        if self._persist:
            command += ["--state", str(self.chain_state_path)]
        if not self._mining:
            command.append("--no-mining")
        return [*command, *self._extra_args]

    def _refuse_if_running(self) -> None:
        status = devnet_status(self.state_dir)
        if status.running and status.info is not None:
            raise DevnetError(
                f"A devnet already runs at {status.info.rpc_url} (pid {status.info.pid}) "
                f"for {self.state_dir}; stop it with `flchain devnet stop` or use another "
                "state dir."
            )

    def start(self) -> DevnetInfo:
        """Start Anvil and wait until it answers; returns what ``devnet.json`` records."""
        if self._info is not None:
            return self._info
        try:
            return self._start()
        except BaseException:
            if self._temp is not None:
                self._temp.cleanup()
                self._temp = None
            raise

    def _spawn(self, anvil: Path) -> subprocess.Popen[bytes]:
        stdout_log, stderr_log = self.state_dir / _STDOUT_LOG, self.state_dir / _STDERR_LOG
        with stdout_log.open("wb") as out, stderr_log.open("wb") as err:
            try:
                return subprocess.Popen(
                    self._command(anvil),
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    start_new_session=self._detached,
                )
            except OSError as exc:
                raise DevnetError(f"Cannot run {anvil}: {exc}; reinstall with `npm ci`.") from exc

    def _start(self) -> DevnetInfo:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._refuse_if_running()
        check_port_free(self._host, self._port)
        anvil = self._anvil or find_anvil()
        reloading = self._persist and self.chain_state_path.is_file()
        proc = self._spawn(anvil)
        try:
            url, chain_id = wait_until_listening(
                proc,
                self.state_dir / _STDOUT_LOG,
                self.state_dir / _STDERR_LOG,
                self._startup_timeout,
            )
            if reloading:
                continue_clock(url)
        except DevnetError as exc:
            stop_process(proc)
            if not reloading:
                raise
            raise DevnetError(
                f"{exc}\nIf the saved chain {self.chain_state_path} is damaged, "
                "`flchain devnet reset` deletes it so the next start is a fresh chain."
            ) from exc
        except BaseException:
            stop_process(proc)
            raise
        if self._detached:
            _DETACHED[proc.pid] = proc
        else:
            self._proc = proc
        started_at = datetime.now(UTC).isoformat(timespec="seconds")
        self._info = DevnetInfo(
            url, proc.pid, chain_id, self.state_dir, started_at, self._persist, str(anvil)
        )
        write_info(self._info)
        logger.info("Devnet started at %s (pid %s, chain %s)", url, proc.pid, chain_id)
        return self._info

    def stop(self, timeout: float = 10.0) -> None:
        """Stop Anvil (SIGINT -> SIGTERM -> SIGKILL); with persistence, it dumps its state."""
        if self._info is not None:
            _stop_recorded(self._info, timeout, self._proc)
            self._info, self._proc = None, None
        if self._temp is not None:
            self._temp.cleanup()
            self._temp = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _stop_recorded(
    info: DevnetInfo, timeout: float, proc: subprocess.Popen[bytes] | None = None
) -> None:
    proc = proc or _DETACHED.pop(info.pid, None)
    if proc is not None:
        stop_process(proc, timeout)
    elif pid_is_anvil(info.pid):
        stop_pid(info.pid, timeout)
    remove_info(info.state_dir, info.pid)
    logger.info("Devnet at %s (pid %s) stopped", info.rpc_url, info.pid)


def start_devnet(
    state_dir: Path | str | None = None,
    *,
    port: int = 0,
    host: str = "127.0.0.1",
    block_time: float | None = None,
    startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
) -> DevnetInfo:
    """Start a persistent devnet in the background and return once it answers (``host``:
    the address to listen on; ``block_time``: mine a block every S seconds)."""
    return Devnet(
        resolve_dir(state_dir),
        port=port,
        host=host,
        block_time=block_time,
        detached=True,
        startup_timeout=startup_timeout,
    ).start()


def stop_devnet(state_dir: Path | str | None = None, timeout: float = 10.0) -> DevnetInfo | None:
    """Stop the devnet recorded in the state dir; None if none was running."""
    directory = resolve_dir(state_dir)
    info = read_devnet_info(directory)
    if info is None:
        return None
    running = pid_is_anvil(info.pid)
    _stop_recorded(info, timeout)
    return info if running else None


def reset_devnet(state_dir: Path | str | None = None) -> DevnetInfo | None:
    """Stop the devnet (if running) and delete its chain, so the next start is a fresh chain."""
    directory = resolve_dir(state_dir)
    stopped = stop_devnet(directory)
    for name in (_CHAIN_STATE_FILE, INFO_FILE, _STDOUT_LOG, _STDERR_LOG):
        path = directory / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    logger.info("Devnet state in %s deleted", directory)
    return stopped
