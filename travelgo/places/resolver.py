"""What people type for a city -> the city: names, old names and aliases (Bombay, Bangalore), regions with one
city (Goa), any case, with or without accents; and the closest names when nothing matches.

One resolver for the search pages (typed text with JavaScript off), the type-ahead and the cities API. It works on
the cached city catalog (travelgo.places.service.catalog) plus the `city_aliases` table, so it costs no query."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

UNKNOWN = "We don't know a city called “{typed}”."


def fold(text: str) -> str:
    """'  Bengalūru ' -> 'bengaluru', 'Dehra-Dun' -> 'dehra dun': no accents, no case; hyphens, dots and runs of
    spaces as one space. Other characters stay: a typed % or ' matches only a name that has one."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[\s.\-]+", " ", bare).strip()


@dataclass
class Resolution:
    city: dict | None = None
    error: str | None = None
    suggestions: list[dict] = field(default_factory=list)


@dataclass
class CityIndex:
    """Folded names -> cities, built once per catalog load."""

    names: dict[str, list[dict]] = field(default_factory=dict)
    aliases: dict[str, list[dict]] = field(default_factory=dict)
    regions: dict[str, list[dict]] = field(default_factory=dict)
    alias_of: dict[int, list[str]] = field(default_factory=dict)  # city id -> its aliases as written

    @classmethod
    def build(cls, cities: list[dict], aliases: list[dict]) -> CityIndex:
        index = cls()
        by_name: dict[str, list[dict]] = {}
        for city in sorted(cities, key=lambda c: c["id"]):
            index.names.setdefault(fold(city["name"]), []).append(city)
            index.regions.setdefault(fold(city["region"]), []).append(city)
            by_name.setdefault(fold(city["name"]), []).append(city)
        for row in aliases:
            for city in by_name.get(fold(row["city_name"]), []):
                index.aliases.setdefault(fold(row["alias"]), []).append(city)
                index.alias_of.setdefault(city["id"], []).append(row["alias"])
        return index

    def resolve(self, typed: str) -> Resolution:
        """The one city meant by the typed text, or an error with the closest cities as suggestions."""
        shown = typed.strip()[:60]
        key = fold(typed.split(",")[0])  # "Pune, Maharashtra" (the datalist's label) means Pune
        if not key:
            return Resolution(error=UNKNOWN.format(typed=shown) + " Pick one from the list.")
        for table in (self.names, self.aliases):
            if key in table:
                return Resolution(city=table[key][0])
        in_region = self.regions.get(key, [])
        if len(in_region) == 1:
            return Resolution(city=in_region[0])
        if in_region:
            names = sorted(c["name"] for c in in_region)
            return Resolution(
                error=f"{shown} has several cities: {_either(names[:6], 'and')}. Which one?",
                suggestions=sorted(in_region, key=lambda c: c["name"])[:6],
            )
        closest = self.closest(key)
        if closest:
            hint = f" Did you mean {_either([c['name'] for c in closest], 'or')}?"
        else:
            hint = " Pick one from the list."
        return Resolution(error=UNKNOWN.format(typed=shown) + hint, suggestions=closest)

    def closest(self, key: str, n: int = 3) -> list[dict]:
        """Cities whose name or alias is nearest to the folded text (typos: "Bangalor", "Chenai")."""
        keys = list(self.names) + list(self.aliases)
        found: list[dict] = []
        for near in difflib.get_close_matches(key, keys, n=n * 2, cutoff=0.7):
            for city in self.names.get(near) or self.aliases.get(near) or []:
                if city not in found:
                    found.append(city)
        return found[:n]

    def aliases_matching(self, city_id: int, q: str) -> list[str]:
        """The city's aliases that start with the typed text (why a type-ahead offers it)."""
        key = fold(q)
        return [a for a in self.alias_of.get(city_id, []) if key and fold(a).startswith(key)]

    def matching(self, q: str) -> list[dict]:
        """Cities for a type-ahead: exact names and aliases first, then names and aliases that start with q,
        names containing q, and cities of a region that starts with q; alphabetical within each."""
        key = fold(q)
        if not key:
            return []
        ranked: dict[int, tuple[int, str, dict]] = {}

        def offer(rank: int, city: dict) -> None:
            if city["id"] not in ranked or ranked[city["id"]][0] > rank:
                ranked[city["id"]] = (rank, city["name"], city)

        for table, exact_rank, prefix_rank in ((self.names, 0, 1), (self.aliases, 0, 2)):
            for name, cities in table.items():
                rank = exact_rank if name == key else prefix_rank if name.startswith(key) else None
                if rank is None and table is self.names and key in name:
                    rank = 3
                for city in cities if rank is not None else ():
                    offer(rank, city)
        for region, cities in self.regions.items():
            if region.startswith(key):
                for city in cities:
                    offer(4, city)
        return [city for _, _, city in sorted(ranked.values(), key=lambda r: (r[0], r[1]))]


def _either(names: list[str], word: str) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {word} " + names[-1]
