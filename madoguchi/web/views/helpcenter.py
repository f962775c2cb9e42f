"""The public help center at /help/<brand>/: no login, server-rendered, readable without JS.

Pages are in the brand's language at /help/<brand>/… and in the other language at
/help/<brand>/<lang>/…; an article without a translation in that language is shown in its
best fallback (brand language, then Japanese) with a note. Only published, non-internal
articles are ever shown (knowledge.queries). The helpful vote is a plain POST form.
Searches are logged for the analytics; a result link carries its search's log id
(`?sl=<id>`), and the article page records that click (knowledge.search_tracking).
"""

from __future__ import annotations

import functools
import json
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.accounts.models import Brand
from madoguchi.core.errors import DomainError, NotFound
from madoguchi.inboxes.models import Inbox, InboxKind
from madoguchi.knowledge import queries, throttle
from madoguchi.knowledge.confidence import answers
from madoguchi.knowledge.feedback import do_vote
from madoguchi.knowledge.models import SearchSource
from madoguchi.knowledge.rendering import render_markdown
from madoguchi.knowledge.search_tracking import track_click, track_search

MAX_QUERY = 200
SEARCH_PAGE_LIMIT = 20


def help_path(name: str, brand: Brand, language: str, *args: Any) -> str:
    """A help-center URL in a language: unprefixed in the brand's own language."""
    if language == brand.default_language:
        return reverse(f"web:help_{name}", args=[brand.slug, *args])
    return reverse(f"web:help_{name}_lang", args=[brand.slug, language, *args])


def _site(request: HttpRequest, brand_slug: str, lang: str | None) -> tuple[Brand, str]:
    """The brand (404 if unknown) and the page language, activated for the UI strings."""
    try:
        brand = queries.public_brand(brand_slug)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    language = lang or brand.default_language
    if language not in dict(settings.LANGUAGES):
        raise Http404("unknown language")
    translation.activate(language)
    request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
    return brand, language


def _contact_url(brand: Brand) -> str:
    inbox = (
        Inbox.objects.filter(brand=brand, kind=InboxKind.FORM, is_active=True)
        .order_by("id")
        .values_list("slug", flat=True)
        .first()
    )
    return reverse("web:contact", args=[inbox]) if inbox else ""


def _context(brand: Brand, language: str, **extra: Any) -> dict[str, Any]:
    return {
        "brand": brand,
        "help_language": language,
        "contact_url": _contact_url(brand),
        "home_url": help_path("home", brand, language),
        "search_url": help_path("search", brand, language),
        "api_search_url": "/api/v1/kb/search",
        "languages": [(code, str(name)) for code, name in settings.LANGUAGES],
        **extra,
    }


def _not_found(request: HttpRequest, brand: Brand, language: str, message: object) -> HttpResponse:
    context = _context(brand, language, message=message)
    return render(request, "web/help/not_found.html", context, status=404)


def _alternates(name: str, brand: Brand, *args: Any) -> list[tuple[str, str]]:
    return [(code, help_path(name, brand, code, *args)) for code, _n in settings.LANGUAGES]


@require_GET
def home(request: HttpRequest, brand_slug: str, lang: str | None = None) -> HttpResponse:
    brand, language = _site(request, brand_slug, lang)
    tree = queries.category_tree(brand, language)
    context = _context(brand, language, tree=tree, alternates=_alternates("home", brand))
    return render(request, "web/help/home.html", context)


@require_GET
def category(
    request: HttpRequest, brand_slug: str, slug: str, lang: str | None = None
) -> HttpResponse:
    brand, language = _site(request, brand_slug, lang)
    try:
        node, parent = queries.public_category(brand, slug, language)
    except NotFound as exc:
        return _not_found(request, brand, language, exc.message)
    crumbs = [(_("Help center"), help_path("home", brand, language))]
    if parent is not None:
        crumbs.append((parent.name(language), help_path("category", brand, language, parent.slug)))
    context = _context(
        brand,
        language,
        node=node,
        crumbs=crumbs,
        alternates=_alternates("category", brand, slug),
    )
    return render(request, "web/help/category.html", context)


def _article_page(
    request: HttpRequest,
    brand: Brand,
    language: str,
    page: queries.ArticlePage,
    *,
    voted: bool = False,
    error: object = None,
    status: int = 200,
) -> HttpResponse:
    crumbs = [(_("Help center"), help_path("home", brand, language))]
    category = page.article.category
    for level in (category.parent, category) if category is not None else ():
        if level is not None:
            crumbs.append(
                (level.name(language), help_path("category", brand, language, level.slug))
            )
    # render_markdown escapes raw HTML and sanitises the result with nh3.
    body_html = mark_safe(render_markdown(page.translation.body))  # noqa: S308
    context = _context(
        brand,
        language,
        page=page,
        body_html=body_html,
        crumbs=crumbs,
        related=queries.related_articles(page.article, language, brand),
        voted=voted,
        feedback_error=error,
        comment=request.POST.get("comment", "")[:4000] if error else "",
        alternates=_alternates("article", brand, page.article.pk),
    )
    return render(request, "web/help/article.html", context, status=status)


