"""Forms of the agent console. They parse and validate input; actions decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent, Brand, Team
from madoguchi.inboxes.models import Inbox, InboxKind
from madoguchi.tickets.actions.bulk import MAX_BULK
from madoguchi.tickets.actions.saved_views import MAX_NAME
from madoguchi.tickets.models import Priority, Status
from madoguchi.tickets.queries import ORDER_LABELS, ORDERS, VIEWS

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
    created_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Created until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    order = forms.ChoiceField(label=_("Sort"), required=False, choices=list(ORDER_LABELS.items()))
    cursor = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    saved = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and end < start:
            self.add_error("created_to", _("The end date is before the start date."))
        return data


class SaveViewForm(forms.Form):
    """“Save this view”: a name, shared or not, and the inbox query string being saved."""

    name = forms.CharField(label=_("Name"), max_length=MAX_NAME)
    shared = forms.BooleanField(label=_("Share with everyone"), required=False)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    replace = forms.IntegerField(required=False, min_value=1)


class SavedViewEditForm(forms.Form):
    """Rename and share/unshare on the management page."""

    name = forms.CharField(label=_("Name"), max_length=MAX_NAME)
    shared = forms.BooleanField(label=_("Shared"), required=False)


BULK_ACTIONS = {
    "assign": _("Assign"),
    "status": _("Set status"),
    "tag": _("Add tag"),
    "merge": _("Merge"),
}


class BulkForm(forms.Form):
    """The bulk bar: the selected tickets, which action, and that action's value."""

    tickets = forms.TypedMultipleChoiceField(coerce=int, required=False)
    action = forms.ChoiceField(choices=list(BULK_ACTIONS.items()))
    assignee = forms.ChoiceField(label=_("Agent"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(_("Choose a status")) + Status.choices
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=64)
    target = forms.TypedChoiceField(
        label=_("Merge into"), required=False, coerce=int, empty_value=None
    )
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, data: Any, *, agents: QuerySet[Agent], teams: QuerySet[Team]) -> None:
        super().__init__(data)
        # Ticket ids are checked against the agent's scope by the action, not listed here.
        ids = data.getlist("tickets") if hasattr(data, "getlist") else []
        numeric = [(i, i) for i in ids if str(i).isdigit()]
        set_choices(self, "tickets", numeric)
        set_choices(self, "target", _blank(_("Choose a ticket")) + numeric)
        set_choices(
            self,
            "assignee",
            _blank(_("Keep the agent"))
            + [("none", _("Unassigned"))]
            + [(str(a.pk), a.display_name) for a in agents],
        )
        set_choices(
            self,
            "team",
            _blank(_("Keep the team"))
            + [("none", _("No team"))]
            + [(str(t.pk), t.name) for t in teams],
        )

    def clean_tickets(self) -> list[int]:
        tickets = self.cleaned_data.get("tickets") or []
        if not tickets:
            raise forms.ValidationError(_("Select at least one ticket."))
        if len(set(tickets)) > MAX_BULK:
            raise forms.ValidationError(
                _("Select at most %(n)d tickets at a time.") % {"n": MAX_BULK}
            )
        return list(tickets)
