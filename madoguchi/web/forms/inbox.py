"""Forms of the agent console. They parse and validate input; actions decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent, Brand, Team
from madoguchi.inboxes.models import Inbox, InboxKind
from madoguchi.tickets.models import Priority, Status
from madoguchi.tickets.queries import ORDERS, VIEWS

from .common import _blank, set_choices


class InboxFilterForm(forms.Form):
    """The inbox's GET parameters; invalid values are reported, never guessed."""

    view = forms.ChoiceField(required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.MultipleChoiceField(
        label=_("Status"),
        required=False,
        choices=Status.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    inbox = forms.TypedChoiceField(label=_("Inbox"), required=False, coerce=int, empty_value=None)
    brand = forms.TypedChoiceField(label=_("Brand"), required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=_blank(_("All channels")) + InboxKind.choices
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=64)
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=_blank(_("Any priority")) + Priority.choices
    )
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    order = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[("newest", _("Newest activity first")), ("oldest", _("Oldest activity first"))],
    )
    cursor = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Any,
        *,
        inboxes: QuerySet[Inbox],
        brands: QuerySet[Brand],
        agents: QuerySet[Agent],
        teams: QuerySet[Team],
    ) -> None:
        super().__init__(data)
        set_choices(self, "view", _blank(_("All tickets")) + list(VIEWS.items()))
        set_choices(self, "inbox", _blank(_("All inboxes")) + [(i.pk, i.name) for i in inboxes])
        set_choices(self, "brand", _blank(_("All brands")) + [(b.pk, b.name) for b in brands])
        set_choices(
            self,
            "assignee",
            _blank(_("Anyone"))
            + [("me", _("Me")), ("none", _("Unassigned"))]
            + [(str(a.pk), a.display_name) for a in agents],
        )
        set_choices(self, "team", _blank(_("All teams")) + [(t.pk, t.name) for t in teams])

    def clean_order(self) -> str:
        return self.cleaned_data.get("order") or ORDERS[0]
