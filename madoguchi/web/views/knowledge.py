"""Help-center articles in the console: the list, the editor with a live preview, history.

Leads and admins write (Capability.MANAGE_SETTINGS); every agent reads the published
articles of the brands they work, internal manuals included (madoguchi.knowledge.actions.access).
"""

from __future__ import annotations

import importlib
import json
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.models import Agent, Brand
from madoguchi.core.errors import DomainError, NotFound
from madoguchi.core.ids import parse_id
from madoguchi.knowledge import actions
from madoguchi.knowledge.actions import validation
from madoguchi.knowledge.actions.access import (
    can_edit,
    get_readable_article,
    readable_articles,
    readable_brands,
    require_editor,
)
from madoguchi.knowledge.engine.common_questions import Intent
from madoguchi.knowledge.models import (
    Article,
    ArticleStatus,
    ArticleTranslation,
    ArticleVersion,
    Category,
)
from madoguchi.knowledge.rendering import render_markdown
from madoguchi.knowledge.search import common_question_of

from ..forms.knowledge import ArticleForm
from .base import console_view
from .settings.common import form_error

NAV = "knowledge"
PAGE = 50
RELATED_CHOICES = 500
COMMON_EXAMPLES = 8  # phrasings of the matched common question shown in the editor


def common_topic(intent: Intent | None) -> str:
    """The bank intent's title in the console's language (the bank is bilingual)."""
    if intent is None:
        return ""
    english = (get_language() or "").startswith("en")
    return intent.title_en if english and intent.title_en else intent.title


def ui_language() -> str:
    language = (get_language() or "ja")[:2]
    return language if language in validation.languages() else "ja"


def pick_title(article: Article, language: str) -> ArticleTranslation | None:
    """The translation to show in a list: the console's language first (prefetched rows)."""
    rows = list(article.translations.all())
    for row in rows:
        if row.language == language:
            return row
    return rows[0] if rows else None


def current_brand(request: HttpRequest, agent: Agent) -> Brand:
    brands = readable_brands(agent).order_by("name", "pk")
    wanted = parse_id(request.POST.get("brand") or request.GET.get("brand"))
    brand = brands.filter(pk=wanted).first() if wanted else brands.first()
    if brand is None:
        raise NotFound(_("No brand's articles are open to you."), code="brand_not_found")
    return brand


def category_choices(brand_id: int) -> list[tuple[int, str]]:
    """Top categories followed by their sections (indented), in help-center order."""
    language = ui_language()
    rows = list(Category.objects.filter(brand_id=brand_id).order_by("position", "id"))
    choices: list[tuple[int, str]] = []
    for top in (c for c in rows if c.parent_id is None):
        choices.append((top.pk, top.name(language)))
        choices += [(s.pk, "\u3000" + s.name(language)) for s in rows if s.parent_id == top.pk]
    return choices


def _search_ids(brand: Brand, query: str, language: str, drafts: bool) -> list[int] | None:
    """Article ids by the help-center search engine, best first; None while it is absent."""
    try:
        search = importlib.import_module("madoguchi.knowledge.search")
    except ImportError:
        return None
    result = search.search_articles(
        brand_id=brand.pk,
        query=query,
        language=language or None,
        limit=PAGE,
        include_internal=True,
        include_drafts=drafts,
    )
    return list(dict.fromkeys(hit.article_id for hit in result.hits))


def _words(query: str) -> Q:
    """The fallback search: title, text or a phrasing contains the words. SQLite keeps JSON
    with non-ASCII escaped (\\uXXXX), so phrasings are matched in that form too."""
    match = (
        Q(translations__title__icontains=query)
        | Q(translations__body__icontains=query)
        | Q(translations__phrasings__icontains=query)
    )
    escaped = json.dumps(query)[1:-1]
    if escaped != query:
        match |= Q(translations__phrasings__icontains=escaped)
    return match


