"""Token amounts are Decimal whole tokens on the user's side and exact base units on chain."""

from __future__ import annotations

from decimal import Decimal

import pytest

from flchain.errors import ConfigError
from flchain.protocol.amounts import MAX_UNITS, format_tokens, parse_tokens, to_units


@pytest.mark.parametrize(
    ("text", "decimals", "units"),
    [
        ("0.1", 18, 10**17),  # a float would give 100000000000000005551 / 1000
        ("12.5", 18, 12_500_000_000_000_000_000),
        ("1e-18", 18, 1),
        ("3", 6, 3_000_000),
        (" 7 ", 0, 7),
    ],
)
def test_amounts_in_whole_tokens_become_exact_base_units(
    text: str, decimals: int, units: int
) -> None:
    assert to_units(parse_tokens(text, "--stake"), decimals, "--stake") == units


def test_a_toml_float_is_read_through_its_text_not_its_binary_value() -> None:
    assert to_units(parse_tokens(0.1, "task.min_stake"), 18, "task.min_stake") == 10**17


@pytest.mark.parametrize("value", ["-5", "0", "nan", "inf", "ten", "", True])
def test_anything_but_a_positive_finite_amount_is_refused_naming_the_option(value: object) -> None:
    with pytest.raises(ConfigError, match="--stake"):
        parse_tokens(value, "--stake")


def test_more_decimal_places_than_the_token_has_are_refused_not_rounded() -> None:
    with pytest.raises(ConfigError, match="decimal places"):
        to_units(Decimal("1.0000001"), 6, "--stake")


def test_more_than_a_uint128_of_units_is_refused_with_the_largest_amount_allowed() -> None:
    with pytest.raises(ConfigError, match="more than the chain can hold") as refused:
        to_units(Decimal("1e30"), 18, "--stake")
    assert format_tokens(MAX_UNITS) in str(refused.value)
    assert (
        to_units(Decimal(format_tokens(MAX_UNITS)), 18, "--stake") == MAX_UNITS
    )  # 39 digits, exact


@pytest.mark.parametrize(
    ("units", "decimals", "places", "text"),
    [
        (15 * 10**17, 18, None, "1.5"),
        (10**18, 18, None, "1"),
        (0, 18, None, "0"),
        (MAX_UNITS, 18, None, "340282366920938463463.374607431768211455"),
        (2 * 10**20 // 3, 18, 4, "66.6666"),  # rounded down for display, never up
        (3_000_000, 6, None, "3"),
    ],
)
def test_base_units_print_as_whole_tokens_without_trailing_zeros(
    units: int, decimals: int, places: int | None, text: str
) -> None:
    assert format_tokens(units, decimals, places) == text
