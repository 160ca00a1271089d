"""The payment provider interface. The booking code talks to whichever provider runs only through this."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

EventKind = Literal["payment.captured", "payment.failed", "refund.processed", "refund.failed"]


@dataclass(frozen=True)
class Order:
    """A provider order: what the traveller is asked to pay."""

    provider: str
    order_id: str
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class PaymentEvent:
    """One verified fact from a provider (a webhook or a browser return)."""

    provider: str
    event_id: str  # unique per provider event: applied once
    kind: EventKind
    order_id: str
    payment_id: str | None
    amount_minor: int
    currency: str
    refund_id: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    status: Literal["pending", "processed", "failed"]


@dataclass(frozen=True)
class ProviderPayment:
    payment_id: str
    status: Literal["captured", "failed"]
    amount_minor: int


@dataclass(frozen=True)
class ProviderRefund:
    refund_id: str
    payment_id: str
    amount_minor: int
    status: Literal["pending", "processed", "failed"]


@dataclass(frozen=True)
class ProviderOrder:
    """What the provider has on record for an order (for reconciliation)."""

    order_id: str
    amount_minor: int
    currency: str
    payments: list[ProviderPayment] = field(default_factory=list)
    refunds: list[ProviderRefund] = field(default_factory=list)


class InvalidSignature(Exception):
    """A return or webhook whose signature does not verify (HTTP 400, nothing changes)."""


class ProviderError(Exception):
    """The provider could not be reached or refused the call (retried later)."""


class PaymentProvider(Protocol):
    name: str

    async def create_order(
        self, *, receipt: str, amount_minor: int, currency: str, return_url: str, webhook_url: str
    ) -> Order: ...

    def checkout_url(self, order_id: str) -> str | None:
        """Where the traveller pays (a hosted page), or None when TravelGo's page posts checkout_form instead."""

    def checkout_form(self, order_id: str, amount_minor: int, currency: str, return_url: str) -> dict | None:
        """{"action", "fields"} of a form TravelGo's checkout page posts to the provider, or None (checkout_url)."""

    async def verify_return(self, params: Mapping[str, str]) -> PaymentEvent: ...

    def parse_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> PaymentEvent: ...

    async def refund(self, *, payment_id: str, amount_minor: int, receipt: str) -> RefundResult:
        """Ask for a refund. Idempotent on the receipt: a second request with a receipt the provider already
        accepted answers with that refund, never a second one (a refund is re-sent when our record of it failed)."""

    async def fetch_order(self, order_id: str) -> ProviderOrder: ...


def hmac_hex(secret: str, message: bytes | str) -> str:
    """HMAC-SHA256 in hex, as Razorpay and TestPay sign."""
    data = message.encode() if isinstance(message, str) else message
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def signature_matches(secret: str, message: bytes | str, signature: str | None) -> bool:
    return bool(signature) and hmac.compare_digest(hmac_hex(secret, message), str(signature))
