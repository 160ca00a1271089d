"""Trains and flights: Indian rail routes with 5-12 stops and several classes, domestic flights between major cities
(IATA codes), daily runs on the same relative dates as the buses, fares in INR, and berths already sold on random
segments of the next few days' runs (so availability differs along a route)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from ..segments.build import coach_seats
from .buses import haversine_km
from .data import CANCEL_RATE, CURRENCY
from .loading import insert_rows, loading

# number, name, departure (first stop), average km/h, classes, stops (city names, in order). Each also runs back
# (number + 1, the stops reversed, leaving 40 minutes later).
TRAINS = [
    ("11301", "Udyan Express", time(8, 5), 55, ("SL", "3A", "2A"),
     ("Mumbai", "Pune", "Kolhapur", "Belagavi", "Hubballi", "Bengaluru")),
    ("12951", "Mumbai Rajdhani", time(17, 0), 80, ("3A", "2A", "1A"),
     ("Mumbai", "Surat", "Vadodara", "Ajmer", "Jaipur", "Delhi")),
    ("12627", "Karnataka Express", time(19, 20), 60, ("SL", "3A", "2A", "1A"),
     ("Bengaluru", "Hyderabad", "Nagpur", "Bhopal", "Gwalior", "Agra", "Delhi")),
    ("12621", "Tamil Nadu Express", time(22, 0), 62, ("SL", "3A", "2A", "1A"),
     ("Chennai", "Vijayawada", "Warangal", "Nagpur", "Bhopal", "Gwalior", "Agra", "Delhi")),
    ("12841", "Coromandel Express", time(15, 20), 60, ("SL", "3A", "2A"),
     ("Kolkata", "Bhubaneswar", "Visakhapatnam", "Vijayawada", "Nellore", "Chennai")),
    ("12007", "Shatabdi Express", time(6, 0), 75, ("CC", "EC"),
     ("Chennai", "Salem", "Coimbatore", "Kochi", "Thiruvananthapuram")),
    ("12431", "Trivandrum Rajdhani", time(19, 15), 70, ("3A", "2A", "1A"),
     ("Thiruvananthapuram", "Kochi", "Kozhikode", "Mangaluru", "Panaji", "Mumbai", "Vadodara", "Delhi")),
    ("12313", "Sealdah Rajdhani", time(16, 50), 75, ("3A", "2A", "1A"),
     ("Kolkata", "Patna", "Varanasi", "Prayagraj", "Kanpur", "Agra", "Delhi")),
    ("12925", "Paschim Express", time(11, 25), 55, ("SL", "3A", "2A", "1A"),
     ("Mumbai", "Surat", "Vadodara", "Jaipur", "Delhi", "Chandigarh", "Ludhiana", "Amritsar")),
    ("12859", "Gitanjali Express", time(6, 0), 58, ("SL", "3A", "2A"),
     ("Mumbai", "Nashik", "Aurangabad", "Nagpur", "Raipur", "Ranchi", "Kolkata")),
    ("12163", "Chennai Express", time(20, 35), 55, ("SL", "3A", "2A"),
     ("Mumbai", "Pune", "Hubballi", "Bengaluru", "Tirupati", "Chennai")),
    ("16525", "Island Express", time(20, 40), 50, ("SL", "3A", "2A"),
     ("Bengaluru", "Salem", "Coimbatore", "Kochi", "Thiruvananthapuram")),
]  # fmt: skip
# coaches per class in a rake: code prefix and how many
RAKE = {"SL": ("S", 6), "3A": ("B", 4), "2A": ("A", 2), "1A": ("H", 1), "CC": ("C", 6), "EC": ("E", 2)}
# fare: base (paise) + per km (paise); roughly Indian Railways' and the airlines' levels
TRAIN_FARES = {"SL": (4_000, 45), "3A": (10_000, 120), "2A": (15_000, 175), "1A": (25_000, 290),
               "CC": (8_000, 110), "EC": (15_000, 220)}  # fmt: skip
FLIGHT_FARES = {"Y": (150_000, 450), "J": (600_000, 1_500)}

AIRPORTS = [
    ("BOM", "Chhatrapati Shivaji Maharaj International Airport", "Mumbai"),
    ("DEL", "Indira Gandhi International Airport", "Delhi"),
    ("BLR", "Kempegowda International Airport", "Bengaluru"),
    ("MAA", "Chennai International Airport", "Chennai"),
    ("HYD", "Rajiv Gandhi International Airport", "Hyderabad"),
    ("CCU", "Netaji Subhas Chandra Bose International Airport", "Kolkata"),
    ("PNQ", "Pune Airport", "Pune"),
    ("AMD", "Sardar Vallabhbhai Patel International Airport", "Ahmedabad"),
    ("COK", "Cochin International Airport", "Kochi"),
    ("GOI", "Dabolim Airport", "Panaji"),
    ("JAI", "Jaipur International Airport", "Jaipur"),
    ("LKO", "Chaudhary Charan Singh International Airport", "Lucknow"),
    ("GAU", "Lokpriya Gopinath Bordoloi International Airport", "Guwahati"),
    ("TRV", "Thiruvananthapuram International Airport", "Thiruvananthapuram"),
    ("NAG", "Dr. Babasaheb Ambedkar International Airport", "Nagpur"),
    ("VNS", "Lal Bahadur Shastri International Airport", "Varanasi"),
]
AIRLINES = [("IndiGo", "6E", 4.1, False), ("Air India", "AI", 3.9, True), ("Akasa Air", "QP", 4.2, False)]
FLIGHT_HUBS = ("BOM", "DEL", "BLR", "MAA", "HYD", "CCU")
FLIGHT_SPOKES = ("PNQ", "AMD", "COK", "GOI", "JAI", "LKO", "GAU", "TRV", "NAG", "VNS")
# one-stop flights (a seat is sold per segment, as on a train)
VIA_FLIGHTS = [("AI", "DEL", "HYD", "BLR"), ("6E", "CCU", "BOM", "GOI"), ("AI", "BOM", "COK", "TRV")]
RAIL_BOOKING_DAYS = 4  # runs leaving within this many days already have berths sold
SOLD_SHARE = 0.3  # of the berths of those runs, on random segments

STOP_COLUMNS = ("route_id", "stop_no", "city_id", "airport_id", "station", "arrives_after", "departs_after",
                "distance_km")  # fmt: skip
TRIP_COLUMNS = ("id", "mode", "route_id", "operator_id", "vehicle_id", "origin_id", "destination_id", "departs_at",
                "arrives_at", "duration_minutes", "price_minor", "currency", "seats_total", "boarding_points",
                "dropping_points")  # fmt: skip


def _round5(minutes: float) -> int:
    return max(5, int(round(minutes / 5)) * 5)


class Rail:
    """Trains and flights, after buses and hotels (ids continue after theirs)."""

    async def _rail(self) -> None:
        rng = random.Random(18)  # its own stream for the plan: the buses and hotels stay as they were
        self.flight_numbers: dict[str, int] = {}
        city_ids = {c[1]: c[0] for c in self.cities}
        coords = {c[0]: (c[3], c[4]) for c in self.cities}
        async with loading() as cur:
            await cur.execute("SELECT COALESCE(MAX(id), 0) AS n FROM operators")
            next_operator = int((await cur.fetchone())["n"]) + 1
            await cur.execute("SELECT COALESCE(MAX(id), 0) AS n FROM vehicles")
            next_vehicle = int((await cur.fetchone())["n"]) + 1
            await cur.execute("SELECT COALESCE(MAX(id), 0) AS n FROM trips")
            trip_id = int((await cur.fetchone())["n"])

            operators = [(next_operator, "Indian Railways", 3.8)]
            airline_ids = {}
            for i, (name, code, rating, _) in enumerate(AIRLINES, start=1):
                operators.append((next_operator + i, name, rating))
                airline_ids[code] = next_operator + i
            await insert_rows(cur, "operators", ("id", "name", "rating"), operators)
            airports = [(i, iata, name, city_ids[city]) for i, (iata, name, city) in enumerate(AIRPORTS, start=1)
                        if city in city_ids]  # fmt: skip
            await insert_rows(cur, "airports", ("id", "iata", "name", "city_id"), airports)
            airport_of = {iata: (aid, city) for aid, iata, _, city in airports}

            # Routes: each train both ways, each flight pair both ways.
            routes, stops, fares, rakes = [], [], [], []
            for number, name, departs, speed, classes, names in TRAINS:
                present = [city_ids[n] for n in names if n in city_ids]
                if len(present) < 3:
                    continue
                for direction, ids in ((0, present), (1, present[::-1])):
                    code = str(int(number) + direction)
                    stop_rows = self._train_stops(ids, speed, coords)
                    start = (datetime.combine(self.today, departs) + timedelta(minutes=40 * direction)).time()
                    routes.append(("train", next_operator, code, name, start, stop_rows, classes))
            for code, first, via, last in VIA_FLIGHTS:
                if all(a in airport_of for a in (first, via, last)):
                    routes.append(self._flight(code, (first, via, last), airport_of, coords, airline_ids, rng))
            pairs = [(a, b) for a in FLIGHT_HUBS for b in FLIGHT_HUBS if a != b]
            for spoke in FLIGHT_SPOKES:  # each smaller airport to two hubs, both ways
                for hub in rng.sample(FLIGHT_HUBS, 2):
                    pairs += [(hub, spoke), (spoke, hub)]
            for hop in pairs:
                if all(a in airport_of for a in hop):
                    airline = rng.choice(AIRLINES)[1]
                    routes.append(self._flight(airline, hop, airport_of, coords, airline_ids, rng))

            route_rows, runs = [], []
            vehicle_rows, coach_rows, seat_rows = [], [], []
            coach_id = seat_id = 0
            for route_id, (mode, operator_id, code, name, start, stop_rows, classes) in enumerate(routes, start=1):
                route_rows.append((route_id, mode, operator_id, next_vehicle + len(vehicle_rows), code, name))
                stops.extend((route_id, i, *s) for i, s in enumerate(stop_rows))
                table = TRAIN_FARES if mode == "train" else FLIGHT_FARES
                fares.extend((route_id, c, *table[c], CURRENCY) for c in classes)
                # The route's own rake or aircraft (a vehicle), with its coaches or cabins and their seats.
                vehicle_id = next_vehicle + len(vehicle_rows)
                coaches = self._rake(mode, classes)
                labels = []
                for position, (ccode, cclass) in enumerate(coaches, start=1):
                    coach_id += 1
                    coach_rows.append((coach_id, vehicle_id, ccode, cclass, position))
                    for s in coach_seats(ccode, cclass):
                        seat_id += 1
                        seat_rows.append(
                            (seat_id, vehicle_id, coach_id, s.label, s.number, s.berth, s.row_no, s.col_no)
                        )
                        labels.append(s.label)
                vehicle_rows.append((vehicle_id, operator_id, f"{code} {name}", 1, "sleeper" if mode == "train" and
                                     classes[0] != "CC" else "seater", "rake", 1, len(coaches), 8, len(labels)))  # fmt: skip
                lowest = min(self._fare(table[c], stop_rows[-1][-1]) for c in classes)
                rakes.append((route_id, mode, operator_id, vehicle_id, start, stop_rows, labels, lowest, classes))
            await insert_rows(cur, "routes", ("id", "mode", "operator_id", "vehicle_id", "code", "name"), route_rows)
            await insert_rows(cur, "route_stops", STOP_COLUMNS, stops)
            await insert_rows(cur, "route_fares", ("route_id", "class_code", "base_minor", "per_km_minor", "currency"),
                              fares)  # fmt: skip
            await insert_rows(cur, "vehicles", ("id", "operator_id", "name", "is_ac", "berth", "layout", "decks",
                                                "rows_count", "cols_count", "seat_count"), vehicle_rows)  # fmt: skip
            await insert_rows(cur, "coaches", ("id", "vehicle_id", "code", "class_code", "position"), coach_rows)
            await insert_rows(cur, "coach_seats", ("id", "vehicle_id", "coach_id", "label", "number", "berth", "row_no",
                                                   "col_no"), seat_rows)  # fmt: skip

            # Runs: every route every day (large: a second and third departure), and sold berths in the first days.
            runs_per_day = 3 if self.scale.services[0] >= 10 else 1  # SEED_SCALE=large: three departures a day
            legs, bookings, passengers, seat_legs = [], [], [], []
            for day_offset in range(self.scale.trip_days):
                day = self.today + timedelta(days=day_offset)
                for route_id, mode, operator_id, vehicle_id, start, stop_rows, labels, lowest, classes in rakes:
                    for run in range(runs_per_day):
                        departs_at = datetime.combine(day, start) + timedelta(hours=5 * run)
                        if departs_at <= self.now:
                            continue
                        trip_id += 1
                        minutes = stop_rows[-1][3]  # arrival at the last stop
                        arrives_at = departs_at + timedelta(minutes=minutes)
                        runs.append((trip_id, mode, route_id, operator_id, vehicle_id, stop_rows[0][0],
                                     stop_rows[-1][0], departs_at, arrives_at, minutes, lowest, CURRENCY, len(labels),
                                     "[]", "[]"))  # fmt: skip
                        booked = [0] * (len(stop_rows) - 1)
                        if day_offset < RAIL_BOOKING_DAYS:
                            self._sell(rng, trip_id, mode, route_id, departs_at, stop_rows, labels, classes, booked,
                                       bookings, passengers, seat_legs)  # fmt: skip
                        legs.extend((trip_id, leg, len(labels), n) for leg, n in enumerate(booked))
            await insert_rows(cur, "trips", TRIP_COLUMNS, runs)
            await insert_rows(cur, "trip_legs", ("trip_id", "leg_no", "seats_total", "seats_booked"), legs)
            await self._insert_bookings(cur, bookings)
            await insert_rows(cur, "booking_segment_seats", ("booking_id", "trip_id", "seat_label", "class_code",
                              "from_stop", "to_stop", "passenger_name", "passenger_age", "price_minor"), passengers)  # fmt: skip
            await insert_rows(cur, "booking_seat_legs", ("booking_id", "trip_id", "seat_label", "leg_no", "held"),
                              seat_legs)  # fmt: skip

    def _train_stops(self, ids: list[int], speed: int, coords) -> list[tuple]:
        """(city_id, airport_id, station, arrives_after, departs_after, distance_km) per stop."""
        rows, minutes, km = [], 0, 0
        names = {c[0]: c[1] for c in self.cities}
        for i, city_id in enumerate(ids):
            if i:
                hop = haversine_km(*coords[ids[i - 1]], *coords[city_id]) * 1.25  # track, not crow flight
                km += round(hop)
                minutes += _round5(hop / speed * 60)
            last = i == len(ids) - 1
            halt = 0 if i == 0 or last else (10 if i % 3 == 0 else 5)
            station = f"{names[city_id]} {'Junction' if i % 2 else 'Central'}"
            rows.append((city_id, None, station, None if i == 0 else minutes, None if last else minutes + halt, km))
            minutes += halt
        return rows

    def _flight(self, airline: str, hops: tuple[str, ...], airport_of, coords, airline_ids, rng) -> tuple:
        """A flight route: (mode, operator, code, name, departure, stops, classes)."""
        rows, minutes, km = [], 0, 0
        for i, iata in enumerate(hops):
            airport_id, city_id = airport_of[iata]
            if i:
                hop = haversine_km(*coords[airport_of[hops[i - 1]][1]], *coords[city_id])
                km += round(hop)
                minutes += _round5(hop / 750 * 60 + 35)  # cruise plus taxi, climb and approach
            last = i == len(hops) - 1
            rows.append((city_id, airport_id, f"{iata} {dict((a, n) for a, n, _ in AIRPORTS)[iata]}",
                         None if i == 0 else minutes, None if last else minutes + (45 if i else 0), km))  # fmt: skip
            minutes += 45 if i and not last else 0
        business = next(b for _, c, _, b in AIRLINES if c == airline)
        self.flight_numbers[airline] = self.flight_numbers.get(airline, 100 + rng.randint(0, 50)) + rng.randint(1, 9)
        code = f"{airline} {self.flight_numbers[airline]}"
        start = time(rng.choice(range(5, 22)), rng.choice((0, 15, 30, 45)))
        name = " – ".join(hops)
        return ("flight", airline_ids[airline], code, name, start, rows, ("J", "Y") if business else ("Y",))

    @staticmethod
    def _rake(mode: str, classes: tuple[str, ...]) -> list[tuple[str, str]]:
        if mode == "flight":
            return [(c, c) for c in classes]
        return [(f"{RAKE[c][0]}{n}", c) for c in classes for n in range(1, RAKE[c][1] + 1)]

    @staticmethod
    def _fare(fare: tuple[int, int], km: int) -> int:
        return (fare[0] + fare[1] * km + 50) // 100 * 100

    def _sell(self, rng, trip_id, mode, route_id, departs_at, stop_rows, labels, classes, booked, bookings,
              passengers, seat_legs) -> None:  # fmt: skip
        """Sell about SOLD_SHARE of the berths, each once on a random segment, as bookings of one to three berths
        (the counters in `booked` per leg follow the held rows, as check-inventory expects)."""
        table = TRAIN_FARES if mode == "train" else FLIGHT_FARES
        n_stops = len(stop_rows)
        class_of = dict(self._rake(mode, classes))
        free = list(labels)
        rng.shuffle(free)
        target = int(len(labels) * SOLD_SHARE)
        sold = 0
        while sold < target and free:
            a = rng.randint(0, n_stops - 2)
            b = rng.randint(a + 1, n_stops - 1)
            group = [free.pop() for _ in range(min(rng.randint(1, 3), len(free)))]
            km = stop_rows[b][5] - stop_rows[a][5]
            prices = [self._fare(table[class_of[self._coach(mode, label)]], km) for label in group]
            booking_id = self._new_booking(
                bookings,
                self._booking_user(trip_id),
                mode,
                sum(prices),
                trip_id=trip_id,
                starts_at=departs_at + timedelta(minutes=stop_rows[a][4]),
                ends_at=departs_at + timedelta(minutes=stop_rows[b][3]),
            )
            for label, price in zip(group, prices, strict=True):
                passengers.append((booking_id, trip_id, label, class_of[self._coach(mode, label)], a, b,
                                   self._person(), rng.randint(5, 80), price))  # fmt: skip
                for leg in range(a, b):
                    seat_legs.append((booking_id, trip_id, label, leg, 1))
                    booked[leg] += 1
                sold += 1
            if self.cancel_rng.random() < CANCEL_RATE:
                self._cancelled(trip_id, mode, departs_at, stop_rows, labels, class_of, table, bookings, passengers,
                                seat_legs)  # fmt: skip

    def _cancelled(self, trip_id, mode, departs_at, stop_rows, labels, class_of, table, bookings, passengers,
                   seat_legs) -> None:  # fmt: skip
        """A booking of this run that its traveller (or an admin) cancelled: its seat-legs are released (held NULL,
        which the UNIQUE key ignores, so they may be sold again)."""
        rng = self.cancel_rng
        a = rng.randint(0, len(stop_rows) - 2)
        b = rng.randint(a + 1, len(stop_rows) - 1)
        group = rng.sample(labels, rng.choice((1, 1, 2)))
        km = stop_rows[b][5] - stop_rows[a][5]
        prices = [self._fare(table[class_of[self._coach(mode, label)]], km) for label in group]
        booking_id = self._new_booking(
            bookings,
            rng.choice(self.user_ids),
            mode,
            sum(prices),
            trip_id=trip_id,
            starts_at=departs_at + timedelta(minutes=stop_rows[a][4]),
            ends_at=departs_at + timedelta(minutes=stop_rows[b][3]),
            cancelled=True,
        )
        for label, price in zip(group, prices, strict=True):
            passengers.append((booking_id, trip_id, label, class_of[self._coach(mode, label)], a, b,
                               self._person(), rng.randint(5, 80), price))  # fmt: skip
            seat_legs.extend((booking_id, trip_id, label, leg, None) for leg in range(a, b))

    @staticmethod
    def _coach(mode: str, label: str) -> str:
        """The coach or cabin of a label: "B2-34" -> B2; a flight's "3A" -> J (rows 1-3), "12C" -> Y."""
        if mode == "train":
            return label.split("-")[0]
        return "J" if int(label[:-1]) < 7 else "Y"
