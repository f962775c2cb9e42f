"""The connector contract: parse what a channel sends, deliver what we reply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from madoguchi.inboxes.messages import OutboundMessage


class DeliveryError(Exception):
    """A send that did not go through. `retryable` decides between backoff and dead letter."""

    retryable = True

    def __init__(self, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(message)
        if retryable is not None:
            self.retryable = retryable


class RetryableDeliveryError(DeliveryError):
    retryable = True


class PermanentDeliveryError(DeliveryError):
    retryable = False


@dataclass(frozen=True)
class ReplyRoute:
    """Where a public reply on a ticket of this channel goes."""

    transport: str  # "email", "line", …
    to: str
    to_name: str = ""


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str = ""


class Connector:
    kind: ClassVar[str]
    # e.g. {"receive", "send", "attachments", "html"}
    capabilities: ClassVar[frozenset[str]] = frozenset()
    # Plain-text channels have length limits (LINE 5,000; SMS 670 in UCS-2 …); None = none.
    max_reply_chars: ClassVar[int | None] = None

    def reply_route(self, handles: dict[str, list[str]], customer_name: str) -> ReplyRoute | None:
        """Where a public reply goes, given the customer's handles by kind; None = record only."""
        return None

    def send(self, message: OutboundMessage) -> SendResult:
        """Deliver, or raise DeliveryError (retryable or permanent). Must be safe to call twice
        with the same idempotency key."""
        raise PermanentDeliveryError(f"{self.kind} inboxes cannot send replies")


class RepliesByEmail(Connector):
    """Channels with no reply path of their own (form, API, phone, FAX) answer by email when
    the customer has an address; otherwise the reply is recorded for the agent to relay."""

    capabilities = frozenset({"send_via_email"})

    def reply_route(self, handles: dict[str, list[str]], customer_name: str) -> ReplyRoute | None:
        emails = handles.get("email") or []
        return ReplyRoute("email", emails[0], customer_name) if emails else None
