"""Active filters as removable chips: each chip is a link to the same search without that one filter value.

Search pages show them above the results, so a phone user sees what narrows the list without opening the filter
sheet, and drops a filter with one tap (a plain link: works without JavaScript)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from .querystring import canonical_query

Labeller = Callable[[Any], str]


def filter_chips(path: str, search: BaseModel, labels: dict[str, Labeller]) -> list[dict[str, str]]:
    """[{label, url}] for each active filter value of `search`, in the order of `labels` (field -> labeller)."""
    chips = []
    for field, label in labels.items():
        value = getattr(search, field)
        if value is None or value is False or value == []:
            continue
        if isinstance(value, list):
            for item in value:
                rest = [v for v in value if v != item]
                chips.append(_chip(path, search, label(_plain(item)), field, rest))
        else:
            chips.append(_chip(path, search, label(_plain(value)), field, None))
    return chips


def clear_url(path: str, search: BaseModel, fields: dict[str, Labeller]) -> str:
    """The same search with every filter dropped (the "Clear all" chip)."""
    return path + "?" + canonical_query(search, drop=("offset", *fields))


def _chip(path: str, search: BaseModel, label: str, field: str, rest: Any) -> dict[str, str]:
    query = canonical_query(search, drop=("offset",) if rest else ("offset", field), **({field: rest} if rest else {}))
    return {"label": label, "url": f"{path}?{query}"}


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)  # enum members -> their query value
