"""Writes to agent profiles that agents make themselves."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import ValidationFailed

from .models import Agent


def do_set_language(agent: Agent, language: str) -> Agent:
    """The console language an agent sees from their next request on."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(_("Unsupported language."), code="invalid_language")
    if agent.language != language:
        agent.language = language
        agent.save(update_fields=["language"])
    return agent
