"""Checks every article write shares (console, import): clear codes, nothing half-written.

Each check returns the cleaned value or raises ValidationFailed with `details={"field": …}`
so a form can show the message next to the field it names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import ValidationFailed

from ..models import Article, ArticleStatus, Category

MAX_TITLE = 250
MAX_BODY = 100_000
MAX_PHRASINGS = 30
MAX_PHRASING = 200
MAX_TAGS = 20
MAX_TAG = 50
MAX_RELATED = 20
MAX_EXTERNAL_ID = 120


def invalid(message: Any, field: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details={"field": field})


def languages() -> list[str]:
    return [code for code, _label in settings.LANGUAGES]


def clean_language(value: str) -> str:
    value = (value or "").strip()
    if value not in languages():
        raise invalid(
            _("Unknown language “%(language)s”; use one of: %(choices)s.")
            % {"language": value, "choices": ", ".join(languages())},
            "language",
            "invalid_language",
        )
    return value


def clean_title(value: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise invalid(_("Enter a title."), "title", "title_required")
    if len(value) > MAX_TITLE:
        raise invalid(
            _("The title is too long (at most %(limit)d characters).") % {"limit": MAX_TITLE},
            "title",
            "title_too_long",
        )
    return value


def clean_body(value: str) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if len(value) > MAX_BODY:
        raise invalid(
            _("The text is too long (at most %(limit)d characters).") % {"limit": MAX_BODY},
            "body",
            "body_too_long",
        )
    return value


def clean_phrasings(values: Iterable[str]) -> list[str]:
    """Blank lines dropped, spaces collapsed, duplicates removed (order kept)."""
    cleaned = list(dict.fromkeys(" ".join(str(v).split()) for v in values if str(v).strip()))
    if len(cleaned) > MAX_PHRASINGS:
        raise invalid(
            _("At most %(limit)d phrasings.") % {"limit": MAX_PHRASINGS},
            "phrasings",
            "too_many_phrasings",
        )
    for phrasing in cleaned:
        if len(phrasing) > MAX_PHRASING:
            raise invalid(
                _("A phrasing is too long (at most %(limit)d characters): %(text)s")
                % {"limit": MAX_PHRASING, "text": phrasing[:40] + "…"},
                "phrasings",
                "phrasing_too_long",
            )
    return cleaned


def clean_tags(values: Iterable[str]) -> list[str]:
    cleaned = list(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))
    if len(cleaned) > MAX_TAGS:
        raise invalid(_("At most %(limit)d tags.") % {"limit": MAX_TAGS}, "tags", "too_many_tags")
    if any(len(t) > MAX_TAG for t in cleaned):
        raise invalid(
            _("A tag is too long (at most %(limit)d characters).") % {"limit": MAX_TAG},
            "tags",
            "tag_too_long",
        )
    return cleaned


def clean_status(value: str) -> str:
    if value not in ArticleStatus.values:
        raise invalid(_("Unknown status."), "status", "invalid_status")
    return value


def clean_category(brand_id: int, category_id: int | None) -> Category | None:
    if not category_id:
        return None
    category = Category.objects.filter(pk=category_id, brand_id=brand_id).first()
    if category is None:
        raise invalid(_("No such category in this brand."), "category", "invalid_category")
    return category


def clean_related(brand_id: int, article_id: int | None, ids: Iterable[int]) -> list[int]:
    wanted = list(dict.fromkeys(int(i) for i in ids if i and int(i) != article_id))
    if len(wanted) > MAX_RELATED:
        raise invalid(
            _("At most %(limit)d related articles.") % {"limit": MAX_RELATED},
            "related",
            "too_many_related",
        )
    found = set(
        Article.objects.filter(brand_id=brand_id, pk__in=wanted).values_list("pk", flat=True)
    )
    if len(found) != len(wanted):
        raise invalid(
            _("A related article does not exist in this brand."), "related", "invalid_related"
        )
    return wanted


def clean_external_id(brand_id: int, value: str, article_id: int | None = None) -> str:
    value = (value or "").strip()
    if len(value) > MAX_EXTERNAL_ID:
        raise invalid(
            _("The external ID is too long (at most %(limit)d characters).")
            % {"limit": MAX_EXTERNAL_ID},
            "external_id",
            "external_id_too_long",
        )
    if value:
        clash = Article.objects.filter(brand_id=brand_id, external_id=value)
        if article_id is not None:
            clash = clash.exclude(pk=article_id)
        if clash.exists():
            raise invalid(
                _("Another article of this brand has this external ID."),
                "external_id",
                "external_id_taken",
            )
    return value
