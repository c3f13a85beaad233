"""Reading ``multipart/form-data`` request bodies (Kubo RPC uploads), stdlib only.

The ``cgi`` module that once did this is deprecated; ``email`` mangles binary parts.
Only what Kubo RPC clients send is handled: parts with headers and a body, no nesting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flchain.errors import StorageError

__all__ = ["FormPart", "parse_multipart"]

_BOUNDARY = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)
_PARAM = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True, slots=True)
class FormPart:
    """One part of a form: its field name, its file name (may be empty) and its bytes."""

    name: str
    filename: str
    data: bytes


def parse_multipart(body: bytes, content_type: str) -> list[FormPart]:
    """Split a ``multipart/form-data`` body into its parts.

    Raises StorageError when the body is not multipart or has no closing boundary.
    """
    match = _BOUNDARY.search(content_type)
    if not content_type.lower().startswith("multipart/") or match is None:
        raise StorageError(
            f"Expected a multipart/form-data upload, got Content-Type {content_type!r}; "
            "send the file as a multipart form field."
        )
    delimiter = b"--" + (match.group(1) or match.group(2)).encode("latin-1")
    sections = (b"\r\n" + body).split(b"\r\n" + delimiter)
    if len(sections) < 2 or not sections[-1].startswith(b"--"):
        raise StorageError("The multipart upload is truncated (no closing boundary); retry it.")
    return [_parse_part(section) for section in sections[1:-1]]


def _parse_part(section: bytes) -> FormPart:
    head, sep, data = section.partition(b"\r\n\r\n")
    if not sep:
        raise StorageError("A multipart section has no header/body separator; retry the upload.")
    name = filename = ""
    for line in head.decode("latin-1").split("\r\n"):
        key, _, value = line.partition(":")
        if key.strip().lower() == "content-disposition":
            params = dict(_PARAM.findall(value))
            name = params.get("name", "")
            filename = params.get("filename", "")
    return FormPart(name, filename, data)