def _filtered(request: HttpRequest, agent: Agent, brand: Brand) -> dict[str, Any]:
    params = {
        key: request.GET.get(key, "").strip()[:200]
        for key in ("q", "category", "status", "language", "internal", "after")
    }
    qs: QuerySet[Article] = readable_articles(agent).filter(brand=brand)
    category = parse_id(params["category"])
    if category:
        qs = qs.filter(Q(category_id=category) | Q(category__parent_id=category))
    if params["status"] in ArticleStatus.values and can_edit(agent):
        qs = qs.filter(status=params["status"])
    if params["language"] in validation.languages():
        qs = qs.filter(translations__language=params["language"])
    if params["internal"] in ("1", "0"):
        qs = qs.filter(internal=params["internal"] == "1")
    ranked: list[int] | None = None
    if params["q"]:
        ranked = _search_ids(brand, params["q"], params["language"], can_edit(agent))
        if ranked is None:
            qs = qs.filter(_words(params["q"]))
        else:
            qs = qs.filter(pk__in=ranked)
    qs = (
        qs.distinct()
        .select_related("category", "category__parent")
        .prefetch_related(
            Prefetch(
                "translations",
                queryset=ArticleTranslation.objects.only(
                    "id", "article_id", "language", "title", "updated_at"
                ),
            )
        )
    )
    if ranked is not None:
        order = {pk: i for i, pk in enumerate(ranked)}
        rows = sorted(qs, key=lambda a: order[a.pk])
        more = None
    else:
        after = parse_id(params["after"])
        if after:
            qs = qs.filter(pk__lt=after)
        rows = list(qs.order_by("-pk")[: PAGE + 1])
        more = rows[PAGE - 1].pk if len(rows) > PAGE else None
        rows = rows[:PAGE]
    language = ui_language()
    return {
        "params": params,
        "rows": [(a, pick_title(a, language)) for a in rows],
        "more": more,
        "engine": ranked is not None,
    }


@console_view
def article_list(request: HttpRequest, agent: Agent) -> HttpResponse:
    brand = current_brand(request, agent)
    context = {
        "brand": brand,
        "brands": readable_brands(agent).order_by("name", "pk"),
        "categories": category_choices(brand.pk),
        "statuses": ArticleStatus.choices,
        "languages": validation.languages(),
        "can_edit": can_edit(agent),
        "nav_active": NAV,
        **_filtered(request, agent, brand),
    }
    return render(request, "web/knowledge/articles.html", context)


def _form(brand_id: int, article: Article | None, *args: Any, **kwargs: Any) -> ArticleForm:
    others = Article.objects.filter(brand_id=brand_id)
    if article is not None:
        others = others.exclude(pk=article.pk)
    others = others.prefetch_related("translations").order_by("position", "pk")
    language = ui_language()
    related = []
    for other in others[:RELATED_CHOICES]:
        title = pick_title(other, language)
        related.append((other.pk, title.title if title else f"#{other.pk}"))
    if article is not None:  # chosen ones stay listed even past the first 500
        chosen = {pk for pk, _label in related}
        for other in article.related.prefetch_related("translations"):
            if other.pk not in chosen:
                title = pick_title(other, language)
                related.append((other.pk, title.title if title else f"#{other.pk}"))
    return ArticleForm(
        *args,
        category_choices=category_choices(brand_id),
        related_choices=related,
        **kwargs,
    )


def _fields(form: ArticleForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "body": data["body"],
        "phrasings": data["phrasings"],
        "category_id": data["category"],
        "status": data["status"],
        "internal": data["internal"],
        "common_questions": data["common_questions"],
        "tags": data["tags"],
        "related_ids": data["related"],
    }


def _editor(
    request: HttpRequest,
    form: ArticleForm,
    brand: Brand,
    language: str,
    article: Article | None = None,
    status: int = 200,
) -> HttpResponse:
    translations = {t.language: t for t in article.translations.all()} if article else {}
    current = translations.get(language)
    versions = (
        ArticleVersion.objects.filter(translation=current).select_related("author")[:30]
        if current
        else []
    )
    common = (
        common_question_of(brand.pk, current.pk)
        if article is not None and article.common_questions and current is not None
        else None
    )
    context = {
        "form": form,
        "brand": brand,
        "article": article,
        "common": common,
        "common_topic": common_topic(common),
        "common_examples": common.phrasings[:COMMON_EXAMPLES] if common else (),
        "language": language,
        "languages": [(code, code in translations) for code in validation.languages()],
        "translation": current,
        "translation_count": len(translations),
        "versions": versions,
        "nav_active": NAV,
    }
    return render(request, "web/knowledge/article_edit.html", context, status=status)


def _language(request: HttpRequest, default: str) -> str:
    wanted = request.POST.get("language") or request.GET.get("lang") or default
    return wanted if wanted in validation.languages() else default


