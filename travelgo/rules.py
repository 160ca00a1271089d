"""The booking limits, in one place: forms, searches, the API and the booking service all read them from here."""

from __future__ import annotations

MAX_SEATS = 6  # seats in one bus booking (one passenger each)
MAX_NIGHTS = 30  # nights in one stay, in a search and in a booking
MAX_ROOMS = 9  # rooms of one type in one stay, in a search and in a booking
GUESTS_PER_ROOM = 12  # the largest room type an admin can create (admin.forms.RoomTypeForm) sleeps twelve
MAX_PARTY = 20  # guests in one restaurant booking (restaurants.max_party may allow fewer)
