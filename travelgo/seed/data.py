"""The sample data's fixed facts: cities, operators, seat layouts, bus models, hotel names, people's names."""

from __future__ import annotations

from dataclasses import dataclass

SAMPLE_TRAVELLERS = [
    ("asha@travelgo.example", "Asha Traveller", "traveller-pass"),
    ("ben@travelgo.example", "Ben Traveller", "traveller-pass"),
]
ADMIN_EMAIL = "admin@travelgo.example"
CURRENCY = "INR"
TIMEZONE = "Asia/Kolkata"
RANDOM_SEED = 20240917
BATCH = 2000
LOADERS = 1  # one loader connection: two collide on the unique keys' gap locks (lock wait timeouts)
TRIP_COLUMNS = (
    "id",
    "mode",
    "operator_id",
    "vehicle_id",
    "origin_id",
    "destination_id",
    "departs_at",
    "arrives_at",
    "duration_minutes",
    "price_minor",
    "currency",
    "seats_total",
    "seats_booked",
    "status",
    "amenities",
    "boarding_points",
    "dropping_points",
)

# Every table, children first; emptied before seeding so `make seed` is idempotent.
ALL_TABLES = [
    "itinerary_items",
    "itinerary_checkouts",
    "itineraries",
    "partner_applications",
    "partner_invitations",
    "partner_members",
    "item_pairs",
    "item_popularity",
    "item_travellers",
    "reviews",
    "notifications",
    "local_messages",
    "payment_events",
    "refunds",
    "payments",
    "testpay_webhooks",
    "testpay_refunds",
    "testpay_payments",
    "testpay_orders",
    "pricing_rules",
    "booking_points",
    "restaurant_table_slots",
    "booking_tables",
    "booking_nights",
    "booking_seats",
    "booking_seat_legs",
    "booking_segment_seats",
    "bookings",
    "restaurant_table_links",
    "restaurant_tables",
    "restaurant_hours",
    "restaurants",
    "events",
    "room_inventory",
    "room_types",
    "hotels",
    "trip_points",
    "trip_legs",
    "trips",
    "route_fares",
    "route_stops",
    "routes",
    "airports",
    "coach_seats",
    "coaches",
    "vehicle_seats",
    "vehicles",
    "operators",
    "partners",
    "cities",
    "sessions",
    "api_tokens",
    "password_resets",
    "phone_verifications",
    "audit_log",
    "mail_outbox",
    "dev_mailbox",
    "users",
    "rate_limits",
]


@dataclass(frozen=True)
class Scale:
    cities: int  # how many of CITIES
    operators: int
    neighbours: int  # routes from each city to its nearest neighbours (both directions)
    max_route_km: float
    services: tuple[int, int]  # departures per route per day (min, max)
    trip_days: int
    hotels: int
    inventory_days: int
    background_users: int
    bus_booking_days: int  # trips departing within this many days get a real share of seats sold
    hotel_bookings: int


SCALES = {
    "small": Scale(16, 6, 2, 500, (2, 2), 10, 24, 30, 10, 5, 60),
    "normal": Scale(62, 15, 4, 650, (3, 5), 60, 200, 120, 60, 7, 3000),
    "large": Scale(62, 15, 14, 1400, (10, 14), 60, 2000, 120, 400, 7, 30000),
}