@console_view
def article_new(request: HttpRequest, agent: Agent) -> HttpResponse:
    require_editor(agent)
    brand = current_brand(request, agent)
    language = _language(request, brand.default_language)
    if request.method != "POST":
        form = _form(
            brand.pk,
            None,
            initial={
                "status": ArticleStatus.DRAFT,
                "title": request.GET.get("title", "")[:250],
                "common_questions": True,
            },
        )
        return _editor(request, form, brand, language)
    form = _form(brand.pk, None, request.POST)
    if not form.is_valid():
        return _editor(request, form, brand, language, status=422)
    try:
        article = actions.do_create_article(
            agent, brand_id=brand.pk, language=language, **_fields(form)
        )
    except DomainError as exc:
        return _editor(request, form, brand, language, status=form_error(form, exc))
    messages.success(request, _("Article created."))
    return HttpResponseRedirect(article_url(article.pk, language))


def article_url(article_id: int, language: str) -> str:
    return reverse("web:kb_article", args=[article_id]) + f"?lang={language}"


@console_view
def article_detail(request: HttpRequest, agent: Agent, article_id: int) -> HttpResponse:
    """Editors get the editor (one language tab at a time); others read the article."""
    article = get_readable_article(agent, article_id)
    brand = Brand.objects.get(pk=article.brand_id)
    translations = {t.language: t for t in article.translations.all()}
    default = ui_language() if ui_language() in translations else next(iter(translations), "ja")
    language = _language(request, default)
    if not can_edit(agent):
        if request.method == "POST":
            require_editor(agent)
        return _reader(request, article, brand, language, translations)
    if request.method != "POST":
        current = translations.get(language)
        initial = {
            "title": current.title if current else "",
            "body": current.body if current else "",
            "phrasings": "\n".join(current.phrasings) if current else "",
            "category": article.category_id,
            "status": article.status,
            "internal": article.internal,
            "common_questions": article.common_questions,
            "tags": ", ".join(article.tags),
            "related": list(article.related.values_list("pk", flat=True)),
        }
        return _editor(request, _form(brand.pk, article, initial=initial), brand, language, article)
    form = _form(brand.pk, article, request.POST)
    if not form.is_valid():
        return _editor(request, form, brand, language, article, 422)
    try:
        actions.do_update_translation(agent, article.pk, language=language, **_fields(form))
    except DomainError as exc:
        return _editor(request, form, brand, language, article, form_error(form, exc))
    messages.success(request, _("Changes saved."))
    return HttpResponseRedirect(article_url(article.pk, language))


def _reader(
    request: HttpRequest,
    article: Article,
    brand: Brand,
    language: str,
    translations: dict[str, ArticleTranslation],
) -> HttpResponse:
    current = translations.get(language) or next(iter(translations.values()), None)
    context = {
        "article": article,
        "brand": brand,
        "translation": current,
        "html": render_markdown(current.body) if current else "",
        "languages": sorted(translations),
        "nav_active": NAV,
    }
    return render(request, "web/knowledge/article_read.html", context)


@require_POST
@console_view
def article_status(request: HttpRequest, agent: Agent, article_id: int) -> HttpResponse:
    publish = request.POST.get("status") == ArticleStatus.PUBLISHED
    if publish:
        actions.do_publish(agent, article_id)
        messages.success(request, _("Article published."))
    else:
        actions.do_unpublish(agent, article_id)
        messages.success(request, _("Article moved back to drafts."))
    return HttpResponseRedirect(article_url(article_id, _language(request, "ja")))


@require_POST
@console_view
def article_delete(request: HttpRequest, agent: Agent, article_id: int) -> HttpResponse:
    brand_id = get_readable_article(agent, article_id).brand_id
    actions.do_delete_article(agent, article_id)
    messages.success(request, _("Article deleted."))
    return HttpResponseRedirect(reverse("web:kb_articles") + f"?brand={brand_id}")


@require_POST
@console_view
def translation_delete(request: HttpRequest, agent: Agent, article_id: int) -> HttpResponse:
    language = _language(request, "")
    actions.do_delete_translation(agent, article_id, language)
    messages.success(request, _("This language's text was deleted."))
    return HttpResponseRedirect(reverse("web:kb_article", args=[article_id]))
