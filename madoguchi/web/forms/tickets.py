"""Forms of the agent console. They parse and validate input; actions decide and write."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent, Team
from madoguchi.tickets.models import Priority, Status

from .common import TicketNumberField, _blank, set_choices, split_tags

ADDRESS_SPLIT = re.compile(r"[,;、，\s]+")


def split_addresses(value: str) -> list[str]:
    """`a@x.jp, b@y.jp; c@z.jp` → three addresses (checked by the reply action)."""
    return [a for a in ADDRESS_SPLIT.split(value or "") if a]


class ArticleIdsField(forms.Field):
    """Ids of help-center articles inserted from the reply box (repeatable hidden inputs).

    Lenient on purpose: a stale or forged value must never block sending the reply, so
    anything that is not a positive integer is dropped; the learning loop checks the rest.
    """

    widget = forms.MultipleHiddenInput
    MAX = 20

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        found: list[int] = []
        for raw in values:
            text = str(raw).strip()
            if not (text.isascii() and text.isdigit()):
                continue
            pk = int(text)
            if 0 < pk < 2**31 and pk not in found:
                found.append(pk)
        return found[: self.MAX]


class ReplyForm(forms.Form):
    MODES = [("public", _("Public reply")), ("internal", _("Internal note"))]

    body = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea)
    mode = forms.ChoiceField(
        label=_("Reply type"), choices=MODES, initial="public", widget=forms.RadioSelect
    )
    expected_last_message_id = forms.IntegerField(
        required=False, min_value=0, widget=forms.HiddenInput
    )
    macro = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # Email replies only; the reply action checks them against the customer and the channel.
    to = forms.CharField(label=_("To"), required=False, max_length=254)
    cc = forms.CharField(label=_("Cc"), required=False, max_length=2000)
    subject = forms.CharField(label=_("Subject"), required=False, max_length=250)
    kb_articles = ArticleIdsField(required=False)
    set_status = forms.ChoiceField(
        label=_("Then set status"),
        required=False,
        choices=_blank(_("Keep status")) + [(s, label) for s, label in Status.choices],
    )


class TicketUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    assignee = forms.TypedChoiceField(
        label=_("Assignee"), required=False, coerce=int, empty_value=None
    )
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separate tags with commas or spaces."),
    )

    def __init__(
        self, *args: Any, agents: QuerySet[Agent], teams: QuerySet[Team], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self, "assignee", _blank(_("Unassigned")) + [(a.pk, a.display_name) for a in agents]
        )
        set_choices(self, "team", _blank(_("No team")) + [(t.pk, t.name) for t in teams])

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "status": data["status"],
            "priority": data["priority"],
            "assignee_id": data["assignee"],
            "team_id": data["team"],
            "tags": split_tags(data["tags"]),
        }


class MergeTicketForm(forms.Form):
    target = TicketNumberField(label=_("Merge into ticket number"), required=True)
