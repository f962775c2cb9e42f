"""Inboxes (where customers reach a brand) and the outbox of replies waiting to be delivered."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.secrets import EncryptedJSONField


class InboxKind(models.TextChoices):
    EMAIL = "email", _("Email")
    FORM = "form", _("Contact form")
    CHAT = "chat", _("Live chat")
    API = "api", _("API")
    PHONE = "phone", _("Phone")
    FAX = "fax", _("FAX")
    LINE = "line", "LINE"
    META = "meta", "Instagram / Facebook"
    X = "x", "X"
    SMS = "sms", _("SMS")


class Inbox(models.Model):
    brand = models.ForeignKey("accounts.Brand", on_delete=models.PROTECT, related_name="inboxes")
    kind = models.CharField(_("kind"), max_length=16, choices=InboxKind.choices)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    address = models.CharField(
        _("address or handle"), max_length=320, blank=True, help_text=_("email, number or account")
    )
    settings = models.JSONField(default=dict, blank=True)
    credentials = EncryptedJSONField(blank=True, default=dict)
    default_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_agents = models.ManyToManyField(
        "accounts.Agent",
        blank=True,
        related_name="granted_inboxes",
        help_text=_("outsourced agents who may work this inbox"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["brand_id", "kind", "name"]
        verbose_name = _("inbox")
        verbose_name_plural = _("inboxes")

    def __str__(self) -> str:
        return self.name


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Waiting to send")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Will retry")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Failed (dead letter)")


class Outbox(models.Model):
    """One reply to deliver; committed with its Message so nothing is lost or sent twice."""

    message = models.OneToOneField(
        "tickets.Message", on_delete=models.CASCADE, related_name="outbox"
    )
    inbox = models.ForeignKey(Inbox, on_delete=models.PROTECT, related_name="outbox")
    state = models.CharField(
        max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider_message_id = models.CharField(max_length=255, blank=True)
    last_error = models.TextField(blank=True)
    last_error_kind = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox entry")
        verbose_name_plural = _("outbox")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["provider_message_id"], name="outbox_provider_id_idx"),
        ]

    def __str__(self) -> str:
        return f"outbox {self.pk} ({self.state})"


class FormSubmission(models.Model):
    """Who posted the public contact form when: the rate limit counts these rows."""

    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="+")
    client = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.client} → {self.inbox_id}"


class RawMailSource(models.TextChoices):
    IMAP = "imap", "IMAP"
    SMTP = "smtp", "SMTP"
    WEBHOOK = "webhook", _("Provider webhook")
    IMPORT = "import", _("Import")


class RawMailState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    INGESTED = "ingested", _("Delivered to a ticket")
    BOUNCE = "bounce", _("Bounce recorded")
    IGNORED = "ignored", _("Ignored (automatic mail)")
    FAILED = "failed", _("Processing failed")


class RawMail(models.Model):
    """Every mail exactly as it arrived, compressed, stored before anything else happens.

    Parsing and threading run afterwards and can run again (after a parser fix) from these
    bytes; a mail that fails is kept with its error instead of being dropped.
    """

    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="raw_mails")
    source = models.CharField(max_length=10, choices=RawMailSource.choices)
    source_ref = models.CharField(max_length=255, blank=True)  # folder:uidvalidity:uid …
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    data = models.BinaryField()  # zlib
    header_message_id = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=250, blank=True)
    sender = models.CharField(max_length=320, blank=True)
    state = models.CharField(
        max_length=10, choices=RawMailState.choices, default=RawMailState.PENDING
    )
    kind = models.CharField(max_length=12, blank=True)  # lib.mail.types.MailKind
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("received mail")
        verbose_name_plural = _("received mail")
        constraints = [
            models.UniqueConstraint(fields=["inbox", "sha256"], name="rawmail_inbox_sha_uniq")
        ]
        indexes = [models.Index(fields=["inbox", "state", "received_at"], name="rawmail_state_idx")]

    def __str__(self) -> str:
        return f"raw mail {self.pk} ({self.state})"


class MailFolderState(models.Model):
    """Where IMAP fetching of one folder stands: UIDVALIDITY + last UID, never flags or dates."""

    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="mail_folders")
    folder = models.CharField(max_length=255)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    fetched = models.PositiveIntegerField(default=0)  # mails stored from this folder, ever
    backlog = models.PositiveIntegerField(default=0)  # UIDs seen but not fetched yet
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    failures = models.PositiveIntegerField(default=0)  # consecutive; drives the backoff
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["inbox_id", "folder"]
        constraints = [
            models.UniqueConstraint(fields=["inbox", "folder"], name="mailfolder_inbox_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.inbox_id}:{self.folder} uid>{self.last_uid}"


class AutomaticMail(models.Model):
    """One automatic mail we sent (acknowledgement, notification): the per-address rate limit
    counts these rows, so a responder on the other side can never start a loop."""

    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="+")
    address = models.CharField(max_length=320)
    purpose = models.CharField(max_length=20)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["address", "sent_at"], name="automail_addr_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} → {self.address}"
