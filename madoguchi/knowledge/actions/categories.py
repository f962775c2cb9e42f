"""Categories and sections of a brand's help center: create, rename, move, delete.

A section is a category with a parent; there are two levels only. Slugs appear in the help
center's URLs; a name without Latin letters (most Japanese names) gets a stable slug
`c-<hash of the name>`, so no transliteration is needed.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.agent_admin import changed
from madoguchi.accounts.audit import record_audit
from madoguchi.accounts.models import Agent
from madoguchi.core.errors import Conflict

from ..models import Category
from .access import category_for_write, editable_brand
from .validation import invalid

MAX_NAME = 120


def slug_for(name: str) -> str:
    """`Shipping` → `shipping`; `配送について` → `c-` + 8 hex digits of its SHA-256."""
    latin = slugify(name)[:60].strip("-")
    if latin:
        return latin
    return "c-" + hashlib.sha256(name.strip().encode()).hexdigest()[:8]


def unique_slug(brand_id: int, wanted: str, exclude: int | None = None) -> str:
    taken = Category.objects.filter(brand_id=brand_id)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    used = set(taken.filter(slug__startswith=wanted).values_list("slug", flat=True))
    slug, n = wanted, 2
    while slug in used:
        slug, n = f"{wanted}-{n}", n + 1
    return slug


def clean_names(names: dict[str, str]) -> dict[str, str]:
    known = {code for code, _label in settings.LANGUAGES}
    cleaned = {k: " ".join((val or "").split()) for k, val in names.items() if k in known}
    cleaned = {k: val for k, val in cleaned.items() if val}
    if not cleaned:
        raise invalid(_("Enter a name in at least one language."), "names", "name_required")
    if any(len(val) > MAX_NAME for val in cleaned.values()):
        raise invalid(
            _("The name is too long (at most %(limit)d characters).") % {"limit": MAX_NAME},
            "names",
            "name_too_long",
        )
    return cleaned


def clean_slug(brand_id: int, slug: str, names: dict[str, str], exclude: int | None) -> str:
    slug = (slug or "").strip()
    if not slug:
        first = names.get("en") or names.get("ja") or next(iter(names.values()))
        return unique_slug(brand_id, slug_for(first), exclude)
    if slugify(slug) != slug or len(slug) > 80:
        raise invalid(_("Use lower-case letters, digits and hyphens only."), "slug", "invalid_slug")
    clash = Category.objects.filter(brand_id=brand_id, slug=slug)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise invalid(_("Another category uses this slug."), "slug", "slug_taken")
    return slug


def clean_parent(brand_id: int, parent_id: int | None, self_id: int | None) -> Category | None:
    if not parent_id:
        return None
    parent = Category.objects.filter(pk=parent_id, brand_id=brand_id).first()
    if parent is None or parent.pk == self_id:
        raise invalid(_("No such category in this brand."), "parent", "invalid_parent")
    if parent.parent_id is not None:
        raise invalid(
            _("A section cannot contain sections; choose a top-level category."),
            "parent",
            "parent_is_section",
        )
    if self_id is not None and Category.objects.filter(parent_id=self_id).exists():
        raise invalid(
            _("This category has sections, so it cannot become a section itself."),
            "parent",
            "has_sections",
        )
    return parent


def _snapshot(category: Category) -> dict[str, Any]:
    return {
        "names": dict(category.names),
        "slug": category.slug,
        "parent": category.parent_id,
        "position": category.position,
    }


@transaction.atomic
def do_create_category(
    actor: Agent | None,
    *,
    brand_id: int,
    names: dict[str, str],
    slug: str = "",
    parent_id: int | None = None,
    position: int = 0,
) -> Category:
    brand = editable_brand(actor, brand_id)
    clean = clean_names(names)
    category = Category.objects.create(
        brand=brand,
        names=clean,
        slug=clean_slug(brand.pk, slug, clean, None),
        parent=clean_parent(brand.pk, parent_id, None),
        position=max(0, int(position or 0)),
    )
    record_audit(actor, "kb.category.create", "category", category.pk, _snapshot(category))
    return category


@transaction.atomic
def do_update_category(
    actor: Agent | None,
    category_id: int,
    *,
    names: dict[str, str],
    slug: str,
    parent_id: int | None,
    position: int,
) -> Category:
    category = category_for_write(actor, category_id)
    before = _snapshot(category)
    clean = clean_names(names)
    category.names = clean
    category.slug = clean_slug(category.brand_id, slug or category.slug, clean, category.pk)
    category.parent = clean_parent(category.brand_id, parent_id, category.pk)
    category.position = max(0, int(position or 0))
    category.save()
    diff = changed(before, _snapshot(category))
    if diff:
        record_audit(actor, "kb.category.update", "category", category.pk, {"changes": diff})
    return category


@transaction.atomic
def do_delete_category(actor: Agent | None, category_id: int) -> None:
    """Delete an empty category: articles and sections must be moved first, never lost."""
    category = category_for_write(actor, category_id)
    if category.sections.exists():
        raise Conflict(
            _("Delete or move this category's sections first."), code="category_has_sections"
        )
    if category.articles.exists():
        raise Conflict(
            _("Move this category's articles to another category first."),
            code="category_has_articles",
        )
    record_audit(actor, "kb.category.delete", "category", category.pk, _snapshot(category))
    category.delete()
