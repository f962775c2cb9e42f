"""In-app notifications: one row per agent and thing that wants their attention."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    MENTION = "mention", _("Mention")
    ASSIGNED = "assigned", _("Assigned to you")
    CUSTOMER_REPLY = "customer_reply", _("Customer replied")


class Notification(models.Model):
    """Something on a ticket for one agent: read_at is set when they open or dismiss it."""

    recipient = models.ForeignKey(
        "accounts.Agent", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        "accounts.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when the email copy was handed to the mail server, so a task run twice sends once.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        indexes = [
            # The badge and the unread list: few rows per agent among many read ones.
            models.Index(
                fields=["recipient", "-id"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(fields=["recipient", "-id"], name="notification_recipient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} on {self.ticket_id}"