# name, region, latitude, longitude, tier (1 = metro: more hotels, dearer rooms)
CITIES = [
    ("Mumbai", "Maharashtra", 19.0760, 72.8777, 1),
    ("Pune", "Maharashtra", 18.5204, 73.8567, 1),
    ("Bengaluru", "Karnataka", 12.9716, 77.5946, 1),
    ("Chennai", "Tamil Nadu", 13.0827, 80.2707, 1),
    ("Hyderabad", "Telangana", 17.3850, 78.4867, 1),
    ("Mysuru", "Karnataka", 12.2958, 76.6394, 2),
    ("Panaji", "Goa", 15.4909, 73.8278, 2),
    ("Nashik", "Maharashtra", 19.9975, 73.7898, 3),
    ("Kochi", "Kerala", 9.9312, 76.2673, 2),
    ("Coimbatore", "Tamil Nadu", 11.0168, 76.9558, 2),
    ("Puducherry", "Puducherry", 11.9416, 79.8083, 2),
    ("Tirupati", "Andhra Pradesh", 13.6288, 79.4192, 2),
    ("Vijayawada", "Andhra Pradesh", 16.5062, 80.6480, 2),
    ("Mangaluru", "Karnataka", 12.9141, 74.8560, 3),
    ("Kolhapur", "Maharashtra", 16.7050, 74.2433, 3),
    ("Madurai", "Tamil Nadu", 9.9252, 78.1198, 2),
    ("Delhi", "Delhi", 28.6139, 77.2090, 1),
    ("Kolkata", "West Bengal", 22.5726, 88.3639, 1),
    ("Ahmedabad", "Gujarat", 23.0225, 72.5714, 1),
    ("Jaipur", "Rajasthan", 26.9124, 75.7873, 2),
    ("Surat", "Gujarat", 21.1702, 72.8311, 2),
    ("Lucknow", "Uttar Pradesh", 26.8467, 80.9462, 2),
    ("Kanpur", "Uttar Pradesh", 26.4499, 80.3319, 3),
    ("Nagpur", "Maharashtra", 21.1458, 79.0882, 2),
    ("Indore", "Madhya Pradesh", 22.7196, 75.8577, 2),
    ("Bhopal", "Madhya Pradesh", 23.2599, 77.4126, 2),
    ("Visakhapatnam", "Andhra Pradesh", 17.6868, 83.2185, 2),
    ("Vadodara", "Gujarat", 22.3072, 73.1812, 3),
    ("Aurangabad", "Maharashtra", 19.8762, 75.3433, 3),
    ("Thiruvananthapuram", "Kerala", 8.5241, 76.9366, 2),
    ("Kozhikode", "Kerala", 11.2588, 75.7804, 3),
    ("Tiruchirappalli", "Tamil Nadu", 10.7905, 78.7047, 3),
    ("Salem", "Tamil Nadu", 11.6643, 78.1460, 3),
    ("Hubballi", "Karnataka", 15.3647, 75.1240, 3),
    ("Belagavi", "Karnataka", 15.8497, 74.4977, 3),
    ("Guntur", "Andhra Pradesh", 16.3067, 80.4365, 3),
    ("Nellore", "Andhra Pradesh", 14.4426, 79.9865, 3),
    ("Warangal", "Telangana", 17.9689, 79.5941, 3),
    ("Raipur", "Chhattisgarh", 21.2514, 81.6296, 3),
    ("Bhubaneswar", "Odisha", 20.2961, 85.8245, 2),
    ("Puri", "Odisha", 19.8135, 85.8312, 3),
    ("Ranchi", "Jharkhand", 23.3441, 85.3096, 3),
    ("Patna", "Bihar", 25.5941, 85.1376, 2),
    ("Varanasi", "Uttar Pradesh", 25.3176, 82.9739, 2),
    ("Prayagraj", "Uttar Pradesh", 25.4358, 81.8463, 3),
    ("Agra", "Uttar Pradesh", 27.1767, 78.0081, 2),
    ("Gwalior", "Madhya Pradesh", 26.2183, 78.1828, 3),
    ("Jodhpur", "Rajasthan", 26.2389, 73.0243, 2),
    ("Udaipur", "Rajasthan", 24.5854, 73.7125, 2),
    ("Ajmer", "Rajasthan", 26.4499, 74.6399, 3),
    ("Chandigarh", "Chandigarh", 30.7333, 76.7794, 2),
    ("Amritsar", "Punjab", 31.6340, 74.8723, 2),
    ("Ludhiana", "Punjab", 30.9010, 75.8573, 3),
    ("Dehradun", "Uttarakhand", 30.3165, 78.0322, 2),
    ("Shimla", "Himachal Pradesh", 31.1048, 77.1734, 2),
    ("Manali", "Himachal Pradesh", 32.2432, 77.1892, 3),
    ("Rishikesh", "Uttarakhand", 30.0869, 78.2676, 3),
    ("Haridwar", "Uttarakhand", 29.9457, 78.1642, 3),
    ("Rajkot", "Gujarat", 22.3039, 70.8022, 3),
    ("Guwahati", "Assam", 26.1445, 91.7362, 2),
    ("Siliguri", "West Bengal", 26.7271, 88.3953, 3),
    ("Jammu", "Jammu and Kashmir", 32.7266, 74.8570, 3),
]

# name, rating, bus types it runs
OPERATORS = [
    ("VRL Travels", 4.3, ("ac_sleeper", "non_ac_sleeper", "ac_seater")),
    ("SRS Travels", 4.0, ("ac_sleeper", "non_ac_seater", "ac_seater")),
    ("Orange Tours", 4.5, ("ac_sleeper", "ac_seater")),
    ("Kallada Travels", 4.1, ("ac_sleeper", "non_ac_sleeper")),
    ("Neeta Travels", 3.9, ("ac_seater", "non_ac_seater", "ac_sleeper")),
    ("Paulo Travels", 4.2, ("ac_sleeper", "ac_seater")),
    ("KPN Travels", 4.4, ("ac_sleeper", "ac_seater", "non_ac_seater")),
    ("Parveen Travels", 3.8, ("non_ac_sleeper", "ac_sleeper", "non_ac_seater")),
    ("Jabbar Travels", 3.6, ("non_ac_seater", "non_ac_sleeper")),
    ("Hans Travels", 4.0, ("ac_sleeper", "ac_seater")),
    ("IntrCity SmartBus", 4.6, ("ac_sleeper", "ac_seater")),
    ("Zingbus", 4.2, ("ac_seater", "ac_sleeper")),
    ("Sharma Transports", 3.7, ("non_ac_seater", "non_ac_sleeper", "ac_sleeper")),
    ("National Travels", 3.5, ("non_ac_seater", "ac_seater")),
    ("Shrinath Travels", 4.1, ("ac_sleeper", "non_ac_sleeper", "ac_seater")),
]

