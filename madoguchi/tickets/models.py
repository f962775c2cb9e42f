"""Tickets, their messages, attachments, tags, timeline and macros."""

from __future__ import annotations

import os
import re
import uuid

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


UNSOLVED = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


# Sort keys of the inbox (tickets.queries.ORDERS); the indexes below use the same expressions,
# so PostgreSQL and SQLite walk an index for each order instead of sorting the table.
PRIORITY_RANKS = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


def waiting_since() -> Coalesce:
    """Since when the customer waits: their last message, else when the ticket was opened."""
    return Coalesce(F("last_customer_message_at"), F("created_at"))


def priority_rank() -> Case:
    """Urgent 0 … low 3, so an ascending order reads urgent first."""
    return Case(
        *[When(priority=str(p), then=Value(rank)) for p, rank in PRIORITY_RANKS.items()],
        default=Value(len(PRIORITY_RANKS)),
    )


_UNSOLVED_VIEWS = Q(status__in=UNSOLVED, is_spam=False)


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=64, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")

    def __str__(self) -> str:
        return self.name


class TicketNumber(models.Model):
    """One-row counter for human ticket numbers (#10001, #10002 …), locked on use."""

    last = models.BigIntegerField(default=10000)

    def __str__(self) -> str:
        return f"#{self.last}"


class Ticket(models.Model):
    number = models.BigIntegerField(_("number"), unique=True)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    inbox = models.ForeignKey("inboxes.Inbox", on_delete=models.PROTECT, related_name="tickets")
    brand = models.ForeignKey("accounts.Brand", on_delete=models.PROTECT, related_name="tickets")
    channel = models.CharField(_("channel"), max_length=16)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="tickets"
    )
    assignee = models.ForeignKey(
        "accounts.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    is_spam = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    preview = models.CharField(
        max_length=200, blank=True, help_text="first line of the last message"
    )
    message_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created"), db_index=True)
    updated_at = models.DateTimeField(_("updated"))
    first_response_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    last_agent_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("ticket")
        indexes = [
            models.Index(fields=["updated_at", "id"], name="ticket_updated_idx"),
            models.Index(fields=["status", "updated_at", "id"], name="ticket_status_idx"),
            models.Index(
                fields=["assignee", "status", "updated_at", "id"], name="ticket_assignee_idx"
            ),
            models.Index(fields=["team", "status", "updated_at", "id"], name="ticket_team_idx"),
            models.Index(fields=["inbox", "status", "updated_at", "id"], name="ticket_inbox_idx"),
            models.Index(fields=["customer", "updated_at", "id"], name="ticket_customer_idx"),
            models.Index(fields=["brand", "status", "updated_at", "id"], name="ticket_brand_idx"),
            models.Index(
                fields=["status", "last_customer_message_at", "id"], name="ticket_waiting_idx"
            ),
            # Every console view but solved/spam filters unsolved tickets: bound their worst
            # case by the unsolved set, not the whole history (docs/performance.md, fix 2).
            models.Index(
                fields=["updated_at", "id"],
                condition=Q(status__in=UNSOLVED, is_spam=False),
                name="ticket_unsolved_idx",
            ),
            # The spam view: few rows among millions, newest first.
            models.Index(
                fields=["updated_at", "id"], condition=Q(is_spam=True), name="ticket_spam_idx"
            ),
            # "Oldest waiting" and "priority" orders, for every ticket and for the unsolved views.
            models.Index(waiting_since(), F("id"), name="ticket_wait_idx"),
            models.Index(
                waiting_since(), F("id"), condition=_UNSOLVED_VIEWS, name="ticket_wait_unsolved_idx"
            ),
            models.Index(priority_rank(), waiting_since(), F("id"), name="ticket_prio_idx"),
            models.Index(
                priority_rank(),
                waiting_since(),
                F("id"),
                condition=_UNSOLVED_VIEWS,
                name="ticket_prio_unsolved_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")


class AuthorKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    BOT = "bot", _("Bot")
    SYSTEM = "system", _("System")


class Delivery(models.TextChoices):
    RECEIVED = "received", _("Received")
    NOT_SENT = "not_sent", _("Not sent (recorded only)")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    inbox = models.ForeignKey("inboxes.Inbox", on_delete=models.PROTECT, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    author_kind = models.CharField(max_length=10, choices=AuthorKind.choices)
    author_agent = models.ForeignKey(
        "accounts.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_internal = models.BooleanField(_("internal note"), default=False)
    subject = models.CharField(max_length=250, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True, help_text="sanitised; safe to render")
    external_id = models.CharField(max_length=255, blank=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    meta = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        constraints = [
            models.UniqueConstraint(
                fields=["inbox", "external_id"],
                condition=~Q(external_id=""),
                name="message_inbox_external_uniq",
            )
        ]
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="message_ticket_idx"),
            # A bounce names the Message-ID of our mail that failed (inboxes.mail_bounces).
            models.Index(
                fields=["external_id"],
                name="message_out_external_idx",
                condition=Q(direction="out"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.pk} on {self.ticket_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.message.ticket_id}/{instance.message_id}/{filename}"


def storage_name(filename: str) -> str:
    """A random ASCII storage name keeping a short extension. The customer's file name (often
    Japanese, sometimes hostile like `../../x`) lives only in Attachment.filename."""
    ext = os.path.splitext(filename or "")[1][:10].lower()
    if not re.fullmatch(r"\.[a-z0-9]+", ext):
        ext = ""
    return f"{uuid.uuid4().hex}{ext}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=400)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120, default="application/octet-stream")
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return self.filename

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class TimelineEvent(models.Model):
    """Every change to a ticket: who, when, which field, old → new."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="timeline")
    actor_kind = models.CharField(max_length=10, choices=AuthorKind.choices)
    actor_agent = models.ForeignKey(
        "accounts.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=32)
    field = models.CharField(max_length=32, blank=True)
    old_value = models.CharField(max_length=250, blank=True)
    new_value = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="timeline_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.field}: {self.old_value} → {self.new_value}"


class Macro(models.Model):
    """A reply template with `{{customer.name}}`-style variables, plus field changes."""

    name = models.CharField(_("name"), max_length=120)
    brand = models.ForeignKey(
        "accounts.Brand", null=True, blank=True, on_delete=models.CASCADE, related_name="macros"
    )
    body = models.TextField(_("reply text"), blank=True)
    set_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    set_priority = models.CharField(max_length=8, choices=Priority.choices, blank=True)
    add_tags = models.JSONField(default=list, blank=True)
    owner = models.ForeignKey(
        "accounts.Agent", null=True, blank=True, on_delete=models.CASCADE, related_name="macros"
    )
    usage_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("macro")
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="macro_brand_name_uniq")
        ]

    def __str__(self) -> str:
        return self.name


class SavedView(models.Model):
    """An inbox filter an agent keeps: the inbox's GET parameters under a name.

    Personal views belong to their owner; shared ones (leads and admins) show for everyone.
    """

    owner = models.ForeignKey(
        "accounts.Agent", on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=80)
    shared = models.BooleanField(_("shared with everyone"), default=False)
    filters = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("saved view")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="savedview_owner_name_uniq")
        ]
        indexes = [models.Index(fields=["shared", "position"], name="savedview_shared_idx")]

    def __str__(self) -> str:
        return self.name


class TicketRead(models.Model):
    """When an agent last opened a ticket; newer customer messages make it unread for them."""

    agent = models.ForeignKey("accounts.Agent", on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "ticket"], name="ticketread_agent_ticket_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} read {self.ticket_id} at {self.read_at}"
