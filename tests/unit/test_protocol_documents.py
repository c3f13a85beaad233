"""The round's metrics document: canonical JSON, the same bytes for the same round."""

from __future__ import annotations

import json

from flchain.protocol.documents import metrics_document
from flchain.storage.unixfs import compute_cid


def test_metrics_document_is_canonical_when_rejections_come_in_any_order() -> None:
    parent, model, update = (compute_cid(b) for b in (b"parent", b"model", b"update"))

    first = metrics_document(7, 2, parent, model, "krum", [update], {3: "far", 1: "near"})
    second = metrics_document(7, 2, parent, model, "krum", [update], {1: "near", 3: "far"})

    assert first == second
    assert b" " not in first
    assert json.loads(first)["rejected"] == {"1": "near", "3": "far"}


def test_metrics_document_carries_extra_fields_when_given() -> None:
    parent, model = compute_cid(b"parent"), compute_cid(b"model")

    doc = json.loads(metrics_document(1, 1, parent, model, "fedavg", [], {}, {"k": "v"}))

    assert doc["k"] == "v"
    assert doc["model"] == str(model)
