"""``KuboStore``: a ``Store`` over Kubo's HTTP RPC API (``ipfs daemon``, port 5001),
or over ``flchain ipfs serve``, which answers the same subset.

Plain ``httpx``; every httpx exception is translated here into flchain's storage errors.
Adds use Kubo's default import settings (chunker size-262144, balanced layout), so the
CID the daemon returns must equal ``compute_cid``; reads are verified against the CID.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from flchain.errors import (
    ContentNotFoundError,
    IntegrityError,
    StorageError,
    StoreUnavailableError,
)
from flchain.storage.car import read_car
from flchain.storage.cid import RAW, Cid
from flchain.storage.unixfs import compute_cid, read_file

__all__ = ["DEFAULT_API_URL", "DEFAULT_FETCH_TIMEOUT", "KuboStore"]

DEFAULT_API_URL = "http://127.0.0.1:5001"
"""Where Kubo's RPC API (and ``flchain ipfs serve``) listen by default."""
DEFAULT_FETCH_TIMEOUT = 60.0
"""Seconds the daemon may spend finding content before it gives up (Kubo ``timeout``)."""
_CONNECT_TIMEOUT = 5.0
_HASH_MISMATCH = "block in storage has different hash than requested"
_NOT_FOUND_MARKERS = ("not found", "could not find", "deadline exceeded", "no link named")
logger = logging.getLogger(__name__)


class KuboStore:
    """Content store behind a Kubo RPC API at ``api_url``.

    ``fetch_timeout`` bounds how long the daemon searches the network for content;
    the HTTP read timeout is a little longer so the daemon's own answer arrives first.
    """

    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        *,
        cid_version: int = 1,
        fetch_timeout: float = DEFAULT_FETCH_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if cid_version not in (0, 1):
            raise ValueError(f"cid_version must be 0 or 1, got {cid_version}")
        self.cid_version = cid_version
        self.fetch_timeout = fetch_timeout
        self._url = str(httpx.URL(api_url).copy_with(username=None, password=None))
        timeout = httpx.Timeout(fetch_timeout + 10.0, connect=_CONNECT_TIMEOUT)
        self._client = httpx.Client(
            base_url=api_url.rstrip("/") + "/api/v0/", timeout=timeout, transport=transport
        )

    def __repr__(self) -> str:
        return f"KuboStore({self._url!r})"

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def __enter__(self) -> KuboStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- Store -------------------------------------------------------------------------

    def put(self, data: bytes) -> Cid:
        """Add ``data`` (pinned) and check the daemon's CID against our own computation."""
        expected = compute_cid(data, self.cid_version)
        params = {
            "cid-version": str(self.cid_version),
            "raw-leaves": str(self.cid_version == 1).lower(),
            "chunker": "size-262144",
            "hash": "sha2-256",
            "pin": "true",
        }
        files = {"file": ("data", data, "application/octet-stream")}
        with self._call("add", params=params, files=files) as response:
            lines = _ndjson(response, self._url)
        if not lines or "Hash" not in lines[-1]:
            raise StorageError(f"The IPFS API at {self._url} answered 'add' without a CID.")
        returned = Cid.parse(str(lines[-1]["Hash"]))
        if returned != expected:
            raise IntegrityError(
                f"The IPFS API at {self._url} returned CID {returned} for data whose CID is "
                f"{expected}; it does not import with Kubo's defaults (chunker size-262144, "
                "balanced layout), so flchain cannot use it."
            )
        logger.debug("added %s (%d bytes) to %s", expected, len(data), self._url)
        return expected

    def get(self, cid: Cid) -> bytes:
        """``cat`` the content, verified against ``cid``.

        Content imported with other settings than Kubo's defaults is verified block by
        block through ``dag/export`` instead.
        """
        with self._call("cat", cid=cid) as response:
            data = response.content
        if _matches(cid, data):
            return data
        logger.debug("%s is not a default-layout file; verifying it block by block", cid)
        return self._get_verified_dag(cid, data)

    def has(self, cid: Cid) -> bool:
        """Whether the daemon holds the root block locally (it does not search the network)."""
        try:
            with self._call("block/stat", cid=cid, params={"offline": "true"}):
                return True
        except ContentNotFoundError:
            return False

    def pin(self, cid: Cid) -> None:
        """Pin ``cid`` recursively on the daemon."""
        with self._call("pin/add", cid=cid, params={"recursive": "true"}):
            return

    # -- beyond the Store protocol ---------------------------------------------------------

    def version(self) -> str:
        """The daemon's version string (Kubo's, or flchain's for ``flchain ipfs serve``)."""
        with self._call("version") as response:
            return str(_json(response).get("Version", ""))

    def import_car(self, data: bytes, *, pin_roots: bool = True) -> tuple[Cid, ...]:
        """``ipfs dag import`` a CARv1 archive; return its roots."""
        params = {"pin-roots": str(pin_roots).lower()}
        files = {"file": ("data.car", data, "application/vnd.ipld.car")}
        with self._call("dag/import", params=params, files=files) as response:
            lines = _ndjson(response, self._url)
        try:
            return tuple(Cid.parse(line["Root"]["Cid"]["/"]) for line in lines if "Root" in line)
        except (KeyError, TypeError) as exc:
            raise StorageError(
                f"The IPFS API at {self._url} answered dag/import with unexpected JSON "
                f"(missing {exc}); is it a Kubo RPC API?"
            ) from exc

    def export_car(self, cid: Cid) -> bytes:
        """``ipfs dag export``: the CARv1 archive of the DAG under ``cid``, blocks verified."""
        with self._call("dag/export", cid=cid) as response:
            data = response.content
        read_car(data)
        return data

    # -- plumbing --------------------------------------------------------------------------

    def _get_verified_dag(self, cid: Cid, served: bytes) -> bytes:
        try:
            car = read_car(self.export_car(cid))
        except StoreUnavailableError:
            raise
        except StorageError as exc:
            raise IntegrityError(
                f"The IPFS API at {self._url} served {len(served)} bytes for {cid} that do not "
                f"match it, and its DAG cannot be checked ({exc}); do not trust this daemon."
            ) from exc
        blocks = {block.cid: block.data for block in car.blocks}

        def load(block_cid: Cid) -> bytes:
            if block_cid not in blocks:
                raise IntegrityError(
                    f"The IPFS API at {self._url} served {cid} without its block {block_cid}; "
                    "the content cannot be verified."
                )
            return blocks[block_cid]

        data = read_file(cid, load)
        if data != served:
            raise IntegrityError(
                f"The IPFS API at {self._url} served {len(served)} bytes for {cid} that do "
                "not match its DAG; do not trust this daemon's content."
            )
        return data

    @contextmanager
    def _call(
        self,
        command: str,
        *,
        cid: Cid | None = None,
        params: dict[str, str] | None = None,
        files: dict[str, Any] | None = None,
    ) -> Iterator[httpx.Response]:
        query = dict(params or {})
        if cid is not None:
            query["arg"] = str(cid)
            query["timeout"] = f"{self.fetch_timeout:g}s"
        try:
            response = self._client.post(command, params=query, files=files)
        except httpx.TimeoutException as exc:
            raise StoreUnavailableError(
                f"The IPFS API at {self._url} did not answer {command!r} in time "
                f"({type(exc).__name__}); check that the daemon is healthy, then retry."
            ) from exc
        except httpx.TransportError as exc:
            raise StoreUnavailableError(
                f"No IPFS API answers at {self._url} ({exc}); start one (ipfs daemon, or "
                "flchain ipfs serve) or pass the URL of a running one."
            ) from exc
        _raise_for_status(response, command, cid, self._url)
        yield response


