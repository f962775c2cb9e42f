"""Template helpers for received mail: which messages have their original kept, error lines."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from madoguchi.inboxes.models import RawMail

register = template.Library()

KIND_LABELS = {
    "auto_reply": _("automatic reply"),
    "bounce": _("bounce"),
    "complaint": _("spam complaint"),
    "list": _("mailing list"),
    "own": _("our own mail"),
}


@register.simple_tag
def original_mail_ids(stream: Iterable[Any]) -> frozenset[int]:
    """Ids of the stream's messages that came from a stored mail: one query per ticket page."""
    ids = [
        entry.message.pk
        for entry in stream
        if getattr(entry, "kind", "") == "message" and entry.message.direction == "in"
    ]
    if not ids:
        return frozenset()
    return frozenset(
        RawMail.objects.filter(message_id__in=ids).values_list("message_id", flat=True)
    )


@register.filter
def first_line(value: str | None) -> str:
    """The first non-empty line of an error text (tracebacks and server answers run long)."""
    for line in (value or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


@register.filter
def mail_kind_label(kind: str | None) -> str:
    """What the loop classifier called a mail, in words ("" for ordinary mail)."""
    return str(KIND_LABELS.get(kind or "", ""))
