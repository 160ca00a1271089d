"""Validated inputs for accounts (shared by the HTML forms and the JSON API)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from ..text import clean_name, clean_phone, normalize_email


class Registration(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    email: EmailStr = Field(max_length=254)
    password: str = Field(min_length=10, max_length=128)
    full_name: str = Field(min_length=1, max_length=120)
    phone: str | None = Field(default=None, max_length=32)

    _name = field_validator("full_name")(clean_name)
    _phone = field_validator("phone")(clean_phone)

    @field_validator("email")
    @classmethod
    def _normalized(cls, value: str) -> str:
        return normalize_email(value)


class Login(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    # Stripped first, so a value of spaces only is too short: the document says so (pattern), for API clients.
    email: str = Field(min_length=1, max_length=254, json_schema_extra={"pattern": r"\S"})
    password: str = Field(min_length=1, max_length=128, json_schema_extra={"pattern": r"\S"})

    @field_validator("email")
    @classmethod
    def _normalized(cls, value: str) -> str:
        return normalize_email(value)


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    full_name: str | None = Field(default=None, min_length=1, max_length=120)
    phone: str | None = Field(default=None, max_length=32)
    # Issue 20: SMS and WhatsApp notifications, opt-in, only to a verified phone (left out or null: unchanged).
    notify_sms: bool | None = Field(default=None, description="send booking notifications by SMS too")
    notify_whatsapp: bool | None = Field(default=None, description="send booking notifications by WhatsApp too")

    # Left out means "unchanged"; an explicit null would blank a required column (a 500 before): refuse it.
    _name = field_validator("full_name")(lambda v: clean_name(v if v is not None else ""))
    _phone = field_validator("phone")(clean_phone)


class PhoneCode(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    code: str = Field(pattern=r"^[0-9]{6}$")

    format_messages: ClassVar[dict[str, str]] = {"code": "Enter the 6 digits of the code we sent"}

    @field_validator("code", mode="before")
    @classmethod
    def _digits_only(cls, value: object) -> object:
        return value.replace(" ", "").replace("-", "") if isinstance(value, str) else value


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=10, max_length=128)


class PasswordForgot(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    email: str = Field(min_length=3, max_length=254)

    @field_validator("email")
    @classmethod
    def _looks_like_email(cls, value: str) -> str:
        if "@" not in value or any(c.isspace() for c in value):
            raise ValueError("Enter the email address of your account")
        return value.lower()


class PasswordReset(BaseModel):
    new_password: str = Field(min_length=10, max_length=128)
    confirm_password: str = Field(min_length=1, max_length=128)

    @field_validator("confirm_password")
    @classmethod
    def _matches(cls, value: str, info) -> str:
        if info.data.get("new_password") is not None and value != info.data["new_password"]:
            raise ValueError("The two passwords do not match")
        return value