def _matches(cid: Cid, data: bytes) -> bool:
    """Whether ``data`` is the default-layout content of ``cid``."""
    if cid.codec == RAW:
        return Cid.for_block(data, RAW, version=1) == cid
    if cid.version == 0:
        return compute_cid(data, 0) == cid
    return cid in (compute_cid(data, 1), compute_cid(data, 1, raw_leaves=False))


def _raise_for_status(response: httpx.Response, command: str, cid: Cid | None, url: str) -> None:
    if response.status_code == httpx.codes.OK:
        return
    if response.status_code in (httpx.codes.NOT_FOUND, httpx.codes.METHOD_NOT_ALLOWED):
        raise StorageError(
            f"{url} does not serve the Kubo RPC command {command!r} "
            f"(HTTP {response.status_code}); give the RPC API address (port 5001), "
            "not a gateway's."
        )
    message = str(_json(response).get("Message", response.text[:200])).rstrip(". \n")
    if _HASH_MISMATCH in message:
        raise IntegrityError(f"The IPFS API at {url} holds corrupt data for {cid}: {message}")
    if cid is not None and any(marker in message.lower() for marker in _NOT_FOUND_MARKERS):
        raise ContentNotFoundError(
            f"The IPFS API at {url} has no content for {cid} ({message}); "
            "add it there first or check the CID."
        )
    raise StorageError(f"The IPFS API at {url} refused {command!r}: {message}.")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _ndjson(response: httpx.Response, url: str) -> list[dict[str, Any]]:
    """Kubo streams one JSON object per line."""
    try:
        values = [json.loads(line) for line in response.text.splitlines() if line.strip()]
    except ValueError as exc:
        raise StorageError(
            f"The IPFS API at {url} answered with invalid JSON ({exc}); is it a Kubo RPC API?"
        ) from exc
    return [value for value in values if isinstance(value, dict)]
