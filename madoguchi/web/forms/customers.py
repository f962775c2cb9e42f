"""Forms of the agent console. They parse and validate input; actions decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.inboxes.models import InboxKind
from madoguchi.lib.handles import InvalidHandle, normalise_email

from .common import _blank, split_tags, valid_phone


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    name_kana = forms.CharField(label=_("Furigana"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"),
        required=False,
        choices=_blank(_("Not set")) + InboxKind.choices,
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

    def fields_for_action(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("add_email")
        data.pop("add_phone")
        data["tags"] = split_tags(data["tags"])
        return data


class MergeCustomerForm(forms.Form):
    target = forms.IntegerField(label=_("Customer ID to merge into"), min_value=1)
