"""Template filters of the console's help-center pages."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from madoguchi.knowledge.models import Category

register = template.Library()


@register.filter
def kb_category_name(category: Category | None) -> str:
    """The category in the console's language; a section as "Category › Section"."""
    if category is None:
        return ""
    language = (get_language() or "ja")[:2]
    name = category.name(language)
    if category.parent_id is not None and category.parent is not None:
        return f"{category.parent.name(language)} › {name}"
    return name
