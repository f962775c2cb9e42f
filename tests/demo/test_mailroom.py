"""The demo's email inboxes: configured like an admin would, fed real raw mail."""

from __future__ import annotations

import random
import time
from datetime import timedelta
from email import message_from_bytes

import pytest
from django.utils import timezone

from madoguchi.connectors.email.inbound import raw_bytes
from madoguchi.demo import mail_samples
from madoguchi.demo.mailroom import MAIL_SLUGS, seed_mailroom
from madoguchi.demo.seed import seed
from madoguchi.inboxes.models import Inbox, Outbox, OutboxState, RawMail, RawMailState
from madoguchi.lib.mail.parsing import parse_mail
from madoguchi.tickets.models import (
    Attachment,
    AuthorKind,
    Delivery,
    Direction,
    Message,
    Status,
    Ticket,
    TimelineEvent,
)


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """A small demo with its after-commit work run, as `madoguchi demo` does."""
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        report = seed(customers=30, tickets=60)
    return report, time.monotonic() - started


def raw(label_subject: str) -> RawMail:
    return RawMail.objects.get(subject__contains=label_subject)


@pytest.mark.django_db
def test_demo_inboxes_get_real_mail(demo):
    now = timezone.now()
    inboxes = Inbox.objects.filter(slug__in=MAIL_SLUGS)
    assert inboxes.count() == 2
    charsets = sorted(i.settings["outbound_charset"] for i in inboxes)
    assert charsets == ["iso-2022-jp", "utf-8"]
    for inbox in inboxes:
        assert inbox.settings["from_name"] == f"{inbox.brand.name} サポート"
        assert inbox.settings["auto_reply"] == "on"
        assert "{{ticket.number}}" in inbox.settings["auto_reply_body"]
        assert inbox.brand.name in inbox.settings["signature"]
        assert not any(key.startswith("imap_") for key in inbox.settings)

    mails = RawMail.objects.filter(inbox__in=inboxes)
    assert 12 <= mails.count() <= 20
    states = set(mails.values_list("state", flat=True))
    assert {
        RawMailState.INGESTED,
        RawMailState.BOUNCE,
        RawMailState.FAILED,
    } <= states
    assert not mails.filter(state=RawMailState.PENDING).exists()
    # Recent and in the past, not all stamped with the seeding moment.
    assert not mails.filter(received_at__gt=now).exists()
    assert len(set(mails.values_list("received_at", flat=True))) == mails.count()
    # Mails that opened tickets; answers to our replies follow those replies' own times.
    new_tickets = mails.filter(
        state=RawMailState.INGESTED, kind="normal", message__meta__email__thread_rule="new"
    )
    assert new_tickets.count() >= 8
    assert all(
        now - timedelta(days=3, hours=2) < m.received_at < now - timedelta(hours=2)
        for m in new_tickets
    )
    broken = mails.get(state=RawMailState.FAILED)
    assert "sender" in broken.error and broken.ticket_id is None

    # ISO-2022-JP from an iPhone: NEC characters arrive intact.
    iphone = raw("領収書の宛名")
    assert b"\x1b$B" in raw_bytes(iphone)
    body = iphone.message.body_text
    assert "①" in body and "②" in body and "㈱こもれび設計" in body and "\ufffd" not in body
    assert iphone.message.created_at == iphone.received_at

    # Shift_JIS from a carrier phone: 髙 in the sender's name.
    docomo = raw("サイズ違い")
    assert docomo.message.ticket.customer.name == "髙橋 和子"
    # Gmail: the quote is cut for the timeline, the inline photo kept.
    gmail = raw("商品発送のお知らせ")
    assert gmail.message.body_html and "gmail_quote" not in gmail.message.body_html
    assert gmail.message.attachments.filter(content_type="image/png").exists()
    # RFC 2231 Japanese file name.
    pdf = Attachment.objects.get(filename="返品申込書_森本.pdf")
    assert pdf.content_type == "application/pdf"
    assert pdf.created_at <= pdf.message.created_at + timedelta(seconds=1)

    # The Outlook reply joined the ticket it answers, after our reply.
    outlook = mails.filter(subject__contains="[#").exclude(kind="auto_reply").get()
    assert outlook.state == RawMailState.INGESTED
    ticket = outlook.ticket
    assert f"[#{ticket.number}]" in outlook.subject
    assert ticket.messages.filter(direction=Direction.OUTBOUND).exists()
    assert outlook.message.created_at > ticket.created_at
    assert "-----Original Message-----" not in outlook.message.body_text
    assert outlook.message.meta["email"]["thread_rule"] in ("known_message_id", "own_message_id")

    # The vacation reply is on its ticket without reopening it.
    vacation = mails.get(subject__startswith="自動返信")
    assert vacation.state == RawMailState.INGESTED and vacation.kind == "auto_reply"
    assert vacation.message.meta["automatic"] == "auto_reply"
    assert vacation.ticket.status in (Status.SOLVED, Status.PENDING)
    assert vacation.message.meta["email"]["thread_rule"] == "reply_address"
    assert not TimelineEvent.objects.filter(
        ticket=vacation.ticket, field="status", created_at__gte=vacation.received_at
    ).exists()
    assert not vacation.ticket.messages.filter(
        author_kind=AuthorKind.SYSTEM, created_at__gt=vacation.received_at
    ).exists()

    # The bounce marked our reply failed.
    bounce = mails.get(state=RawMailState.BOUNCE)
    reply = Message.objects.get(pk=bounce.message_id)
    assert reply.direction == Direction.OUTBOUND and reply.delivery == Delivery.FAILED
    assert reply.meta["bounce"]["hard"] is True
    assert reply.meta["bounce"]["recipients"][0]["status"] == "5.1.1"
    assert bounce.received_at > reply.created_at

    # The newsletter became a ticket without a receipt.
    newsletter = raw("ネットショップ運営ニュース")
    assert newsletter.kind == "list"
    assert not newsletter.ticket.messages.filter(author_kind=AuthorKind.SYSTEM).exists()