@require_GET
def article(
    request: HttpRequest, brand_slug: str, article_id: int, lang: str | None = None
) -> HttpResponse:
    brand, language = _site(request, brand_slug, lang)
    try:
        page = queries.public_article(brand, article_id, language)
    except NotFound as exc:
        return _not_found(request, brand, language, exc.message)
    if "sl" in request.GET:
        # A search result's link: record the click, then show the article at its own URL
        # (shared and bookmarked links do not carry the search).
        track_click(request.GET.get("sl", "")[:20], page.article.pk, brand_id=brand.pk)
        rest = request.GET.copy()
        del rest["sl"]
        query = rest.urlencode()
        return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
    voted = request.GET.get("voted") in ("yes", "no")
    return _article_page(request, brand, language, page, voted=voted)


@require_POST
def feedback(
    request: HttpRequest, brand_slug: str, article_id: int, lang: str | None = None
) -> HttpResponse:
    """The helpful vote: yes/no and an optional comment; back to the article with thanks."""
    brand, language = _site(request, brand_slug, lang)
    answer = request.POST.get("helpful", "")
    try:
        page = queries.public_article(brand, article_id, language)
    except NotFound as exc:
        return _not_found(request, brand, language, exc.message)
    if answer not in ("yes", "no"):
        error = _("Please answer yes or no.")
        return _article_page(request, brand, language, page, error=error, status=422)
    try:
        do_vote(
            brand=brand,
            article_id=article_id,
            language=page.translation.language,  # the text the reader judged
            helpful=answer == "yes",
            comment=request.POST.get("comment", ""),
            client=throttle.client_of(request),
        )
    except DomainError as exc:
        return _article_page(request, brand, language, page, error=exc.message, status=exc.status)
    url = help_path("article", brand, language, article_id)
    return HttpResponseRedirect(f"{url}?voted={answer}#feedback")


@require_GET
def search(request: HttpRequest, brand_slug: str, lang: str | None = None) -> HttpResponse:
    brand, language = _site(request, brand_slug, lang)
    query = request.GET.get("q", "").strip()
    suffix = f"?{urlencode({'q': query})}" if query else ""
    alternates = [(code, url + suffix) for code, url in _alternates("search", brand)]
    context = _context(brand, language, query=query, hits=[], alternates=alternates)
    crumbs = [(_("Help center"), help_path("home", brand, language))]
    context["crumbs"] = crumbs
    if not query:
        return render(request, "web/help/search.html", context)
    if len(query) > MAX_QUERY:
        context["error"] = _("Please shorten your question (at most %(max)d characters).") % {
            "max": MAX_QUERY
        }
        return render(request, "web/help/search.html", context, status=422)
    if not throttle.allow("search", throttle.client_of(request), throttle.search_per_minute()):
        context["error"] = _("Too many searches from your connection. Please wait a minute.")
        return render(request, "web/help/search.html", context, status=429)
    hits, degraded = queries.public_search(
        brand_id=brand.pk, query=query, language=language, limit=SEARCH_PAGE_LIMIT
    )
    context["hits"], context["degraded"] = hits, degraded
    context["answered"] = answered = answers(query, hits[0].hit if hits else None)
    context["search_id"] = track_search(
        brand_id=brand.pk,
        source=SearchSource.HELP_CENTER,
        query=query,
        shown=[item.hit.article_id for item in hits],
        language=language,
        session=request.GET.get("s", ""),  # the as-you-type box this search continues
        client=throttle.client_of(request),
        degraded=degraded,
        answered=answered,
    )
    return render(request, "web/help/search.html", context)


@require_GET
def sitemap(request: HttpRequest, brand_slug: str) -> HttpResponse:
    brand, language = _site(request, brand_slug, None)
    base = settings.PUBLIC_URL
    urls: list[tuple[str, queries.SitemapEntry | None]] = [
        (base + help_path("home", brand, language), None)
    ]
    for entry in queries.sitemap_entries(brand):
        urls.append((base + help_path("article", brand, entry.language, entry.article_id), entry))
    response = render(
        request, "web/help/sitemap.xml", {"urls": urls}, content_type="application/xml"
    )
    return response


@require_GET
def widget(request: HttpRequest, brand_slug: str) -> HttpResponse:
    """The embeddable search box: one script tag on the shop's own site (help-widget.js,
    wrapped with this brand's settings)."""
    brand, language = _site(request, brand_slug, None)
    config = {
        "brand": brand.slug,
        "language": language,
        "api": settings.PUBLIC_URL + reverse("api:kb_search"),
        "home": settings.PUBLIC_URL + help_path("home", brand, language),
        "label": _("Search the help center"),
        "placeholder": _("Type your question"),
        "empty": _("No matching articles."),
        "more": _("Open the help center"),
    }
    settings_js = json.dumps(config, ensure_ascii=False)
    source = f"(function () {{\nconst config = {settings_js};\n{_widget_source()}}})();\n"
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@functools.cache
def _widget_source() -> str:
    path = finders.find("web/js/help-widget.js")
    if not path:
        raise Http404("widget script missing")
    with open(path, encoding="utf-8") as handle:
        return handle.read()
