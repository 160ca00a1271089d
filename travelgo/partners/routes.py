"""Partner pages under /partner: a business's own trips, vehicles, hotels, restaurants, inventory, bookings and
figures.

The inventory, booking and analytics pages are the admin's views (travelgo/admin/routes), mounted here behind the
partner guard instead of the admin one: the guard resolves the caller's PartnerScope, the views pass it to the
admin services (views.area_scope), and the services filter every read and check every change with it
(travelgo/partners/ownership.py). So each rule lives once, and a partner's page is the admin's page narrowed to
one business. Owner-only routes (prices, room types, hotel details, trip cancellation, new train and flight
routes with their runs and fares, members) say so below.
"""

from __future__ import annotations

import csv
import inspect
import io
from collections.abc import Callable

from quart import Blueprint, Response, g

from .. import db, events
from ..admin import charts
from ..admin.routes import audit, bookings, dashboard, hotels, restaurants, transport, trips, vehicles
from ..auth import browser_user, login_required
from ..forms import FormState, NotFound, found, not_found, saved
from ..live import service as live
from ..live.routes import subscribe
from ..web import public_base_url, render, render_block
from . import service
from .forms import ApplicationForm, InviteForm
from .ownership import select_owned_kinds
from .scope import partner_required, scope

bp = Blueprint("partner", __name__, url_prefix="/partner")

# (rule, admin view, methods, role): the admin's views this area shares. Staff run inventory and bookings and answer
# table requests; prices, room types, hotel and restaurant details (deposit, policy), opening hours, tables, train and
# flight routes (new routes, runs, fares), trip cancellation and the audit trail are for owners.
SHARED: list[tuple[str, Callable, tuple[str, ...], str]] = [
    ("/bookings", bookings.booking_list, ("GET",), "staff"),
    ("/bookings.csv", bookings.booking_export, ("GET",), "staff"),
    ("/bookings/<reference>", bookings.booking_show, ("GET",), "staff"),
    ("/bookings/<reference>/cancel", bookings.booking_cancel, ("POST",), "staff"),
    ("/trips", trips.trip_list, ("GET",), "staff"),
    ("/trips/<int:trip_id>", trips.trip_show, ("GET",), "staff"),
    ("/trips/<int:trip_id>/seats", trips.trip_seats, ("POST",), "staff"),
    ("/trips/<int:trip_id>/price", trips.trip_price, ("POST",), "owner"),
    ("/trips/<int:trip_id>/cancel", trips.trip_cancel, ("POST",), "owner"),
    ("/routes", transport.route_list, ("GET",), "staff"),
    ("/routes/<int:route_id>", transport.route_show, ("GET",), "staff"),
    ("/routes", transport.route_create, ("POST",), "owner"),
    ("/routes/<int:route_id>/runs", transport.route_runs, ("POST",), "owner"),
    ("/routes/<int:route_id>/fares", transport.route_fares, ("POST",), "owner"),
    ("/vehicles", vehicles.vehicle_list, ("GET",), "staff"),
    ("/hotels", hotels.hotel_list, ("GET",), "staff"),
    ("/hotels/<int:hotel_id>", hotels.hotel_show, ("GET",), "staff"),
    ("/hotels/<int:hotel_id>/stop-sell", hotels.inventory_stop_sell, ("POST",), "staff"),
    ("/hotels/<int:hotel_id>", hotels.hotel_update, ("POST",), "owner"),
    ("/hotels/<int:hotel_id>/room-types", hotels.room_type_create, ("POST",), "owner"),
    ("/hotels/<int:hotel_id>/room-types/<int:room_type_id>", hotels.room_type_update, ("POST",), "owner"),
    ("/hotels/<int:hotel_id>/inventory", hotels.inventory_set, ("POST",), "owner"),
    ("/restaurants", restaurants.restaurant_list, ("GET",), "staff"),
    ("/restaurants/<int:restaurant_id>", restaurants.restaurant_show, ("GET",), "staff"),
    ("/restaurants/<int:restaurant_id>", restaurants.restaurant_update, ("POST",), "owner"),
    ("/restaurants/<int:restaurant_id>/hours", restaurants.restaurant_hours, ("POST",), "owner"),
    ("/restaurants/<int:restaurant_id>/tables", restaurants.table_create, ("POST",), "owner"),
    ("/restaurants/<int:restaurant_id>/tables/<int:table_id>", restaurants.table_update, ("POST",), "owner"),
    ("/restaurants/<int:restaurant_id>/tables/<int:table_id>/remove", restaurants.table_remove, ("POST",), "owner"),
    ("/restaurants/<int:restaurant_id>/links", restaurants.table_link, ("POST",), "owner"),
    ("/restaurant-requests", restaurants.restaurant_request_list, ("GET",), "staff"),
    ("/restaurant-requests", restaurants.restaurant_request_answer, ("POST",), "staff"),
    ("/audit", audit.audit_list, ("GET",), "owner"),
]
for rule, view, methods, role in SHARED:
    bp.add_url_rule(
        rule, endpoint=view.__name__, view_func=partner_required(role)(inspect.unwrap(view)), methods=list(methods)
    )


