"""Token amounts: whole tokens as ``Decimal`` on the user's side, base units (int) on chain.

Never ``float``: ``0.1`` tokens is exactly 10**17 base units of an 18-decimal token. Pure.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation, localcontext

from flchain.errors import ConfigError

__all__ = ["DEFAULT_DECIMALS", "MAX_UNITS", "format_tokens", "parse_tokens", "to_units"]

#: The decimals of flchain's dev token (and of most ERC-20 tokens).
DEFAULT_DECIMALS = 18
#: The contracts keep stakes and rewards as uint128.
MAX_UNITS = 2**128 - 1
#: Enough significant digits for any uint256 (78) and then some: no amount is ever rounded.
_PRECISION = 100


def parse_tokens(value: object, what: str) -> Decimal:
    """``value`` (a string, int or Decimal; a TOML float goes through its text) as a positive,
    finite amount of whole tokens; ConfigError naming ``what`` otherwise."""
    if isinstance(value, bool):
        raise ConfigError(f"{what} must be an amount of tokens, got {value!r}.")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ConfigError(f"{what} must be an amount of tokens, got {value!r}.") from exc
    if not amount.is_finite() or amount <= 0:
        raise ConfigError(f"{what} must be a positive amount of tokens, got {value!r}.")
    return amount


def to_units(amount: Decimal, decimals: int, what: str) -> int:
    """Whole tokens -> base units of a token with ``decimals``; ConfigError if the amount has
    more decimal places than the token or more units than the chain can hold."""
    with localcontext() as exact:
        exact.prec = _PRECISION
        units = amount.scaleb(decimals)
    if units != units.to_integral_value():
        raise ConfigError(
            f"{what} {amount:f} has more decimal places than the token's {decimals}; round it."
        )
    if units > MAX_UNITS:
        raise ConfigError(
            f"{what} of {amount:f} tokens is more than the chain can hold; use at most "
            f"{format_tokens(MAX_UNITS, decimals)} tokens."
        )
    return int(units)


def format_tokens(units: int, decimals: int = DEFAULT_DECIMALS, places: int | None = None) -> str:
    """Base units as whole tokens without trailing zeros (``1500000000000000000`` -> ``1.5``):
    exact, or rounded down to ``places`` decimal places for display."""
    with localcontext() as exact:
        exact.prec = _PRECISION
        amount = Decimal(units).scaleb(-decimals)
        if places is not None:
            amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
        text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