# Seat layouts. columns: (col_no, kind); the aisle is the missing column number, so "2+1" is seats at columns 1
# and 2, the aisle at 3, one seat at 4 (what the admin layout editor makes of columns=3, aisle_after=2).
LAYOUTS = {
    "seater_2x2_40": dict(
        layout="2+2",
        berth="seater",
        decks=1,
        rows=10,
        cols=5,
        columns=((1, "window"), (2, "aisle"), (4, "aisle"), (5, "window")),
    ),
    "seater_2x2_44": dict(
        layout="2+2",
        berth="seater",
        decks=1,
        rows=11,
        cols=5,
        columns=((1, "window"), (2, "aisle"), (4, "aisle"), (5, "window")),
    ),
    "seater_2x1_30": dict(
        layout="2+1", berth="seater", decks=1, rows=10, cols=4, columns=((1, "window"), (2, "aisle"), (4, "window"))
    ),
    "sleeper_2x1_30": dict(
        layout="2+1", berth="sleeper", decks=2, rows=5, cols=4, columns=((1, "window"), (2, "aisle"), (4, "window"))
    ),
    "sleeper_2x1_36": dict(
        layout="2+1", berth="sleeper", decks=2, rows=6, cols=4, columns=((1, "window"), (2, "aisle"), (4, "window"))
    ),
}


def seats_of(spec: dict) -> list[tuple[str, int, int, int, str]]:
    """The seats of a layout: (label, deck, row_no, col_no, kind); sleepers are L1.. lower deck, U1.. upper deck."""
    seats = []
    for deck in range(1, spec["decks"] + 1):
        for row in range(1, spec["rows"] + 1):
            for index, (col, kind) in enumerate(spec["columns"]):
                if spec["berth"] == "sleeper":
                    label = f"{'L' if deck == 1 else 'U'}{(row - 1) * len(spec['columns']) + index + 1}"
                else:
                    label = str(len(seats) + 1)
                seats.append((label, deck, row, col, kind))
    return seats


# bus type -> [(vehicle model name, layout key)], is_ac
BUS_MODELS = {
    "ac_seater": (
        [("Volvo 9600 AC Seater 2+2", "seater_2x2_40"), ("Scania Metrolink AC Seater 2+1", "seater_2x1_30")],
        True,
    ),
    "non_ac_seater": (
        [("Ashok Leyland Non-AC Seater 2+2", "seater_2x2_44"), ("Tata Starbus Non-AC Seater 2+2", "seater_2x2_40")],
        False,
    ),
    "ac_sleeper": (
        [("Volvo B11R AC Sleeper 2+1", "sleeper_2x1_30"), ("BharatBenz AC Sleeper 2+1", "sleeper_2x1_36")],
        True,
    ),
    "non_ac_sleeper": ([("Ashok Leyland Non-AC Sleeper 2+1", "sleeper_2x1_36")], False),
}
FARE_PER_KM = {"non_ac_seater": 1.1, "ac_seater": 1.6, "non_ac_sleeper": 1.45, "ac_sleeper": 2.1}
SPEED_KMH = {"non_ac_seater": 44, "ac_seater": 52, "non_ac_sleeper": 46, "ac_sleeper": 52}
BUS_AMENITIES = {
    "ac_seater": ("charging", "water", "live_tracking", "reading_light", "wifi", "tv", "snacks"),
    "ac_sleeper": ("charging", "water", "blanket", "reading_light", "live_tracking", "wifi", "snacks", "toilet"),
    "non_ac_seater": ("water", "live_tracking", "charging"),
    "non_ac_sleeper": ("water", "blanket", "live_tracking", "charging"),
}
STOP_NAMES = (
    "Central Bus Stand",
    "Railway Station",
    "City Bus Terminal",
    "Highway Junction",
    "Bypass Toll Plaza",
    "Airport Road Stop",
    "Market Square",
    "University Gate",
)

