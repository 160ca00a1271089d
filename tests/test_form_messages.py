"""Form field messages in plain words for every kind of check the forms make (pages), pydantic's for the API."""

from __future__ import annotations

from travelgo.admin.forms import CityForm, RoomTypeForm, TripForm
from travelgo.web import parse_model

TRIP = {
    "vehicle_id": "1",
    "origin_id": "1",
    "destination_id": "2",
    "duration_minutes": "120",
    "price": "25.00",
    "departs_on": "2030-01-01",
    "departs_time": "08:30",
}
CITY = {
    "name": "Porto",
    "region": "Norte",
    "country": "PT",
    "latitude": "41.15",
    "longitude": "-8.61",
    "timezone": "Europe/Lisbon",
}


def messages(model, data) -> dict[str, str]:
    parsed, errors = parse_model(model, data)
    assert parsed is None, data
    return errors


def test_number_limits_read_as_instructions():
    room = {"name": "Suite", "beds": "1 king", "base_price": "120"}
    assert messages(RoomTypeForm, {**room, "max_guests": "13"}) == {"max_guests": "Use a number no more than 12."}
    assert messages(RoomTypeForm, {**room, "max_guests": "0"}) == {"max_guests": "Use a number of at least 1."}
    assert messages(CityForm, {**CITY, "latitude": "123"}) == {"latitude": "Use a number no more than 90."}
    assert messages(CityForm, {**CITY, "longitude": "-181"}) == {"longitude": "Use a number of at least -180."}
    assert messages(TripForm, {**TRIP, "price": "0"}) == {"price": "Use a number greater than 0."}
    assert messages(TripForm, {**TRIP, "duration_minutes": "5"}) == {"duration_minutes": "Use a number of at least 10."}


def test_numbers_dates_and_times_that_do_not_parse():
    assert messages(TripForm, {**TRIP, "price": "cheap"}) == {"price": "Enter a number."}
    assert messages(TripForm, {**TRIP, "price": "1.234"}) == {"price": "Use at most 2 decimal places."}
    assert messages(TripForm, {**TRIP, "duration_minutes": "1.5"}) == {"duration_minutes": "Enter a whole number."}
    assert messages(TripForm, {**TRIP, "departs_on": "tomorrow"}) == {"departs_on": "Enter a date as YYYY-MM-DD."}
    assert messages(TripForm, {**TRIP, "departs_on": "2030-02-30"}) == {"departs_on": "Enter a date as YYYY-MM-DD."}
    assert messages(TripForm, {**TRIP, "departs_time": "25:00"}) == {"departs_time": "Enter a time as HH:MM."}
    assert messages(CityForm, {**CITY, "latitude": "41.1234567"}) == {"latitude": "Use at most 6 decimal places."}


async def test_api_validation_problems_stay_precise(app, client):
    response = await client.get("/api/v1/bus-trips?origin=1&destination=2&date=2030-01-01&passengers=9")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    body = await response.get_json()
    (error,) = [e for e in body["errors"] if e["field"] == "passengers"]
    assert "6" in error["msg"] and "passengers" in body["detail"]


def test_trips_depart_in_the_future_within_the_admin_range():
    assert messages(TripForm, {**TRIP, "departs_on": "2020-01-01"}) == {
        "departs_on": "The departure must be in the future."
    }
    (message,) = messages(TripForm, {**TRIP, "departs_on": "9999-12-31"}).values()
    assert message.startswith("Choose a date on or before ")


def test_patterns_and_places_are_explained_not_shown_as_regexes():
    from travelgo.admin.forms import OperatorForm

    room = {"name": "Suite", "beds": "1 king", "base_price": "120", "max_guests": "2"}
    code = "Use a three-letter currency code in capitals, such as INR."
    assert messages(RoomTypeForm, {**room, "currency": "eur"}) == {"currency": code}
    assert messages(TripForm, {**TRIP, "currency": "eur"}) == {"currency": code}
    assert messages(CityForm, {**CITY, "country": "P1"}) == {
        "country": "Use the country's two-letter code, such as IN."
    }
    assert messages(CityForm, {**CITY, "timezone": "Europe Lisbon"}) == {
        "timezone": "Use a time zone name such as Asia/Kolkata or UTC."
    }
    assert messages(OperatorForm, {"name": "Orange", "rating": "4.55"}) == {"rating": "Use at most 1 decimal place."}
    assert parse_model(OperatorForm, {"name": "Orange", "rating": "4.5"})[0].rating == 45 / 10


def test_passenger_messages_follow_what_is_wrong():
    from travelgo.bookings.forms import parse_bus_form

    form = {"seats": ["1"], "idempotency_key": "key-12345678", "contact_email": "a@example.com", "p-0-age": "30"}
    assert parse_bus_form({**form, "p-0-name": ""})[1] == {"p-0-name": "Enter the passenger's name"}
    assert parse_bus_form({**form, "p-0-name": "A" * 121})[1] == {"p-0-name": "Use at most 120 characters."}
    assert parse_bus_form({**form, "p-0-name": "Ada", "p-0-age": "130"})[1] == {"p-0-age": "Enter an age from 0 to 120"}


def test_names_are_stored_in_one_form_and_invisible_ones_are_refused():
    """Issue 14 item 9: NFC, no zero-width or bidi characters, nothing invisible passes as a name."""
    import pytest

    from travelgo.text import clean_name

    assert clean_name("Jose\u0301  Garci\u0301a") == "José García"  # decomposed accents stored composed
    assert clean_name("\u200bAsha\u200d Rao\u202e") == "Asha Rao"
    for invisible in ("\u200b\u200c\u200d", "\u202e\u2066", "\ufeff \u200e"):
        with pytest.raises(ValueError, match="Enter your full name"):
            clean_name(invisible)


def test_an_e_mail_address_without_an_at_sign_is_explained_in_the_product_s_words():
    from travelgo.accounts.forms import Registration

    errors = messages(Registration, {"email": "priya.example.com", "password": "long-enough-pw", "full_name": "P"})
    assert errors == {"email": "Enter an e-mail address like name@example.com."}  # not "must have an @-sign"
