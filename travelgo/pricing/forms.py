"""Validated inputs of the pricing admin page (a bad field → 422 with its message)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..dates import AdminDate
from .engine import WEEKDAYS

SCOPE_FIELDS = {
    "route": ("origin_id", "destination_id"),
    "trip": ("trip_id",),
    "hotel": ("hotel_id",),
    "room_type": ("room_type_id",),
}
KIND_FIELDS = {
    "occupancy": ("threshold_percent",),
    "lead_time": ("days_min", "days_max"),
    "weekday": ("weekdays",),
    "season": ("starts_on", "ends_on"),
}


def _blank_to_none(value):
    return None if isinstance(value, str) and not value.strip() else value


class RuleForm(BaseModel):
    """One pricing rule: a scope (exactly one product), a condition of its kind, an adjustment."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)
    kind: Literal["occupancy", "lead_time", "weekday", "season"]
    scope: Literal["route", "trip", "hotel", "room_type"]
    origin_id: int | None = Field(default=None, ge=1)
    destination_id: int | None = Field(default=None, ge=1)
    trip_id: int | None = Field(default=None, ge=1)
    hotel_id: int | None = Field(default=None, ge=1)
    room_type_id: int | None = Field(default=None, ge=1)
    threshold_percent: int | None = Field(default=None, ge=0, le=100)
    days_min: int | None = Field(default=None, ge=0, le=1000)
    days_max: int | None = Field(default=None, ge=0, le=1000)
    weekdays: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(default_factory=list)
    starts_on: AdminDate | None = None
    ends_on: AdminDate | None = None
    adjust_percent: Decimal = Field(gt=-100, le=500, decimal_places=2)
    priority: int | None = Field(default=100, ge=-1000, le=1000)
    enabled: bool = True

    _blanks = field_validator(
        "origin_id",
        "destination_id",
        "trip_id",
        "hotel_id",
        "room_type_id",
        "threshold_percent",
        "days_min",
        "days_max",
        "starts_on",
        "ends_on",
        "priority",
        mode="before",
    )(_blank_to_none)

    @field_validator("enabled", mode="before")
    @classmethod
    def _flag(cls, value):
        return value in (True, "1", "on", "true", "yes", 1)

    @field_validator("weekdays", mode="before")
    @classmethod
    def _days(cls, value):
        if value in (None, ""):
            return []
        return [value] if isinstance(value, str) else value

    def problems(self) -> dict[str, str]:
        """Field -> message for what the fields say together (the service refuses with these)."""
        errors = {}
        for name in SCOPE_FIELDS[self.scope]:
            if getattr(self, name) is None:
                errors[name] = "Choose what this rule prices."
        if self.scope == "route" and self.origin_id is not None and self.origin_id == self.destination_id:
            errors["destination_id"] = "A route goes to another city."
        if self.kind == "occupancy" and self.threshold_percent is None:
            errors["threshold_percent"] = "Give the share sold (0–100 %) from which this applies."
        if self.kind == "lead_time":
            if self.days_min is None and self.days_max is None:
                errors["days_min"] = "Give at least one end of the window of days before travel."
            elif self.days_min is not None and self.days_max is not None and self.days_min > self.days_max:
                errors["days_max"] = "The window ends on or after its start."
        if self.kind == "weekday" and not self.weekdays:
            errors["weekdays"] = "Choose at least one day of the week."
        if self.kind == "season":
            if self.starts_on is None or self.ends_on is None:
                errors["starts_on"] = "Give the first and the last travel date of the season."
            elif self.starts_on > self.ends_on:
                errors["ends_on"] = "The season ends on or after its first day."
        return errors

    def row(self) -> dict:
        """The pricing_rules columns: only this scope's and this kind's parameters are kept."""
        data = self.model_dump(exclude={"scope"})
        for scope, names in SCOPE_FIELDS.items():
            if scope != self.scope:
                for name in names:
                    data[name] = None
        for kind, names in KIND_FIELDS.items():
            if kind != self.kind:
                for name in names:
                    data[name] = None
        data["weekdays"] = ",".join(d for d in WEEKDAYS if d in self.weekdays) or None
        data["enabled"] = 1 if self.enabled else 0
        data["priority"] = 100 if self.priority is None else self.priority
        return data


class BoundsForm(BaseModel):
    """A product's floor and ceiling (blank: no bound)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    product: Literal["trip", "room_type"]
    product_id: int = Field(ge=1)
    floor: Decimal | None = Field(default=None, gt=0, le=1000000, decimal_places=2)
    ceiling: Decimal | None = Field(default=None, gt=0, le=1000000, decimal_places=2)

    _blanks = field_validator("floor", "ceiling", mode="before")(_blank_to_none)

    @model_validator(mode="after")
    def _ordered(self) -> BoundsForm:
        if self.floor is not None and self.ceiling is not None and self.floor > self.ceiling:
            raise ValueError("The floor is at most the ceiling.")
        return self

    @staticmethod
    def _minor(value: Decimal | None) -> int | None:
        return None if value is None else int((value * 100).to_integral_value())

    @property
    def floor_minor(self) -> int | None:
        return self._minor(self.floor)

    @property
    def ceiling_minor(self) -> int | None:
        return self._minor(self.ceiling)
