"""Register, log in, log out, profile."""

from __future__ import annotations

from quart import Blueprint, current_app, flash, g, request

from .. import ratelimit
from ..auth import end_session, login_required, start_session
from ..bookings.service import list_bookings
from ..security import client_ip
from ..web import form_dict, hx_redirect, parse_model, public_base_url, render, wants_fragment
from . import service
from .forms import Login, PasswordChange, PasswordForgot, PasswordReset, PhoneCode, ProfileUpdate, Registration

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect): one leading '/', and no backslash,
    space or control character anywhere (browsers drop tabs and newlines, so "/<TAB>/evil" means "//evil")."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and target.isprintable()  # False for tabs, newlines, other control and format characters, Unicode spaces
        and " " not in target
        and "\\" not in target
    ):
        return target
    return "/"


@bp.get("/register")
async def register_form():
    """The registration page."""
    return await render("accounts/register.html", values={}, errors={})


@bp.post("/register")
async def register_create():
    """Start an account: the same "check your inbox" answer whether or not the address has one (the mail says
    which); errors in the form come back beside the fields (422)."""
    values = form_dict(await request.form)
    form, errors = parse_model(Registration, values)
    if form is None:
        values.pop("password", None)
        return await render("accounts/register.html", block="form", status=422, values=values, errors=errors)
    await service.register(form, client_ip(), public_base_url(), _safe_next(request.args.get("next")))
    return await render("accounts/register.html", block="form", values={}, errors={}, sent_to=form.email)


@bp.get("/register/confirm/<token>")
async def register_confirm_form(token: str):
    """The page a confirmation link opens: one button confirms (a GET changes nothing, so mail scanners that
    open links do not use it up). A link that cannot work says so at once (400)."""
    if len(token) > 300 or not await service.confirmation_link_works(token):
        return await render("accounts/confirm.html", token=None, status=400)
    return await render("accounts/confirm.html", token=token)


@bp.post("/register/confirm/<token>")
async def register_confirm(token: str):
    """Confirm the address and sign in; a link used before sends to the login page."""
    try:
        user, next_path = await service.confirm_email(token)
    except service.ConfirmationLinkInvalid:
        return await render("accounts/confirm.html", token=None, status=400)
    if user is None:
        await flash("Your address is already confirmed. Log in to continue.", "info")
        return hx_redirect("/login")
    await _sign_in(user["id"])
    await flash(f"Welcome to TravelGo, {user['full_name']}! Your address is confirmed.", "success")
    return hx_redirect(_safe_next(next_path))


async def _sign_in(user_id: int) -> None:
    """A new server-side session for this browser; the one its cookie named before (another login) ends."""
    await service.close_session(end_session())
    start_session(await service.open_session(user_id))


@bp.get("/login")
async def login_form():
    """The login page."""
    return await render("accounts/login.html", values={}, errors={}, next=_safe_next(request.args.get("next")))


@bp.post("/login")
async def login_create():
    """Log in. A failure never says whether the email exists."""
    values = form_dict(await request.form)
    next_url = _safe_next(values.get("next") or request.args.get("next"))
    form, errors = parse_model(Login, values)
    if form is not None:
        user_id = await service.login(form.email, form.password, client_ip())
        if user_id is not None:
            await _sign_in(user_id)
            return hx_redirect(next_url)
        errors = {"__all__": service.LOGIN_REFUSED}
    values.pop("password", None)
    return await render("accounts/login.html", block="form", status=422, values=values, errors=errors, next=next_url)


@bp.post("/logout")
async def logout():
    """End the session, server-side too (a copied cookie stops working)."""
    await service.close_session(end_session())
    await flash("You are logged out.", "info")
    return hx_redirect("/")


@bp.get("/profile")
@login_required
async def profile_show():
    """Personal details, password change and booking history."""
    return await _profile_page()


@bp.post("/profile")
@login_required
async def profile_update():
    """Save name and phone."""
    values = form_dict(await request.form)
    form, errors = parse_model(ProfileUpdate, {k: values.get(k, "") for k in ("full_name", "phone")})
    if form is None:
        return await _profile_page("profile_form", values=values, errors=errors)
    await service.update_profile(g.current_user.id, form)
    await flash("Your profile is saved.", "success")
    return hx_redirect("/profile")


@bp.post("/profile/password")
@login_required
async def password_update():
    """Change the password after checking the current one."""
    values = form_dict(await request.form)
    form, errors = parse_model(PasswordChange, values)
    if form is not None:
        try:
            await service.change_password(g.current_user.id, form, keep_session=g.current_user.session_id)
        except service.WrongPassword:
            errors = {"current_password": "That is not your current password."}
        else:
            await flash("Your password is changed.", "success")
            return hx_redirect("/profile")
    return await _profile_page("password_form", pw_errors=errors)


