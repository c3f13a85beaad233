"""``StoreServer``: a ``LocalStore`` behind the subset of Kubo's HTTP RPC that flchain uses.

Where no Kubo daemon can run, ``flchain ipfs serve`` lets ``KuboStore`` (and any Kubo RPC
client) use the embedded store. As in Kubo, every command is ``POST /api/v0/<command>``,
arguments go in the query string (``arg=<cid>``), uploads are ``multipart/form-data``,
replies are JSON, and errors are ``{"Message", "Code", "Type": "error"}`` (HTTP 500 for a
failed command, 400 for a bad argument).

Served: ``add``, ``cat``, ``pin/add``, ``version``, ``block/stat``, ``block/get``,
``dag/import``, ``dag/export``. The server binds loopback by default; it has no
authentication, so do not expose it beyond the machine.
"""

from __future__ import annotations

import json
import logging
import platform
import threading
from collections.abc import Callable, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flchain.errors import ContentNotFoundError, IntegrityError, InvalidCidError, StorageError
from flchain.storage.cid import Cid
from flchain.storage.local import LocalStore
from flchain.storage.multipart import FormPart, parse_multipart
from flchain.storage.unixfs import CHUNK_SIZE, build_file_dag

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "StoreServer"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5001
"""Kubo's RPC port, so Kubo RPC clients find the server where they expect a daemon."""

_API = "/api/v0/"
_HASH_MISMATCH = "block in storage has different hash than requested"
"""Kubo's (boxo's) message for a corrupt block; KuboStore maps it to IntegrityError."""
_NOT_FOUND = "block was not found locally (offline)"
"""Kubo's message for an absent block; KuboStore maps it to ContentNotFoundError."""
_MAX_BODY = 4 << 30
logger = logging.getLogger(__name__)


def _package_version() -> str:
    try:
        return metadata.version("flchain")
    except metadata.PackageNotFoundError:
        return "0+unknown"


_VERSION = _package_version()


class _BadRequestError(Exception):
    """A client error: answered with HTTP 400 (Kubo's ``Code: 1``)."""


Query = dict[str, list[str]]


