"""The dashboard's pure parts: formatters, slash reasons, and that templates escape on-chain
strings (names, addresses and CIDs come from the chain and the store: attacker-controlled)."""

from __future__ import annotations

from types import SimpleNamespace

import jinja2
import pytest

from flchain.roles.task_view import TaskRow
from flchain.ui import format as fmt
from flchain.ui.app import page_templates
from flchain.ui.queries import TaskSummary, slash_reasons

HOSTILE = '<script>window.pwned=1</script>"><img src=x onerror=alert(1)>'


def _templates() -> jinja2.Environment:
    return page_templates()


def _summary(name: str, owner: str) -> TaskSummary:
    row = TaskRow(7, owner, "active", 1, 0, 3, 2, "fedavg", 20 * 10**18, 300 * 10**18)
    return TaskSummary(row, name, "public", 100 * 10**18)


def test_tasks_page_escapes_a_hostile_task_name_and_owner() -> None:
    page = (
        _templates()
        .get_template("tasks.html")
        .render(fragment=True, tasks=[_summary(HOSTILE, HOSTILE)], chain_id=1, rpc_url="", path="/")
    )

    assert "<script>" not in page
    assert "<img" not in page
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page


def test_error_page_escapes_the_message() -> None:
    page = (
        _templates()
        .get_template("error.html")
        .render(fragment=False, message=HOSTILE, chain_id=1, rpc_url=HOSTILE, path="/x")
    )

    assert "<script>window" not in page
    assert "&lt;img src=x" in page


def test_page_templates_autoescape_every_value() -> None:
    assert _templates().from_string("{{ value }}").render(value="<b>") == "&lt;b&gt;"


@pytest.mark.parametrize(
    ("amount", "text"),
    [(0, "0"), (10**18, "1"), (15 * 10**17, "1.5"), (1, "0.000000000000000001")],
)
def test_tokens_shows_whole_tokens_without_trailing_zeros(amount: int, text: str) -> None:
    assert fmt.tokens(amount) == text


def test_bitmap_lists_the_reveal_indices_set() -> None:
    assert fmt.bitmap(0b1011) == "{0, 1, 3}"
    assert fmt.bitmap(0) == "{}"


def test_short_keeps_head_and_tail_of_long_strings_only() -> None:
    assert fmt.short("0x1234567890abcdef") == "0x1234…cdef"
    assert fmt.short("0x12") == "0x12"


def test_slash_reasons_names_each_bit_and_keeps_unknown_ones() -> None:
    assert slash_reasons(1) == ("unrevealed commit",)
    assert slash_reasons(6) == ("rejected update", "losing attestation")
    assert slash_reasons(8 | 1) == ("unrevealed commit", "inactive in failed rounds")
    assert slash_reasons(16 | 1) == ("unrevealed commit", "bit 4")


def test_verification_message_names_what_differs() -> None:
    ok = SimpleNamespace(ok=True, model_matches=True, accepted_matches=True)
    bad = SimpleNamespace(ok=False, model_matches=False, accepted_matches=True)
    metrics = SimpleNamespace(ok=False, model_matches=True, accepted_matches=True)

    assert fmt.verification_message(ok).startswith("verified")
    assert (
        fmt.verification_message(bad) == "MISMATCH: the chain's model and the recomputed one differ"
    )
    assert "metrics" in fmt.verification_message(metrics)
