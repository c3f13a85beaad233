"""Small formatters the templates use (Jinja filters); pure."""

from __future__ import annotations

from typing import Protocol

from flchain.protocol.amounts import format_tokens

__all__ = ["bitmap", "percent", "short", "tokens", "verification_message"]


def tokens(amount: int) -> str:
    """Base units (18 decimals) as whole tokens, exactly, without trailing zeros."""
    return format_tokens(amount)


def short(text: str, keep: int = 6) -> str:
    """A long hex string or CID shortened to its head and tail."""
    return text if len(text) <= 2 * keep + 1 else f"{text[:keep]}…{text[-4:]}"


def percent(value: float | None) -> str:
    """A fraction as a percentage with one decimal (``-`` for None)."""
    return "-" if value is None else f"{100 * value:.1f}%"


def bitmap(bits: int) -> str:
    """The reveal indices set in an accepted-set bitmap, e.g. ``{0, 2}``."""
    indices = [str(i) for i in range(bits.bit_length()) if bits >> i & 1]
    return "{" + ", ".join(indices) + "}"


class _Verification(Protocol):
    @property
    def ok(self) -> bool: ...
    @property
    def model_matches(self) -> bool: ...
    @property
    def accepted_matches(self) -> bool: ...


def verification_message(found: _Verification) -> str:
    """One line saying whether a recomputed round matches the chain, and what differs."""
    if found.ok:
        return "verified: the recomputed model, accepted set and metrics match the chain"
    differs = [
        part
        for part, same in (
            ("model", found.model_matches),
            ("accepted set", found.accepted_matches),
        )
        if not same
    ]
    what = " and ".join(differs) or "metrics"
    return f"MISMATCH: the chain's {what} and the recomputed one differ"
