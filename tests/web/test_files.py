"""Attachments are served only through the permission-checked view, with safe headers."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from madoguchi.inboxes.ingest import ingest
from madoguchi.inboxes.messages import InboundAttachment, InboundMessage, SenderHandle
from madoguchi.tickets.models import Attachment

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def attachments(inboxes):  # type: ignore[no-untyped-def]
    result = ingest(
        InboundMessage(
            inbox_id=inboxes["email"].pk,
            external_id=f"files-{uuid.uuid4()}",
            sender=SenderHandle("email", "ito@example.jp"),
            sender_name="伊藤 さくら",
            subject="不良品が届きました",
            body_text="写真を添付します。",
            attachments=[
                InboundAttachment("割れたお皿.png", "image/png", PNG),
                InboundAttachment("drawing.svg", "image/svg+xml", SVG),
            ],
        )
    )
    return {a.filename: a for a in Attachment.objects.filter(message_id=result.message_id)}


def test_image_is_shown_inline_to_an_agent(login, agent, attachments):
    client = login(agent)
    item = attachments["割れたお皿.png"]
    response = client.get(reverse("web:attachment", args=[item.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PNG
    download = client.get(reverse("web:attachment", args=[item.pk]) + "?download=1")
    assert download["Content-Disposition"].startswith("attachment")
    ticket_page = client.get(reverse("web:ticket", args=[item.message.ticket_id])).content.decode()
    assert f'<img src="{reverse("web:attachment", args=[item.pk])}"' in ticket_page


def test_svg_is_never_rendered_inline(login, agent, attachments):
    client = login(agent)
    item = attachments["drawing.svg"]
    response = client.get(reverse("web:attachment", args=[item.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    page = client.get(reverse("web:ticket", args=[item.message.ticket_id])).content.decode()
    assert f'<img src="{reverse("web:attachment", args=[item.pk])}"' not in page


def test_attachment_is_checked_against_ticket_scope(client, login, make_agent, attachments):
    item = attachments["割れたお皿.png"]
    url = reverse("web:attachment", args=[item.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    outsider = login(make_agent("outsourced"))
    assert outsider.get(url).status_code == 404
    assert outsider.get(reverse("web:attachment", args=[999999])).status_code == 404


def test_media_url_does_not_serve_attachments(login, agent, attachments):
    client = login(agent)
    item = attachments["割れたお皿.png"]
    assert client.get(f"/media/{item.file.name}").status_code == 404