class StoreServer:
    """Serve ``store`` over Kubo-style HTTP RPC on ``host:port`` (port 0: any free port)."""

    def __init__(self, store: LocalStore, host: str = DEFAULT_HOST, port: int = 0) -> None:
        self.store = store
        try:
            self._httpd = ThreadingHTTPServer((host, port), _Handler)
        except OSError as exc:
            raise StorageError(
                f"Cannot listen on {host}:{port}: {exc.strerror}; choose another --port "
                "(0 picks a free one) or stop the process using it."
            ) from exc
        self._httpd.daemon_threads = True
        self._httpd.store = store  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The API base URL, e.g. ``http://127.0.0.1:5001``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve in the calling thread until ``stop`` (or KeyboardInterrupt)."""
        logger.info("serving %s on %s", self.store, self.url)
        self._httpd.serve_forever(poll_interval)

    def start(self) -> StoreServer:
        """Serve in a background thread; return self."""
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> StoreServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    server_version = f"flchain/{_VERSION}"
    protocol_version = "HTTP/1.1"

    @property
    def store(self) -> LocalStore:
        store: LocalStore = self.server.store  # type: ignore[attr-defined]
        return store

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        command = url.path[len(_API) :] if url.path.startswith(_API) else None
        route = _ROUTES.get(command or "")
        if route is None:
            self._reply_text(HTTPStatus.NOT_FOUND, "404 page not found")
            return
        try:
            route(self, parse_qs(url.query))
        except _BadRequestError as exc:
            self._reply_error(HTTPStatus.BAD_REQUEST, str(exc), code=1)
        except ContentNotFoundError as exc:
            message = f"{_NOT_FOUND}: {exc}"
            self._reply_error(HTTPStatus.INTERNAL_SERVER_ERROR, message, code=0)
        except IntegrityError as exc:
            message = f"{_HASH_MISMATCH}: {exc}"
            self._reply_error(HTTPStatus.INTERNAL_SERVER_ERROR, message, code=0)
        except StorageError as exc:
            self._reply_error(HTTPStatus.INTERNAL_SERVER_ERROR, str(exc), code=0)
        except Exception as exc:  # keep serving; the client gets Kubo's error shape
            logger.exception("command %s failed", command)
            self._reply_error(HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {exc}", code=0)

    def do_GET(self) -> None:
        self._reply_text(HTTPStatus.METHOD_NOT_ALLOWED, "405 - Method Not Allowed")

    # -- commands ------------------------------------------------------------------------

    def _add(self, query: Query) -> None:
        version = _int_option(query, "cid-version", 0)
        if version not in (0, 1):
            raise _BadRequestError(f"unknown CID version {version}")
        raw_leaves = _bool_option(query, "raw-leaves", version == 1)
        if _option(query, "chunker", f"size-{CHUNK_SIZE}") != f"size-{CHUNK_SIZE}":
            raise _BadRequestError(f"only chunker size-{CHUNK_SIZE} is supported.")
        if _option(query, "hash", "sha2-256") != "sha2-256":
            raise _BadRequestError("only hash sha2-256 is supported.")
        only_hash = _bool_option(query, "only-hash", False)
        pin = _bool_option(query, "pin", True) and not only_hash
        lines = []
        for part in self._upload():
            if only_hash:
                dag = build_file_dag(part.data, version, raw_leaves=raw_leaves)
            else:
                dag = self.store.put_file(part.data, cid_version=version, raw_leaves=raw_leaves)
            if pin:
                self.store.pin(dag.root)
            name = part.filename or str(dag.root)
            lines.append({"Name": name, "Hash": str(dag.root), "Size": str(dag.dag_size)})
        self._reply_ndjson(lines)

    def _cat(self, query: Query) -> None:
        data = self.store.get(_cid_arg(query))
        offset = _int_option(query, "offset", 0)
        length = _int_option(query, "length", -1)
        end = len(data) if length < 0 else offset + length
        self._reply_bytes(data[offset:end], "text/plain", stream=True)

    def _pin_add(self, query: Query) -> None:
        cid = _cid_arg(query)
        self.store.pin(cid)
        self._reply_json({"Pins": [str(cid)]})

    def _version(self, query: Query) -> None:
        self._reply_json(
            {
                "Version": _VERSION,
                "Commit": "flchain",
                "Repo": "",
                "System": f"{platform.machine()}/{platform.system().lower()}",
                "Golang": "",
            }
        )

    def _block_stat(self, query: Query) -> None:
        cid = _cid_arg(query)
        self._reply_json({"Key": str(cid), "Size": len(self._block(cid))})

    def _block_get(self, query: Query) -> None:
        self._reply_bytes(self._block(_cid_arg(query)), "text/plain", stream=True)

    def _dag_import(self, query: Query) -> None:
        pin_roots = _bool_option(query, "pin-roots", True)
        lines = []
        for part in self._upload():
            for root in self.store.import_car(part.data, pin_roots=pin_roots):
                lines.append({"Root": {"Cid": {"/": str(root)}, "PinErrorMsg": ""}})
        self._reply_ndjson(lines)

    def _dag_export(self, query: Query) -> None:
        car = self.store.export_car(_cid_arg(query))
        self._reply_bytes(car, "application/vnd.ipld.car", stream=True)

    # -- plumbing ------------------------------------------------------------------------

    def _block(self, cid: Cid) -> bytes:
        try:
            return self.store.get_block(cid)
        except ContentNotFoundError:
            raise ContentNotFoundError(f"ipld: could not find {cid}") from None

    def _upload(self) -> list[FormPart]:
        parts = parse_multipart(self._body(), self.headers.get("Content-Type", ""))
        if not parts:
            raise _BadRequestError("file argument 'path' is required")
        return parts

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._chunked_body()
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            raise _BadRequestError(f"request body of {length} bytes exceeds {_MAX_BODY}.")
        return self.rfile.read(length)

    def _chunked_body(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _reply_json(self, value: object) -> None:
        self._reply_bytes(json.dumps(value).encode() + b"\n", "application/json")

    def _reply_ndjson(self, values: Sequence[object]) -> None:
        body = b"".join(json.dumps(value).encode() + b"\n" for value in values)
        self._reply_bytes(body, "application/json", stream=True)

    def _reply_error(self, status: HTTPStatus, message: str, code: int) -> None:
        body = json.dumps({"Message": message, "Code": code, "Type": "error"}).encode()
        self._send(status, body + b"\n", "application/json")

    def _reply_text(self, status: HTTPStatus, text: str) -> None:
        self._send(status, text.encode() + b"\n", "text/plain; charset=utf-8")

    def _reply_bytes(self, body: bytes, content_type: str, *, stream: bool = False) -> None:
        self._send(HTTPStatus.OK, body, content_type, stream=stream)

    def _send(
        self, status: HTTPStatus, body: bytes, content_type: str, *, stream: bool = False
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if stream:
            self.send_header("X-Stream-Output", "1")
        self.end_headers()
        self.wfile.write(body)


_ROUTES: dict[str, Callable[[_Handler, Query], None]] = {
    "add": _Handler._add,
    "cat": _Handler._cat,
    "pin/add": _Handler._pin_add,
    "version": _Handler._version,
    "block/stat": _Handler._block_stat,
    "block/get": _Handler._block_get,
    "dag/import": _Handler._dag_import,
    "dag/export": _Handler._dag_export,
}


def _option(query: Query, name: str, default: str) -> str:
    values = query.get(name)
    return values[-1] if values else default


def _bool_option(query: Query, name: str, default: bool) -> bool:
    value = _option(query, name, str(default).lower()).lower()
    if value not in ("true", "false", "1", "0", ""):
        raise _BadRequestError(f"option {name!r} must be true or false, got {value!r}")
    return value in ("true", "1", "")


def _int_option(query: Query, name: str, default: int) -> int:
    value = _option(query, name, str(default))
    try:
        return int(value)
    except ValueError:
        raise _BadRequestError(f"option {name!r} must be an integer, got {value!r}") from None


def _cid_arg(query: Query) -> Cid:
    arg = _option(query, "arg", "")
    if not arg:
        raise _BadRequestError("argument 'ipfs-path' is required")
    text = arg.removeprefix("/ipfs/").split("/")[0]
    try:
        return Cid.parse(text)
    except InvalidCidError as exc:
        raise _BadRequestError(f"invalid path {arg!r}: {exc}") from exc