@pytest.mark.django_db
def test_receipts_are_settled_and_nothing_waits_to_send(demo):
    _report, seconds = demo
    receipts = Message.objects.filter(
        inbox__slug__in=MAIL_SLUGS, author_kind=AuthorKind.SYSTEM, meta__automatic="auto_reply"
    )
    assert receipts.count() >= 8
    for receipt in receipts.select_related("ticket"):
        assert receipt.delivery == Delivery.SENT
        first = receipt.ticket.messages.order_by("created_at").first()
        assert first.direction == Direction.INBOUND
        assert timedelta(0) < receipt.created_at - first.created_at < timedelta(minutes=1)
        assert "受付番号 #" in receipt.subject
        assert receipt.ticket.customer.name in receipt.body_text
    assert not Outbox.objects.filter(state__in=[OutboxState.PENDING, OutboxState.SENDING]).exists()
    assert Outbox.objects.filter(message__in=receipts, state=OutboxState.SENT).count() == (
        receipts.count()
    )
    assert not Ticket.objects.filter(updated_at__gt=timezone.now()).exists()
    print(f"demo seed with mail: {seconds:.2f}s")


@pytest.mark.django_db
def test_mailroom_runs_once_and_fast(demo):
    count = RawMail.objects.count()
    messages = Message.objects.count()
    now = timezone.now()
    started = time.monotonic()
    assert seed_mailroom(random.Random(1), now) == 0
    assert time.monotonic() - started < 1
    assert (RawMail.objects.count(), Message.objects.count()) == (count, messages)


@pytest.mark.django_db
def test_mailroom_alone_is_fast(db, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False):
        seed(customers=30, tickets=60)  # the mail part is left in the captured callbacks
    RawMail.objects.all().delete()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        fed = seed_mailroom(random.Random(5), timezone.now())
    seconds = time.monotonic() - started
    assert fed >= 12
    # A budget, not a benchmark: about 0.5 s here, with room for a loaded CI machine.
    assert seconds < 20, seconds
    print(f"mailroom: {fed} mails in {seconds:.2f}s")


def test_samples_are_what_the_clients_send():
    jis = mail_samples.iphone_jis(
        name="小川 恵美",
        address="a@example.jp",
        to="info@example.jp",
        subject="①の件",
        body="㈱テスト①\n",
        at=timezone.now(),
        mid="<x@example.jp>",
    )
    message = message_from_bytes(jis)
    assert message.get_content_charset() == "iso-2022-jp"
    assert b"\r\n" in jis and b"\x1b$B" in jis
    parsed = parse_mail(jis)
    assert parsed.subject == "①の件" and "㈱テスト①" in parsed.text
    assert parsed.sender is not None and parsed.sender.name == "小川 恵美"
    sjis = mail_samples.docomo_sjis(
        name="髙橋 和子",
        address="b@example.jp",
        to="info@example.jp",
        subject="サイズ",
        body="髙橋です\n",
        at=timezone.now(),
        mid="<y@example.jp>",
    )
    assert "髙橋です".encode("cp932") in sjis
    sender = parse_mail(sjis).sender
    assert sender is not None and sender.name == "髙橋 和子"
    png = mail_samples.tiny_png()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png.endswith(b"IEND\xaeB`\x82")
    pdf = mail_samples.tiny_pdf(["hello"])
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
