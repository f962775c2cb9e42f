"""Forms of the settings pages. They parse input; the actions validate again and decide."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Brand, Role, Team
from madoguchi.inboxes.channel_fields import ChannelField, KindSpec
from madoguchi.tickets.models import Priority, Status

from .common import split_tags


@cache
def _zones() -> tuple[tuple[str, str], ...]:
    """Read once per process: listing the zone files takes several milliseconds."""
    return tuple((z, z) for z in sorted(zoneinfo.available_timezones()) if "/" in z or z == "UTC")


def team_choices() -> list[tuple[int, str]]:
    return list(Team.objects.order_by("name").values_list("pk", "name"))


def brand_choices(blank: Any) -> list[tuple[Any, Any]]:
    return [("", blank), *Brand.objects.order_by("name").values_list("pk", "name")]


class AgentProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=120)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    teams = forms.TypedMultipleChoiceField(
        label=_("Teams"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"))
    signature = forms.CharField(
        label=_("Email signature"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Added under this agent's email replies; the inbox signature is used when empty."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].choices = team_choices()  # type: ignore[attr-defined]
        self.fields["time_zone"].choices = _zones()  # type: ignore[attr-defined]
        self.fields["time_zone"].initial = settings.TIME_ZONE


class AgentCreateForm(AgentProfileForm):
    username = forms.CharField(label=_("Login name"), max_length=150)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Give it to the agent in person; they can sign in with it at once."),
    )
    field_order = ["username", "display_name", "email", "password", "role", "teams"]


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class AgentInboxesForm(forms.Form):
    inboxes = forms.TypedMultipleChoiceField(
        label=_("Inboxes this agent may work"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, inbox_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inboxes"].choices = inbox_choices  # type: ignore[attr-defined]


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=120)


class BrandForm(forms.Form):
    name = forms.CharField(label=_("Brand name"), max_length=120)
    slug = forms.SlugField(
        label=_("Slug"), max_length=60, help_text=_("Letters, digits and hyphens, used in URLs.")
    )
    support_email = forms.EmailField(label=_("Support email"), required=False)
    default_language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)


class MacroForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    brand = forms.TypedChoiceField(label=_("Brand"), coerce=int, empty_value=None, required=False)
    shared = forms.BooleanField(
        label=_("Shared with every agent"),
        required=False,
        help_text=_("Unticked, only you see this macro."),
    )
    body = forms.CharField(
        label=_("Reply text"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8, "data-macro-body": ""}),
        help_text=_("Variables are filled in when the macro is used; insert them below."),
    )
    set_status = forms.ChoiceField(
        label=_("Set status"), required=False, choices=[("", _("(unchanged)")), *Status.choices]
    )
    set_priority = forms.ChoiceField(
        label=_("Set priority"),
        required=False,
        choices=[("", _("(unchanged)")), *Priority.choices],
    )
    add_tags = forms.CharField(
        label=_("Add tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas or spaces."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["brand"].choices = brand_choices(_("All brands"))  # type: ignore[attr-defined]

    def clean_add_tags(self) -> list[str]:
        return split_tags(self.cleaned_data.get("add_tags") or "")


class TagRenameForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=64)


class TagMergeForm(forms.Form):
    into = forms.CharField(label=_("Merge into tag"), max_length=64)


class InboxForm(forms.Form):
    """Built for one inbox kind: the base fields plus what that kind's connector reads."""

    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(
        label=_("Slug"), max_length=60, help_text=_("Used in URLs, e.g. the contact form.")
    )
    brand = forms.TypedChoiceField(label=_("Brand"), coerce=int, empty_value=None)
    default_team = forms.TypedChoiceField(
        label=_("Default team"), coerce=int, empty_value=None, required=False
    )
    address = forms.CharField(label=_("Address"), max_length=320, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)
    granted_agents = forms.TypedMultipleChoiceField(
        label=_("Outsourced agents who may work this inbox"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        spec: KindSpec,
        editing: bool = False,
        stored_secrets: frozenset[str] = frozenset(),
        agent_choices: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.secret_keys = [f.key for f in spec.fields if f.secret]
        self.fields["brand"].choices = brand_choices("—")  # type: ignore[attr-defined]
        self.fields["default_team"].choices = [("", _("(none)")), *team_choices()]  # type: ignore[attr-defined]
        address = self.fields["address"]
        address.label = spec.address_label
        address.required = spec.address_required
        if editing:
            del self.fields["slug"]
            self.fields["granted_agents"].choices = agent_choices or []  # type: ignore[attr-defined]
        else:
            del self.fields["is_active"]
            del self.fields["granted_agents"]
        for field in spec.fields:
            self.fields[field.key] = self._channel_field(field, field.key in stored_secrets)
            if field.secret and field.key in stored_secrets:
                self.fields[f"clear_{field.key}"] = forms.BooleanField(
                    label=_("Remove the stored %(name)s") % {"name": field.label}, required=False
                )

    @staticmethod
    def _channel_field(field: ChannelField, stored: bool) -> forms.Field:
        if field.secret:
            state = _("Set. Leave empty to keep it.") if stored else _("Not set.")
            return forms.CharField(
                label=field.label,
                required=False,
                max_length=4000,
                help_text=state,
                widget=forms.PasswordInput(
                    render_value=False,
                    attrs={"autocomplete": "off", "data-secret": "set" if stored else "unset"},
                ),
            )
        widget: forms.Widget = forms.TextInput()
        if field.input == "textarea":
            widget = forms.Textarea(attrs={"rows": 3})
        elif field.input == "colour":
            widget = forms.TextInput(attrs={"pattern": "#[0-9a-fA-F]{6}", "size": 8})
        return forms.CharField(
            label=field.label, required=False, max_length=4000, help_text=field.help, widget=widget
        )

    def channel_values(self) -> dict[str, str]:
        return {f.key: self.cleaned_data.get(f.key) or "" for f in self.spec.fields}

    def cleared_secrets(self) -> list[str]:
        return [k for k in self.secret_keys if self.cleaned_data.get(f"clear_{k}")]
