"""What customers' mail systems send back to one of the demo's replies: an Outlook answer,
a vacation auto-reply and a bounce."""

from __future__ import annotations

import base64
import random
from datetime import datetime
from email.header import Header
from typing import TYPE_CHECKING

from madoguchi.lib.mail.tokens import reply_address

from . import mail_samples as build
from .mail_texts import mid
from .timing import local_zone

if TYPE_CHECKING:
    from .mailroom import SentReply


def _sent_on(reply: SentReply) -> str:
    return reply.message.created_at.astimezone(local_zone()).strftime("%Y/%m/%d %H:%M")


def outlook_reply(
    rng: random.Random, reply: SentReply, references: list[str], at: datetime
) -> bytes:
    """Outlook answers our reply: RE: subject with the tag, the whole mail quoted below."""
    ticket, inbox = reply.ticket, reply.message.inbox
    brand = inbox.brand.name
    quoted = "\n".join(reply.message.body_text.splitlines())
    body = (
        f"{brand}\nご担当者様\n\nご連絡ありがとうございます。\n"
        "ご案内いただいた内容で承知いたしました。\n"
        "念のため、注文時のメールアドレスはこちらで間違いございません。\n"
        "引き続きよろしくお願いいたします。\n\n"
        f"{ticket.customer.name}\n\n"
        "-----Original Message-----\n"
        f"From: {brand} サポート <{inbox.address}>\n"
        f"Sent: {_sent_on(reply)}\n"
        f"To: {ticket.customer.name} <{reply.to}>\n"
        f"Subject: Re: {ticket.subject} [#{ticket.number}]\n\n"
        f"{quoted}\n"
    )
    extra = [
        ("Thread-Topic", str(Header(ticket.subject, "utf-8"))),
        ("Thread-Index", f"AQH{rng.getrandbits(90):023x}"),
        ("X-MS-Has-Attach", ""),
        ("Content-Language", "ja-JP"),
        ("X-Mailer", "Microsoft Outlook 16.0"),
    ]
    if references:
        extra += [("In-Reply-To", references[-1]), ("References", " ".join(references))]
    domain = reply.to.split("@")[1]
    return build.plain_utf8(
        name=ticket.customer.name or reply.to,
        address=reply.to,
        to=f"{brand} サポート <{inbox.address}>",
        subject=f"RE: {ticket.subject} [#{ticket.number}]",
        body=body,
        at=at,
        mid=mid(rng, domain, upper=True, prefix="TY"),
        extra=tuple(extra),
    )


def vacation_reply(rng: random.Random, reply: SentReply, at: datetime) -> bytes:
    """A customer's out-of-office answer, sent to the Reply-To of our reply (RFC 3834)."""
    ticket, inbox = reply.ticket, reply.message.inbox
    extra = [("Auto-Submitted", "auto-replied"), ("X-Autoreply", "yes")]
    if reply.provider_id:
        extra += [("In-Reply-To", reply.provider_id), ("References", reply.provider_id)]
    return build.plain_utf8(
        name=ticket.customer.name or reply.to,
        address=reply.to,
        to=reply_address(inbox.address, ticket.pk),
        subject=f"自動返信: 不在のお知らせ（Re: {ticket.subject} [#{ticket.number}]）",
        body=(
            "メールありがとうございます。\n"
            "誠に勝手ながら、12月5日まで不在にしております。\n"
            "いただいたメールは戻り次第、順次拝見いたします。\n"
            "お急ぎの場合はお手数ですが、改めてご連絡くださいますようお願いいたします。\n"
        ),
        at=at,
        mid=mid(rng, reply.to.split("@")[1]),
        extra=tuple(extra),
    )


def bounce(rng: random.Random, reply: SentReply, at: datetime) -> bytes:
    """Our relay's report that the customer's mailbox no longer exists."""
    ticket, inbox = reply.ticket, reply.message.inbox
    domain = inbox.address.split("@")[1]
    returned = "\n".join(
        [
            f"Return-Path: <{inbox.address}>",
            f"Received: by mail.{domain} (Postfix, from userid 1001)",
            f"From: =?utf-8?b?{_b64(inbox.brand.name + ' サポート')}?= <{inbox.address}>",
            f"To: {reply.to}",
            f"Reply-To: {reply_address(inbox.address, ticket.pk)}",
            f"Subject: =?utf-8?b?{_b64(f'Re: {ticket.subject}')}?= [#{ticket.number}]",
            f"Date: {build.mail_date(reply.message.created_at)}",
            f"Message-ID: {reply.provider_id}",
            f"X-Madoguchi-Loop: {inbox.address}",
            "",
        ]
    )
    return build.postfix_dsn(
        host=f"mail.{domain}",
        to=inbox.address,
        recipient=reply.to,
        remote=f"mx1.{reply.to.split('@')[1]}",
        at=at,
        mid=f"<{rng.getrandbits(48):012X}@mail.{domain}>",
        queue_id=f"{rng.getrandbits(40):010X}",
        original_headers=returned,
    )


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")
