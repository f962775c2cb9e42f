"""Help-center links in the page's language: {% help_url "article" link.id %}."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def help_url(context: template.Context, name: str, *args: Any, lang: str = "") -> str:
    from madoguchi.web.views.helpcenter import help_path

    return help_path(name, context["brand"], lang or context["help_language"], *args)
