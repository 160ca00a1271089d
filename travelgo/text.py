"""Small text rules used in several places: plain numbers in user input, seat labels in natural order, and the
clean-up of names and phone numbers people type."""

from __future__ import annotations

import re
import unicodedata


def is_digits(text: str) -> bool:
    """Plain ASCII digits: str.isdigit() alone also accepts "²" or "٣", which int() refuses (a 500)."""
    return text.isascii() and text.isdigit()


def natural_key(label: str) -> tuple:
    """Seat labels in natural order (2 before 10, L1 before L10); any other character sorts as text."""
    parts = re.split(r"([0-9]+)", label)
    return tuple((0, int(part), "") if is_digits(part) else (1, 0, part) for part in parts if part)


PHONE = re.compile(r"^\+?[0-9 ()\-]{6,20}$")


def clean_phone(value: str | None) -> str | None:
    """A phone number as typed (digits, spaces, dashes, brackets, a leading +), or None when left empty."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not PHONE.match(value):
        raise ValueError("Enter a phone number with digits, spaces or dashes, such as +91 98765 43210")
    return value


def e164(value: str) -> str:
    """A phone number as stored (clean_phone) in E.164, the form SMS providers want: "+91 98765-43210" becomes
    "+919876543210". ValueError for a number without its country code (nothing to guess it from)."""
    digits = re.sub(r"[ ()\-]", "", value.strip())
    if not (digits.startswith("+") and is_digits(digits[1:]) and 8 <= len(digits) - 1 <= 15 and digits[1] != "0"):
        raise ValueError("Give the number with its country code, e.g. +91 98765 43210")
    return digits


# Format characters (zero-width spaces and joiners, bidi controls, BOM) are invisible: a name made only of them
# would show as blank on a ticket, and bidi controls can reorder what is shown around them.
def _visible(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc"))


def clean_name(value: str) -> str:
    """A person's name: NFC-normalised (one stored form for one name), invisible format characters dropped, spaces
    collapsed; one with nothing visible left is refused."""
    value = " ".join(_visible(unicodedata.normalize("NFC", value)).split())
    if not value:
        raise ValueError("Enter your full name")
    return value


def normalize_email(value: str) -> str:
    """An e-mail address in the one form TravelGo stores and compares: trimmed, NFC, lower case."""
    return unicodedata.normalize("NFC", value.strip()).lower()