# --- the area's nav ----------------------------------------------------------------------------------------

# (href, label, the kind of row (ownership.OWNED) the business must own for the link to show; None: always). Only the
# nav is narrowed: every URL answers exactly as before, so a typed /partner/restaurants still lists the business's
# restaurants (none) and the guard above still decides who may open it.
NAV: list[tuple[str, str, str | None]] = [
    ("/partner/", "Dashboard", None),
    ("/partner/bookings", "Bookings", None),
    ("/partner/trips", "Trips", "operator"),
    ("/partner/routes", "Trains and flights", "route"),
    ("/partner/vehicles", "Vehicles", "operator"),
    ("/partner/hotels", "Hotels", "hotel"),
    ("/partner/restaurants", "Restaurants", "restaurant"),
    ("/partner/restaurant-requests", "Table requests", "restaurant"),
]
OWNER_NAV: list[tuple[str, str]] = [("/partner/members", "Members"), ("/partner/audit", "Audit log")]


async def nav_links() -> list[tuple[str, str]]:
    """The current business's sections as (href, label): the kinds of inventory it owns, and owners' pages."""
    s = scope()
    kinds = tuple(sorted({kind for _, _, kind in NAV if kind is not None}))
    async with db.reading() as cur:
        owns = await select_owned_kinds(cur, s.partner_id, kinds)
    if s.is_owner and "operator" in owns:
        owns |= {"route"}  # an owner's first train or flight route is made on that page, under one of its operators
    links = [(href, label) for href, label, kind in NAV if kind is None or kind in owns]
    return links + (OWNER_NAV if s.is_owner else [])


@bp.context_processor
def partner_nav() -> dict:
    """`partner_nav()` for the layout: Jinja awaits it only where the nav is drawn, so a fragment or a live panel
    costs no query."""
    return {"partner_nav": nav_links}


# --- dashboard --------------------------------------------------------------------------------------------


@bp.get("/")
@partner_required()
async def dashboard_show():
    """Today's movements and the latest bookings (live), and the business's figures for a date range."""
    context = await dashboard.figures_context()
    rng = context["range"]
    peaks = await service.peak_hours(scope(), rng.date_from, rng.date_to)
    context["chart"]["peaks"] = charts.bar_chart(
        "chart-peaks",
        "Bookings made per hour of the day (UTC)",
        [(f"{p['hour']:02d}", p["bookings"]) for p in peaks],
        summary=f"Bookings made per hour from {rng.date_from:%d %b} to {rng.date_to:%d %b %Y}",
    )
    return await render(
        "partner/dashboard.html", today=await service.today(scope()), peaks=peaks, partner=scope(), **context
    )


@bp.get("/dashboard.csv")
@partner_required()
async def dashboard_export():
    """The dashboard's figures per day for the range (?from=&to=) as CSV: bookings, cancellations and net revenue,
    one column per currency (never added together)."""
    figures = (await dashboard.figures_context())["figures"]
    currencies = sorted({code for day in figures["days"] for code in day["revenue_by_currency"]})
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["date", "bookings", "cancelled", *(f"net_revenue_{code}" for code in currencies)])
    for day in figures["days"]:
        revenue = day["revenue_by_currency"]
        writer.writerow(
            [day["date"].isoformat(), day["bookings"], day["cancelled"],
             *(f"{revenue.get(code, 0) / 100:.2f}" for code in currencies)]
        )  # fmt: skip
    response = Response(buffer.getvalue(), mimetype="text/csv")
    name = f"figures-{figures['from'].isoformat()}-{figures['to'].isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/live")
