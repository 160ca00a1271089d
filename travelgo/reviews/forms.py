"""Validated review input (pages and API share it): stars 1-5 and a body of 10-2000 visible characters."""

from __future__ import annotations

import unicodedata

from pydantic import BaseModel, Field, field_validator

BODY_MIN, BODY_MAX = 10, 2000
REPLY_MAX = 2000


def clean_text(value: str) -> str:
    """Free text as stored: NFC-normalised, invisible format and control characters dropped (line breaks kept),
    runs of spaces collapsed on each line, blank lines at the ends trimmed."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(ch for ch in value if ch == "\n" or unicodedata.category(ch) not in ("Cf", "Cc"))
    return "\n".join(" ".join(line.split()) for line in kept.split("\n")).strip()


class ReviewIn(BaseModel):
    """A traveller's review of a completed trip or stay."""

    rating: int = Field(ge=1, le=5, description="stars, 1 (poor) to 5 (excellent)")
    body: str = Field(min_length=BODY_MIN, max_length=BODY_MAX, description="what the trip or stay was like")

    @field_validator("body")
    @classmethod
    def _body(cls, value: str) -> str:
        value = clean_text(value)
        if len(value) < BODY_MIN:
            raise ValueError(f"Write at least {BODY_MIN} characters")
        if len(value) > BODY_MAX:
            raise ValueError(f"Keep it under {BODY_MAX} characters")
        return value


class ReplyIn(BaseModel):
    """The business's one reply to a review (written by an admin until partner accounts exist)."""

    reply: str = Field(min_length=1, max_length=REPLY_MAX)

    @field_validator("reply")
    @classmethod
    def _reply(cls, value: str) -> str:
        value = clean_text(value)
        if len(value) < 2:
            raise ValueError("Write the reply")
        if len(value) > REPLY_MAX:
            raise ValueError(f"Keep it under {REPLY_MAX} characters")
        return value
