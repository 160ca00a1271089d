"""Partner forms: a business, an invitation, an application, an assignment."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, EmailStr, Field, field_validator, model_validator

from ..text import normalize_email


class _Trimmed(BaseModel):
    @field_validator("*", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value


class PartnerForm(_Trimmed):
    name: str = Field(min_length=2, max_length=150)
    contact_email: EmailStr = Field(max_length=254)


class InviteForm(_Trimmed):
    email: EmailStr = Field(max_length=254)
    role: Literal["owner", "staff"] = "staff"

    @field_validator("email")
    @classmethod
    def _normal(cls, value: str) -> str:
        return normalize_email(value)


class ApplicationForm(_Trimmed):
    business_name: str = Field(min_length=2, max_length=150)
    kind: Literal["bus", "hotel", "restaurant"]
    message: str = Field(default="", max_length=2000)


class AssignForm(BaseModel):
    """Give one operator or one hotel to a business (or, with assign=False, back to the platform)."""

    operator_id: int | None = Field(default=None, ge=1)
    hotel_id: int | None = Field(default=None, ge=1)
    assign: bool = True

    @model_validator(mode="after")
    def _one(self):
        if (self.operator_id is None) == (self.hotel_id is None):
            raise ValueError("Choose an operator or a hotel.")
        return self

    @property
    def entity(self) -> str:
        return "operator" if self.operator_id else "hotel"

    @property
    def item_id(self) -> int:
        return self.operator_id or self.hotel_id
