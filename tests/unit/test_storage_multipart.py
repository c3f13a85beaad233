"""multipart/form-data parsing for Kubo RPC uploads."""

from __future__ import annotations

import httpx
import pytest

from flchain.errors import StorageError
from flchain.storage.multipart import FormPart, parse_multipart


def encoded(files: list[tuple[str, tuple[str, bytes]]]) -> tuple[bytes, str]:
    request = httpx.Request("POST", "http://x", files=files)
    return request.read(), request.headers["Content-Type"]


def test_parse_multipart_returns_parts_when_encoded_by_httpx() -> None:
    binary = bytes(range(256)) + b"\r\n--\r\n\r\n"
    body, content_type = encoded([("file", ("a.bin", binary)), ("file", ("b", b""))])

    parts = parse_multipart(body, content_type)

    assert parts == [FormPart("file", "a.bin", binary), FormPart("file", "b", b"")]


def test_parse_multipart_raises_storage_error_when_not_multipart() -> None:
    with pytest.raises(StorageError, match="multipart"):
        parse_multipart(b"data", "application/octet-stream")


def test_parse_multipart_raises_storage_error_when_truncated() -> None:
    body, content_type = encoded([("file", ("a", b"abc"))])

    with pytest.raises(StorageError, match="truncated"):
        parse_multipart(body[:-10], content_type)
