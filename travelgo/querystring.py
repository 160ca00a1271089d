"""Query-string helpers shared by the search pages and the JSON API (one parsing rule for both)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, ValidationInfo, model_validator


def query_args(args) -> dict[str, Any]:
    """request.args as quart-schema's validate_querystring sees it: one value, or a list when repeated."""
    data: dict[str, Any] = {}
    for key in args:
        values = args.getlist(key)
        data[key.removesuffix("[]")] = values if len(values) > 1 or key.endswith("[]") else values[0]
    return data


def blank_to_none(data: Any) -> Any:
    """Empty form fields (`min_price=`) mean "not given"."""
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
    return data


def split_list(value: Any) -> list:
    """`a,b` or `a&a` (or both) -> ["a", "b"]; blanks dropped, order kept, duplicates removed."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    out: list = []
    for item in items:
        parts = item.split(",") if isinstance(item, str) else [item]
        for part in parts:
            part = part.strip() if isinstance(part, str) else part
            if part not in ("", None) and part not in out:
                out.append(part)
    return out


def canonical_query(model: BaseModel, *, drop: tuple[str, ...] = (), **changes: Any) -> str:
    """The query string of a search model, defaults left out, lists comma-joined (for links and URLs)."""
    data = model.model_dump()
    data.update(changes)
    defaults = {name: field.default for name, field in type(model).model_fields.items()}
    pairs = []
    for key, value in data.items():
        if (
            key in drop
            or value is None
            or value == []
            or (key in defaults and value == defaults[key] and key not in changes)
        ):
            continue
        if isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        pairs.append((key, str(value)))
    return urlencode(pairs)


class QueryModel(BaseModel):
    """Base of the search/detail query models: an empty field (`min_price=`) means "not given"."""

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data):
        return blank_to_none(data)


def max_price_at_least_min(cls, value: int | None, info: ValidationInfo) -> int | None:
    """Field validator for max_price: a price range must not be upside down."""
    low = info.data.get("min_price")
    if value is not None and low is not None and value < low:
        raise ValueError("The highest price must be at least the lowest price")
    return value
