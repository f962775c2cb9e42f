"""Inline images of HTML mail are kept as attachments and shown where the mail put them."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse

from madoguchi.connectors.email.inbound import receive
from madoguchi.inboxes.models import RawMailState
from madoguchi.tickets.models import Attachment, Message

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "email" / "chatwoot"


def test_cid_images_point_at_the_stored_attachments(inboxes) -> None:  # type: ignore[no-untyped-def]
    raw = receive(
        inboxes["email"].pk,
        (FIXTURE / "mail_with_inline_images.eml").read_bytes(),
        source="smtp",
    )
    assert raw.state == RawMailState.INGESTED, raw.error
    message = Message.objects.get(pk=raw.message_id)
    images = list(Attachment.objects.filter(message=message, content_type__startswith="image/"))
    assert images
    assert "cid:" not in message.body_html
    assert any(reverse("web:attachment", args=[a.pk]) in message.body_html for a in images)
