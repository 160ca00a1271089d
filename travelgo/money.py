"""Money as travellers read it: one formatting rule (Babel's CLDR data) for pages, admin, messages and CSV.

Amounts are integers in minor units; a currency's precision comes from CLDR (2 for INR and EUR, 0 for JPY).
Rupees are written the Indian way (en_IN: ₹1,80,000, lakh grouping); every other currency by a locale that
uses it (€1,234.50, $1,234.50). Whole amounts drop their minor units (₹250, not ₹250.00)."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.numbers import NumberPattern, format_currency, get_currency_precision, parse_pattern

PRODUCT_LOCALE = "en_IN"
# the locale whose conventions a currency is written in (grouping, symbol placement); others use PRODUCT_LOCALE
CURRENCY_LOCALES = {"INR": "en_IN", "EUR": "en_IE", "GBP": "en_GB", "USD": "en_US", "CHF": "de_CH"}


@cache
def _patterns(locale: str) -> tuple[Locale, NumberPattern, NumberPattern]:
    """(the locale, its currency pattern, the same without minor units), parsed once: given as strings, Babel parses
    the locale four times and the pattern once on every call, most of what formatting an amount cost."""
    parsed = Locale.parse(locale)
    standard = parsed.currency_formats["standard"].pattern
    return parsed, parse_pattern(standard), parse_pattern(re.sub(r"\.0+", "", standard))


def to_units(minor: int, currency: str) -> Decimal:
    """Minor units -> a Decimal amount in the currency's units (25050 INR -> 250.50)."""
    return Decimal(int(minor)).scaleb(-get_currency_precision(currency))


def money(minor: int | float | None, currency: str = "INR", *, whole: bool = False) -> str:
    """25000 -> '₹250'; 25050 -> '₹250.50'; 18000000 -> '₹1,80,000'; whole=True rounds (chart labels)."""
    if minor is None:
        return ""
    currency = (currency or "INR").upper()
    amount = to_units(round(minor), currency)
    locale, standard, no_minor = _patterns(CURRENCY_LOCALES.get(currency, PRODUCT_LOCALE))
    if whole or amount == amount.to_integral_value():
        return format_currency(amount.to_integral_value(), currency, no_minor, locale=locale, currency_digits=False)
    return format_currency(amount, currency, standard, locale=locale)


def plain_amount(minor: int | None, currency: str = "INR") -> str:
    """The amount in units with the currency's decimals and no grouping or symbol ('1800.00'): for CSV
    columns a spreadsheet sums, next to the formatted money."""
    if minor is None:
        return ""
    precision = get_currency_precision((currency or "INR").upper())
    return f"{to_units(minor, currency.upper()):.{precision}f}"
