"""Small text rules used in several places: plain numbers in user input, and seat labels in natural order."""

from __future__ import annotations

import re


def is_digits(text: str) -> bool:
    """Plain ASCII digits: str.isdigit() alone also accepts "²" or "٣", which int() refuses (a 500)."""
    return text.isascii() and text.isdigit()


def natural_key(label: str) -> tuple:
    """Seat labels in natural order (2 before 10, L1 before L10); any other character sorts as text."""
    parts = re.split(r"([0-9]+)", label)
    return tuple((0, int(part), "") if is_digits(part) else (1, 0, part) for part in parts if part)
