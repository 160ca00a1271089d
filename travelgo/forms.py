"""Management forms (admin now, partner pages next): one state object for "the values, their errors, show again".

A route reads the posted form into a FormState, answers live validation, saves inside `state.saving()` and then
redirects, or renders the same fragment again with `state.values`, `state.errors` and `state.status`. Service
functions raise the three errors below; which rows they may touch (all for an admin, one business for a partner)
is a parameter the route passes them, never something read from globals here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, NoReturn, TypeVar

from pydantic import BaseModel
from quart import Response, abort, flash, request

from .web import form_dict, hx_redirect, parse_model, render

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


class NotFound(Exception):
    """The thing asked for does not exist (404)."""


class Invalid(Exception):
    """Input that is well-formed but conflicts with the data (422 with field messages)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class Refused(Exception):
    """A change the current bookings do not allow (409, with a message that says why)."""


def not_found(exc: NotFound) -> NoReturn:
    """A missing row is a 404 page that names what is missing."""
    abort(404, description=f"That {exc} does not exist.")


async def found(lookup: Awaitable[T]) -> T:
    """The row a service function looks up, or the 404 page when it does not exist."""
    try:
        return await lookup
    except NotFound as exc:
        not_found(exc)


@dataclass
class FormState(Generic[M]):
    """What a form shows: the values as typed, field -> message, the status to answer with, and the parsed
    model when the values are valid."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    status: int = 200
    form: M | None = None

    @classmethod
    async def posted(cls, model: type[M], *multi: str, fixed: dict[str, Any] | None = None) -> FormState[M]:
        """Parse the posted form with `model` (fields in `multi` keep every value; `fixed` overrides what was
        posted, for values the page does not let anyone change)."""
        values = {**form_dict(await request.form, *multi), **(fixed or {})}
        form, errors = parse_model(model, values)
        return cls(values, errors, 422 if errors else 200, form)

    @property
    def validating(self) -> bool:
        """Live validation: posted on a field change (`?validate=1`), to be checked but not saved."""
        return request.args.get("validate") == "1"

    async def live(self) -> Response:
        """Live validation answer for the form's aria-live region: the problems with fields that have something
        in them (422), or none (200). The inputs are never swapped while someone is typing."""
        errors = {k: v for k, v in self.errors.items() if k == "__all__" or self.values.get(k) not in (None, "", [])}
        return await render("_live_errors.html", status=422 if errors else 200, errors=errors)

    def context(self, prefix: str = "") -> dict[str, Any]:
        """The template names of a form on a page with several: `<prefix>values` and `<prefix>errors`."""
        return {f"{prefix}values": self.values, f"{prefix}errors": self.errors}

    def fail(self, errors: dict[str, str], status: int = 422) -> None:
        self.errors, self.status, self.form = errors, status, None

    @contextmanager
    def saving(self) -> Iterator[None]:
        """Run a save: Invalid becomes field messages (422), Refused a form-wide message (409), NotFound a 404."""
        try:
            yield
        except NotFound as exc:
            not_found(exc)
        except Invalid as exc:
            self.fail(exc.errors)
        except Refused as exc:
            self.fail({"__all__": str(exc)}, 409)


async def saved(message: str, url: str) -> Response:
    """After a save: flash what happened and go to `url` (htmx or plain form)."""
    await flash(message, "success")
    return hx_redirect(url)
