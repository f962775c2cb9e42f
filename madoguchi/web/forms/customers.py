"""Forms of the agent console. They parse and validate input; actions decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.customers.actions import Handle
from madoguchi.customers.imports import MAX_IMPORT_BYTES
from madoguchi.customers.models import IdentityKind
from madoguchi.lib.handles import InvalidHandle, normalise_email

from .common import _blank, split_tags, valid_phone


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    name_kana = forms.CharField(label=_("Furigana"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"),
        required=False,
        # The channels a customer can be reached on are the kinds of handles they can have.
        choices=_blank(_("Not set")) + IdentityKind.choices,
    )
    postal_code = forms.CharField(label=_("Postal code"), max_length=16, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    tags = forms.CharField(label=_("Tags"), max_length=1000, required=False)
    add_email = forms.CharField(label=_("Add an email address"), max_length=254, required=False)
    add_phone = forms.CharField(label=_("Add a phone number"), max_length=30, required=False)

    def clean_add_email(self) -> str:
        value = self.cleaned_data.get("add_email", "").strip()
        if value:
            try:
                normalise_email(value)
            except InvalidHandle as exc:
                raise ValidationError(_("Enter a valid email address.")) from exc
        return value

    def clean_add_phone(self) -> str:
        return valid_phone(self.cleaned_data.get("add_phone", ""))

    def handles(self) -> list[Handle]:
        """The handles typed into "add an email / phone" (the form without htmx has them)."""
        data = self.cleaned_data
        found = [Handle(IdentityKind.EMAIL, data["add_email"])] if data.get("add_email") else []
        if data.get("add_phone"):
            found.append(Handle(IdentityKind.PHONE, data["add_phone"]))
        return found

    def fields_for_action(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("add_email")
        data.pop("add_phone")
        data["tags"] = split_tags(data["tags"])
        return data


class IdentityForm(forms.Form):
    """One contact handle to add; the action normalises and checks it is free."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[c for c in IdentityKind.choices if c[0] != IdentityKind.CHAT]
    )
    value = forms.CharField(label=_("Email, number or ID"), max_length=320)


class MergeCustomerForm(forms.Form):
    target = forms.IntegerField(label=_("Customer ID to merge into"), min_value=1)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 (with or without BOM) or Shift_JIS as Excel saves it."),
    )

    def clean_file(self) -> Any:
        """Refuse a too large file before reading it into memory (the action checks again)."""
        upload = self.cleaned_data["file"]
        if upload.size is None or upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        return upload
