"""Cities, operators and their vehicles with seat maps."""

from __future__ import annotations

from .data import BUS_MODELS, CITIES, LAYOUTS, OPERATORS, TIMEZONE, seats_of
from .loading import insert_rows


class Fleet:
    """Cities, operators, vehicles and their seats."""

    # --- places and fleet -----------------------------------------------------------------------
    async def _cities(self, cur) -> None:
        self.cities = [(i, *c) for i, c in enumerate(CITIES[: self.scale.cities], start=1)]
        await insert_rows(
            cur,
            "cities",
            ("id", "name", "region", "country", "latitude", "longitude", "timezone"),
            [(i, name, region, "IN", lat, lon, TIMEZONE) for i, name, region, lat, lon, _ in self.cities],
        )

    async def _operators_and_vehicles(self, cur) -> None:
        self.operators = [(i, *o) for i, o in enumerate(OPERATORS[: self.scale.operators], start=1)]
        await insert_rows(cur, "operators", ("id", "name", "rating"), [(i, n, r) for i, n, r, _ in self.operators])
        # Each operator hears of its new bookings (issue 20): bookings@<its name>.example
        await cur.execute(
            "UPDATE operators SET contact_email = CONCAT('bookings@',"
            " TRIM(BOTH '-' FROM REGEXP_REPLACE(LOWER(name), '[^a-z0-9]+', '-')), '.example')"
        )
        vehicles, seats = [], []
        self.fleet: dict[tuple[int, str], list[tuple[int, tuple[str, ...]]]] = {}
        for op_id, op_name, _, types in self.operators:
            for bus_type in types:
                models, is_ac = BUS_MODELS[bus_type]
                for model_name, layout_key in models:
                    spec = LAYOUTS[layout_key]
                    vehicle_id = len(vehicles) + 1
                    layout_seats = seats_of(spec)
                    labels = [label for label, *_ in layout_seats]
                    seats.extend((vehicle_id, *seat) for seat in layout_seats)
                    vehicles.append(
                        (
                            vehicle_id,
                            op_id,
                            f"{op_name} {model_name}",
                            is_ac,
                            spec["berth"],
                            spec["layout"],
                            spec["decks"],
                            spec["rows"],
                            spec["cols"],
                            len(labels),
                        )
                    )
                    self.fleet.setdefault((op_id, bus_type), []).append((vehicle_id, tuple(labels)))
        await insert_rows(
            cur,
            "vehicles",
            (
                "id",
                "operator_id",
                "name",
                "is_ac",
                "berth",
                "layout",
                "decks",
                "rows_count",
                "cols_count",
                "seat_count",
            ),
            vehicles,
        )
        await insert_rows(cur, "vehicle_seats", ("vehicle_id", "label", "deck", "row_no", "col_no", "kind"), seats)
