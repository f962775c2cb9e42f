from __future__ import annotations

from madoguchi.inboxes.messages import OutboundMessage

from ..base import Connector, ReplyRoute, SendResult
from ..registry import register
from .sending import send_email


class EmailConnector(Connector):
    kind = "email"
    capabilities = frozenset({"send", "attachments", "html"})

    def reply_route(self, handles: dict[str, list[str]], customer_name: str) -> ReplyRoute | None:
        emails = handles.get("email") or []
        return ReplyRoute("email", emails[0], customer_name) if emails else None

    def send(self, message: OutboundMessage) -> SendResult:
        return send_email(message)


register(EmailConnector())
