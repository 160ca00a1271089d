"""City pickers on search pages: typed names resolved to cities, and the no-JavaScript <datalist>."""

from __future__ import annotations

from ..web import render_answer
from . import service as places


async def resolve_city_fields(args: dict, fields: tuple[str, ...]) -> tuple[dict, dict[str, str], dict[str, str]]:
    """City pickers send an id, or (JavaScript off) the typed name: turn names into ids.

    Returns (args with ids, field -> error, field -> name to show in the picker)."""
    errors, names = {}, {}
    for field in fields:
        raw = args.get(field)
        if isinstance(raw, list):
            raw = raw[0] if raw else None
        if raw is None or not str(raw).strip():
            args.pop(field, None)
            continue
        city_id, error = await places.resolve_city(raw)
        if error:
            errors[field] = error
            names[field] = str(raw)[:100]
            args.pop(field, None)
        else:
            args[field] = city_id
    found = await places.cities_by_ids([args[f] for f in fields if args.get(f)])
    for field in fields:
        if args.get(field) in found:
            names[field] = found[args[field]]["name"]
    return args, errors, names


async def city_datalist() -> str:
    """The city pickers' no-JavaScript <datalist>, rendered once per worker from the cached catalog."""
    catalog = await places.catalog()
    by_id, alias_of = catalog["by_id"], catalog["index"].alias_of
    aliases = sorted((alias, by_id[city_id]) for city_id, names in alias_of.items() for alias in names)
    return await render_answer("places/_city_datalist.html", catalog, cities=catalog["cities"], aliases=aliases)
