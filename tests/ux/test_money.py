"""One money rule everywhere (travelgo/money.py): Indian grouping for rupees, no paise on whole rupees, and each
other currency written by its own conventions."""

from __future__ import annotations

import pytest

from travelgo.money import money, plain_amount


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (25000, "INR", "₹250"),
        (25050, "INR", "₹250.50"),
        (18000000, "INR", "₹1,80,000"),
        (1234567899, "INR", "₹1,23,45,678.99"),
        (5, "INR", "₹0.05"),
        (0, "INR", "₹0"),
        (-25000, "INR", "-₹250"),
        (123456, "EUR", "€1,234.56"),
        (18000000, "EUR", "€180,000"),
        (5000, "GBP", "£50"),
        (123456, "USD", "$1,234.56"),
        (1500, "JPY", "JP¥1,500"),  # no minor unit: 1500 is ¥1,500
    ],
)
def test_money_is_written_the_way_its_readers_expect(minor, currency, text):
    assert money(minor, currency) == text


def test_whole_rounds_for_chart_labels_and_nothing_is_blank_text():
    assert money(25060, "INR", whole=True) == "₹251" and money(25040, "INR", whole=True) == "₹250"
    assert money(18049999, "INR", whole=True) == "₹1,80,500"
    assert money(None) == ""
    assert money(25000) == "₹250"  # rupees unless told otherwise


def test_plain_amounts_for_spreadsheets_keep_the_currency_decimals():
    assert plain_amount(18000000, "INR") == "180000.00"
    assert plain_amount(1500, "JPY") == "1500"
    assert plain_amount(None) == ""


def test_no_template_or_module_formats_money_by_hand():
    """Every amount goes through money(): no "/ 100" with a format next to a currency in pages or code."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    hand = re.compile(r"minor\s*/\s*100\s*:\s*[.,]|minor\s*/\s*100\)?\s*\|\s*round|[₹€£]\s*\{\{[^}]*minor")
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for folder in ("travelgo", "templates")
        for path in (root / folder).rglob("*")
        if path.suffix in (".py", ".html", ".txt")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if hand.search(line)
    ]
    assert not offenders, offenders
