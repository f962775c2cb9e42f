"""Building inbound messages and tickets for tests, the way connectors hand them to ingest."""

from __future__ import annotations

import itertools
from typing import Any

from madoguchi.inboxes.ingest import IngestResult, ingest
from madoguchi.inboxes.messages import InboundMessage, SenderHandle

_ids = itertools.count(1)


def inbound(inbox: Any, **fields: Any) -> InboundMessage:
    """An email-sender inbound message with sensible defaults; any field can be overridden."""
    fields.setdefault("external_id", f"test-{next(_ids)}")
    if "sender" not in fields:
        fields["sender"] = SenderHandle("email", "taro@example.jp", "Taro@Example.jp")
    fields.setdefault("sender_name", "山田 太郎")
    fields.setdefault("subject", "お問い合わせ")
    fields.setdefault("body_text", "商品についての質問です。")
    return InboundMessage(inbox_id=inbox.pk, **fields)


def receive(inbox: Any, **fields: Any) -> IngestResult:
    return ingest(inbound(inbox, **fields))