@partner_required()
async def dashboard_live():
    """Server-sent `today` events: the dashboard's live panel again whenever a booking of the business changes."""
    s = scope()
    sub = await subscribe(await service.live_topics(s))

    async def panel() -> bytes:
        html = await render_block("partner/dashboard.html", "live_panel", today=await service.today(s))
        return live.sse_message(html.replace("\n", " "), event="today")

    async def on_event(event: events.Event) -> bytes | None:
        # every open dashboard of this business sends the same panel for this event: rendered once per worker
        return await live.cached(("partner-panel", s.partner_id, event.id), panel)

    return live.stream_response(sub, [], on_event)


# --- members (owners) -------------------------------------------------------------------------------------


async def _members_page(state: FormState, block: str | None = None):
    return await render(
        "partner/members.html", block=block, status=state.status, partner=scope(), **await service.members(scope()),
        **state.context(),
    )  # fmt: skip


@bp.get("/members")
@partner_required("owner")
async def member_list():
    """The business's members and invitations, and the invite form."""
    return await _members_page(FormState({"role": "staff"}))


@bp.post("/members/invite")
@partner_required("owner")
async def member_invite():
    """Invite someone by e-mail (owners only); the link goes out through the notifications outbox."""
    state = await FormState.posted(InviteForm)
    if state.form is not None:
        with state.saving():
            s = scope()
            await service.invite(s.user_id, s.partner_id, state.form, public_base_url(), g.current_user.full_name)
            return await saved(f"An invitation is on its way to {state.form.email}.", "/partner/members")
    return await _members_page(state, "invite_form")


@bp.post("/members/<int:user_id>/remove")
@partner_required("owner")
async def member_remove(user_id: int):
    """Take a member off the business (never the last owner)."""
    state = FormState()
    with state.saving():
        await service.remove_member(scope().user_id, scope().partner_id, user_id)
        return await saved("The member is removed.", "/partner/members")
    return await _members_page(state)


# --- joining: invitations and applications (any signed-in user) ------------------------------------------


@bp.get("/invitations/<token>")
@login_required
async def invitation_show(token: str):
    """An invitation: which business, which role, and the accept button."""
    found_invitation = await service.invitation(token)
    if found_invitation is None:
        not_found(NotFound("invitation (it may have expired or been used)"))
    return await render("partner/invitation.html", invitation=found_invitation, token=token, errors={})


@bp.post("/invitations/<token>")
@login_required
async def invitation_accept(token: str):
    """Join the business (the signed-in account must be the invited address)."""
    state = FormState()
    with state.saving():
        joined = await service.accept_invitation(await browser_user(), token)
        return await saved(f"Welcome to {joined['partner_name']}.", "/partner/")
    found_invitation = await found(_live_invitation(token))
    return await render(
        "partner/invitation.html", status=state.status, invitation=found_invitation, token=token, errors=state.errors
    )


async def _live_invitation(token: str) -> dict:
    found_invitation = await service.invitation(token)
    if found_invitation is None:
        raise NotFound("invitation")
    return found_invitation


@bp.get("/apply")
@login_required
async def application_new():
    """'List your business': the application form and the caller's earlier applications."""
    return await _apply_page(FormState({"kind": "hotel"}))


async def _apply_page(state: FormState, block: str | None = None):
    user = await browser_user()
    return await render(
        "partner/apply.html", block=block, status=state.status, applications=await service.applications(user.id),
        **state.context(),
    )  # fmt: skip


@bp.post("/apply")
@login_required
async def application_create():
    """Send an application for an admin to approve."""
    state = await FormState.posted(ApplicationForm)
    if state.form is not None:
        with state.saving():
            await service.apply((await browser_user()).id, state.form)
            return await saved("Thank you: an admin will look at your application soon.", "/partner/apply")
    return await _apply_page(state, "apply_form")