# area, min km, max km from the city centre
AREAS = [
    ("City Centre", 0.2, 1.5),
    ("Old Town", 0.3, 2.5),
    ("Railway Station Area", 0.5, 3.0),
    ("MG Road", 0.6, 3.0),
    ("Bus Stand Area", 0.8, 3.5),
    ("Civil Lines", 1.5, 5.0),
    ("Cantonment", 2.0, 6.0),
    ("Lake Side", 2.0, 7.0),
    ("Ring Road", 4.0, 10.0),
    ("IT Park", 7.0, 15.0),
    ("Airport Road", 6.0, 18.0),
]
NAME_A = (
    "Sai",
    "Royal",
    "Grand",
    "Green Park",
    "Lotus",
    "Silver Oak",
    "Golden Tulip",
    "Maple",
    "Heritage",
    "Sunrise",
    "Palm Grove",
    "Ivory",
    "Orchid",
    "Sapphire",
    "Shanti",
    "Emerald",
    "Amber",
    "Coral",
    "Rajmahal",
    "Kohinoor",
    "Banyan",
    "Peacock",
    "Monsoon",
    "Sandalwood",
    "Jasmine",
    "Cedar",
    "Vista",
    "Meridian",
    "Blue Lagoon",
    "Ganga",
)
NAME_B = (
    "Residency",
    "Inn",
    "Palace",
    "Suites",
    "Regency",
    "Comforts",
    "Plaza",
    "Stay",
    "Retreat",
    "International",
    "Continental",
    "Heights",
    "Court",
    "Manor",
    "Grand",
)
HOTEL_AMENITIES_BY_STARS = {
    1: ("wifi", "air_conditioning"),
    2: ("wifi", "air_conditioning", "parking", "breakfast"),
    3: ("wifi", "air_conditioning", "parking", "breakfast", "restaurant", "family_rooms"),
    4: (
        "wifi",
        "air_conditioning",
        "parking",
        "breakfast",
        "restaurant",
        "gym",
        "bar",
        "pool",
        "airport_shuttle",
        "family_rooms",
    ),
    5: (
        "wifi",
        "air_conditioning",
        "parking",
        "breakfast",
        "restaurant",
        "gym",
        "bar",
        "pool",
        "spa",
        "airport_shuttle",
        "family_rooms",
        "pets",
    ),
}
ROOM_BASE_PRICE = {1: 900, 2: 1500, 3: 2800, 4: 5200, 5: 10500}  # rupees a night, tier-1 city
TIER_FACTOR = {1: 1.0, 2: 0.85, 3: 0.7}
# name, max guests, beds, price factor, min stars
ROOM_TYPES = [
    ("Standard Room", 2, "1 double bed", 1.0, 1),
    ("Twin Room", 2, "2 single beds", 1.05, 1),
    ("Deluxe Room", 2, "1 king bed", 1.35, 2),
    ("Family Room", 4, "1 double bed and 2 single beds", 1.7, 2),
    ("Executive Room", 3, "1 king bed and 1 sofa bed", 1.8, 4),
    ("Suite", 3, "1 king bed and 1 sofa bed", 2.6, 4),
]
FIRST_NAMES = (
    "Aarav",
    "Vivaan",
    "Aditya",
    "Vihaan",
    "Arjun",
    "Sai",
    "Reyansh",
    "Krishna",
    "Ishaan",
    "Rohan",
    "Ananya",
    "Diya",
    "Saanvi",
    "Aadhya",
    "Kavya",
    "Priya",
    "Meera",
    "Lakshmi",
    "Fatima",
    "Zoya",
    "Rahul",
    "Neha",
    "Suresh",
    "Deepa",
    "Karthik",
    "Divya",
    "Imran",
    "Gurpreet",
    "Anjali",
    "Vikram",
)
LAST_NAMES = (
    "Sharma",
    "Verma",
    "Iyer",
    "Nair",
    "Reddy",
    "Patel",
    "Singh",
    "Khan",
    "Das",
    "Gupta",
    "Menon",
    "Rao",
    "Kulkarni",
    "Joshi",
    "Mukherjee",
    "Pillai",
    "Shetty",
    "Chowdhury",
    "Bose",
    "Naidu",
)
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I look-alikes
CANCEL_RATE = 0.07  # a cancelled booking beside ~7% of confirmed ones: ~6.5% of all bookings are cancelled
ADMIN_CANCEL_SHARE = 0.15  # the rest were cancelled by the traveller
TRAVELLER_REASONS = (None, None, "Change of plans", "Booked the wrong date", "Found another option", "Trip postponed")
ADMIN_REASONS = ("Duplicate booking", "Customer called support", "Payment disputed")
BOOKING_COLUMNS = (
    "id",
    "reference",
    "user_id",
    "type",
    "status",
    "total_minor",
    "currency",
    "contact_email",
    "trip_id",
    "room_type_id",
    "check_in",
    "check_out",
    "rooms",
    "guests",
    "guest_name",
    "starts_at",
    "ends_at",
    "created_at",
    "refund_minor",
    "cancel_reason",
    "cancelled_by",
    "cancelled_at",
)
NOT_CANCELLED = (None, None, None, None)  # refund_minor, cancel_reason, cancelled_by, cancelled_at
