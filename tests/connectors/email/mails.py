"""Writing test mails the way customers' clients do: plain stdlib EmailMessage → bytes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

_n = itertools.count(1)


def mail(
    *,
    sender: str = "山田 太郎 <taro@example.jp>",
    to: str = "support@shop.test",
    subject: str = "注文した商品がまだ届きません",
    body: str = "12月1日に注文した商品がまだ届いていません。確認をお願いします。",
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2026, 12, 1, 10, next(_n) % 60, tzinfo=UTC))
    msg["Message-ID"] = message_id or make_msgid(domain="example.jp")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg.as_bytes()
