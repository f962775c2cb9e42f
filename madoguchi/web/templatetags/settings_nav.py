"""The settings links an agent may use; the decision is made in Python, templates only loop."""

from __future__ import annotations

from typing import Any

from django import template

from madoguchi.accounts.models import Agent

register = template.Library()


@register.simple_tag
def settings_sections(agent: Agent | None) -> list[dict[str, Any]]:
    from madoguchi.web.views.settings.sections import sections_for

    return sections_for(agent)
