"""The email copy of a notification: short plain text in the agent's language, one link.

Marked `Auto-Submitted: auto-generated` (RFC 3834) so vacation responders and our own ingest
do not answer it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from .models import Notification
from .notifications import describe, excerpt

HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}


def absolute(path: str) -> str:
    return f"{settings.PUBLIC_URL}{path}"


def compose(notification: Notification) -> tuple[str, str]:
    """Subject and body in the active language."""
    text = describe(notification)
    subject = gettext("[Madoguchi] %(text)s") % {"text": text}
    lines = [text, ""]
    ticket_subject = notification.ticket.subject or gettext("(no subject)")
    lines.append(gettext("Ticket: %(subject)s") % {"subject": ticket_subject})
    quote = excerpt(notification)
    if quote:
        lines += ["", f"> {quote}"]
    lines += [
        "",
        gettext("Open the ticket: %(url)s")
        % {"url": absolute(reverse("web:ticket", args=[notification.ticket_id]))},
        "",
        "-- ",
        gettext("You get these emails because email notifications are on. Turn them off at %(url)s")
        % {"url": absolute(reverse("web:notifications"))},
    ]
    return " ".join(subject.split()), "\n".join(lines) + "\n"


def send_notification_email(notification_id: int) -> str:
    """Send the copy once: claimed by setting emailed_at first, released again if SMTP fails."""
    notification = (
        Notification.objects.select_related(
            "recipient__user", "ticket__customer", "actor", "message"
        )
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:
        return "gone"
    recipient = notification.recipient
    if notification.emailed_at is not None:
        return "already sent"
    if notification.read_at is not None:
        return "already read"
    address = recipient.user.email
    if not recipient.email_notifications or not address or not recipient.user.is_active:
        return "off"
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return "already sent"
    with translation.override(recipient.language):
        subject, body = compose(notification)
    mail = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers=HEADERS,
    )
    try:
        mail.send()
    except Exception:
        Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
        raise
    return "sent"
