"""/dev/mail: what the local SMTP server received (development and tests only; 404 elsewhere)."""

from __future__ import annotations

from quart import Blueprint, Response, abort, current_app, request

from ..security import CSP
from ..web import render
from . import localsmtp

bp = Blueprint("devmail", __name__, url_prefix="/dev/mail")

# The detail page shows a message's HTML in an iframe with `sandbox` (no scripts, no same origin) and `srcdoc`, which
# inherits this page's policy: e-mail HTML keeps its inline styles; scripts, remote images and forms stay off.
MAIL_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


@bp.before_request
async def development_only() -> None:
    if current_app.config["TRAVELGO"].env not in ("development", "test"):
        abort(404)


@bp.get("")
async def devmail_list():
    """The newest e-mails the local SMTP server received (?to=address: only those to it)."""
    settings = current_app.config["TRAVELGO"]
    to = request.args.get("to", "").strip() or None
    messages = await localsmtp.received(to=to)
    return await render("notify/devmail_list.html", messages=messages, to=to, smtp_url=settings.smtp_url)


@bp.get("/<int:mail_id>")
async def devmail_detail(mail_id: int):
    """One received e-mail: headers, text, HTML (sandboxed) and attachments."""
    message = await localsmtp.received_one(mail_id)
    if message is None:
        abort(404)
    response = await render("notify/devmail_detail.html", message=message)
    response.headers["Content-Security-Policy"] = MAIL_CSP
    return response


@bp.get("/<int:mail_id>/raw")
async def devmail_raw(mail_id: int):
    """The message exactly as it arrived (.eml)."""
    message = await localsmtp.received_one(mail_id)
    if message is None:
        abort(404)
    return Response(
        message.raw,
        content_type="message/rfc822",
        headers={"Content-Disposition": f'attachment; filename="mail-{mail_id}.eml"'},
    )


@bp.get("/<int:mail_id>/attachments/<int:index>")
async def devmail_attachment(mail_id: int, index: int):
    """One attachment, downloaded (never shown inline: it is whatever the e-mail carried)."""
    message = await localsmtp.received_one(mail_id)
    if message is None or not 0 <= index < len(message.attachments):
        abort(404)
    part = message.attachments[index]
    filename = part.filename.replace('"', "").replace("\r", "").replace("\n", "")
    return Response(
        part.data,
        content_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"},
    )
