"""Customers and the channel handles (identities) that point to them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    LINE = "line", "LINE"
    META = "meta", "Instagram / Facebook"
    X = "x", "X"
    CHAT = "chat", _("Live chat visitor")
    API = "api", _("External ID")
    FAX = "fax", _("FAX number")


class Customer(models.Model):
    name = models.CharField(_("name"), max_length=200, blank=True)
    name_kana = models.CharField(_("furigana"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, default="ja")
    preferred_channel = models.CharField(_("preferred channel"), max_length=16, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("customer")
        indexes = [models.Index(fields=["updated_at", "id"], name="customer_updated_idx")]

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"


class Identity(models.Model):
    """One handle on one channel; (kind, handle) is unique across the desk."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=16, choices=IdentityKind.choices)
    handle = models.CharField(max_length=320, help_text="normalised form used for matching")
    display = models.CharField(max_length=320, blank=True, help_text="as the customer wrote it")
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "handle"], name="identity_kind_handle_uniq")
        ]
        verbose_name = _("identity")
        verbose_name_plural = _("identities")

    def __str__(self) -> str:
        return f"{self.kind}:{self.display or self.handle}"


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", _("Waiting for the column mapping")
    QUEUED = "queued", _("Queued")
    VALIDATING = "validating", _("Checking rows")
    WRITING = "writing", _("Saving customers")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected: nothing was imported")
    FAILED = "failed", _("Failed: nothing was imported")


class CustomerImport(models.Model):
    """One uploaded customer CSV: its mapping, progress and (all-or-nothing) outcome."""

    created_by = models.ForeignKey(
        "accounts.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to="customer-imports/%Y/%m/", max_length=300)
    filename = models.CharField(max_length=255, blank=True)
    encoding = models.CharField(max_length=16, blank=True)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.MAPPING
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Last sign of life of the run (claim, every few hundred rows, start of the write): an
    # import without one for import_run.STALE_AFTER is shown as failed (its worker died).
    progress_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("customer import")

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED)

    @property
    def encoding_label(self) -> str:
        """How the file was read, in the words Excel users know."""
        labels = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "cp932": "Shift_JIS (CP932)"}
        return labels.get(self.encoding, self.encoding)

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.processed_rows * 100 // self.total_rows)