@bp.post("/profile/notifications")
@login_required
async def notifications_update():
    """Choose SMS and WhatsApp (e-mail is always on); opting in needs a verified number."""
    values = form_dict(await request.form)
    choices = ProfileUpdate(**{name: name in values for name in service.CHANNELS})
    try:
        await service.update_profile(g.current_user.id, choices)
    except service.ChannelsNeedVerifiedPhone as exc:
        return await _profile_page("notify_form", notify_errors={"__all__": str(exc)})
    await flash("Your notification choices are saved.", "success")
    return hx_redirect("/profile")  # not "#notifications": htmx would only scroll, not reload


@bp.post("/profile/phone/verify")
@login_required
async def phone_verification_create():
    """Text a 6-digit code to the profile's phone number."""
    try:
        phone = await service.send_phone_code(g.current_user.id)
    except (service.PhoneNotVerifiable, service.MessageNotSent, ratelimit.RateLimited) as exc:
        return await _profile_page("notify_form", notify_errors={"__all__": str(exc)})
    await flash(f"We sent a 6-digit code to {phone}. Enter it below; it works for 10 minutes.", "success")
    return hx_redirect("/profile")


@bp.post("/profile/phone/confirm")
@login_required
async def phone_verification_confirm():
    """Check the code sent by SMS; the number is verified when it matches."""
    form, errors = parse_model(PhoneCode, form_dict(await request.form))
    if form is not None:
        try:
            await service.verify_phone(g.current_user.id, form.code)
        except (service.PhoneCodeRefused, ratelimit.RateLimited) as exc:
            errors = {"code": str(exc)}
        else:
            await flash("Your phone number is verified. You can now get SMS or WhatsApp messages.", "success")
            return hx_redirect("/profile")
    return await _profile_page("notify_form", notify_errors=errors)


async def _profile_page(block: str | None = None, **overrides):
    """The profile page, or one of its forms (422) when htmx posted it with errors."""
    context = {"values": g.current_user.__dict__, "errors": {}, "pw_errors": {}, "notify_errors": {}, **overrides}
    context["channels"] = await service.notification_channels(g.current_user.id)
    if block is None or not wants_fragment():
        context["history"] = await _booking_history(g.current_user.id)
    return await render("accounts/profile.html", block=block, status=422 if block else 200, **context)


async def _booking_history(user_id: int) -> list[dict]:
    """The profile's booking history (the bookings domain owns the query)."""
    return (await list_bookings(user_id, scope="all", limit=50))["items"]


@bp.get("/password/forgot")
async def password_forgot_form():
    """Ask for a password reset link."""
    return await render("accounts/password_forgot.html", values={}, errors={}, sent=False)


@bp.post("/password/forgot")
async def password_forgot_create():
    """Send a reset link in the background; the answer is the same whether the address is known or not."""
    values = form_dict(await request.form)
    form, errors = parse_model(PasswordForgot, values)
    if form is None:
        return await render(
            "accounts/password_forgot.html", block="form", status=422, values=values, errors=errors, sent=False
        )
    await ratelimit.hit("password_reset_ip", client_ip())
    current_app.add_background_task(service.request_password_reset, form.email, public_base_url())
    return await render("accounts/password_forgot.html", block="form", values={}, errors={}, sent=True)


@bp.get("/password/reset/<token>")
async def password_reset_form(token: str):
    """Choose a new password with a reset link."""
    live = len(token) <= 100 and await service.reset_token_is_live(token)
    response = await render(
        "accounts/password_reset.html", token=token, live=live, errors={}, status=200 if live else 410
    )
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in this page's URL
    return response


@bp.post("/password/reset/<token>")
async def password_reset_update(token: str):
    """Set the new password; the link works once, for an hour."""
    await ratelimit.hit("password_reset_submit_ip", client_ip())  # before any work, per client address
    form, errors = parse_model(PasswordReset, form_dict(await request.form))
    if form is not None:
        try:
            if len(token) > 100:
                raise service.ResetLinkInvalid()
            await service.reset_password(token, form)
        except service.ResetLinkInvalid:
            return await render(
                "accounts/password_reset.html", block="form", token=token, live=False, errors={}, status=422
            )
        await flash("Your password is changed. Log in with the new one.", "success")
        return hx_redirect("/login")
    response = await render(
        "accounts/password_reset.html", block="form", token=token, live=True, errors=errors, status=422
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
