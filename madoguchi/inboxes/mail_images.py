"""Inline images of an HTML mail (`<img src="cid:…">`) shown in the timeline.

The parser keeps them as attachments with their Content-ID; once ingest has stored them,
their `cid:` references in the message HTML are pointed at the stored files. Attachments
are stored in the order they were handed over, so the n-th stored file is the n-th kept one.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse

from madoguchi.tickets.models import Attachment, Message


def link_inline_images(message_id: int, content_ids: Sequence[str]) -> int:
    """Rewrite `cid:` sources to attachment URLs; returns how many were linked."""
    if not any(content_ids):
        return 0
    html = Message.objects.filter(pk=message_id).values_list("body_html", flat=True).first()
    if not html or "cid:" not in html:
        return 0
    stored = Attachment.objects.filter(message_id=message_id).order_by("pk")
    linked = 0
    for content_id, pk in zip(content_ids, stored.values_list("pk", flat=True), strict=False):
        reference = f"cid:{content_id}"
        if content_id and reference in html:
            html = html.replace(reference, reverse("web:attachment", args=[pk]))
            linked += 1
    if linked:
        Message.objects.filter(pk=message_id).update(body_html=html)
    return linked
