"""The settings pages and who may open them; the index and the side nav list these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, can


@dataclass(frozen=True)
class Section:
    key: str  # nav_active value of the page
    url_name: str
    label: Any
    description: Any
    capability: Capability | None  # None: every agent (their own API tokens)


SECTIONS = (
    Section(
        "settings_agents",
        "web:settings_agents",
        _("Agents and roles"),
        _("Logins, roles, teams, and the inboxes outsourced agents may see."),
        Capability.MANAGE_AGENTS,
    ),
    Section(
        "settings_teams",
        "web:settings_teams",
        _("Teams"),
        _("Groups of agents that tickets are routed to."),
        Capability.MANAGE_SETTINGS,
    ),
    Section(
        "settings_brands",
        "web:settings_brands",
        _("Brands"),
        _("The shops this desk serves: name, support email, default language."),
        Capability.MANAGE_SETTINGS,
    ),
    Section(
        "settings_inboxes",
        "web:settings_inboxes",
        _("Inboxes"),
        _("Where customers reach you: email, forms, phone, FAX and more."),
        Capability.MANAGE_SETTINGS,
    ),
    Section(
        "settings_macros",
        "web:settings_macros",
        _("Macros"),
        _("Reply templates with variables and field changes."),
        Capability.MANAGE_SETTINGS,
    ),
    Section(
        "settings_tags",
        "web:settings_tags",
        _("Tags"),
        _("Rename, merge and delete ticket tags."),
        Capability.MANAGE_SETTINGS,
    ),
    Section(
        "saved_views",
        "web:saved_views",
        _("Saved views"),
        _("Ticket lists saved with their filters."),
        None,
    ),
    Section(
        "settings_audit",
        "web:settings_audit",
        _("Audit log"),
        _("Who changed which setting, and when."),
        Capability.MANAGE_SETTINGS,
    ),
    Section(
        "tokens",
        "web:tokens",
        _("API tokens"),
        _("Your own tokens for other systems to use the API as you."),
        None,
    ),
)


def sections_for(agent: Agent | None) -> list[dict[str, Any]]:
    """The pages this agent may open, with their URLs (pages not installed are left out)."""
    if agent is None:
        return []
    found = []
    for section in SECTIONS:
        if section.capability is not None and not can(agent, section.capability):
            continue
        try:
            url = reverse(section.url_name)
        except NoReverseMatch:
            continue
        found.append(
            {
                "key": section.key,
                "url": url,
                "label": section.label,
                "description": section.description,
            }
        )
    return found
