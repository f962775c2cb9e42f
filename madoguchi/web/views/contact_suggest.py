"""Contact-form deflection: help-center articles suggested while the customer writes.

`suggest` answers the form's script with JSON (the public search, so drafts and internal
manuals never appear) and records the visit; `open_article` is the link behind every
suggestion: it records the click and redirects to the article's public page, which the
form opens in a new tab so the draft stays. Both are rate limited per client. Bad input
answers 400/404/429 with a translated message, never a 500.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from madoguchi.core.errors import NotFound, ValidationFailed
from madoguchi.inboxes.models import Inbox
from madoguchi.knowledge import queries, throttle
from madoguchi.knowledge.confidence import answers
from madoguchi.knowledge.deflection import check_token, note_click, note_shown

from .contact import form_inbox, page_context, speak_brand_language

MAX_TEXT = 1000  # characters the script may send (it sends the subject and the message start)
QUERY_CHARS = 400  # what the search sees of it
MIN_CHARS = 2
LIMIT = 5
MAX_ID = 2**63 - 1
_SPACES = re.compile(r"\s+")


def _form_inbox(slug: str) -> Inbox | None:
    try:
        return form_inbox(slug)
    except Http404:
        return None


def _error(status: int, code: str, message: object) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": str(message)}}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _too_many() -> str:
    return _("Too many requests from your connection. Please wait a minute.")


def compose_query(text: str) -> str:
    """The search text: spaces folded, the start of what the customer wrote."""
    return _SPACES.sub(" ", (text or "").replace("\x00", "")).strip()[:QUERY_CHARS]


@require_GET
def suggest(request: HttpRequest, slug: str) -> HttpResponse:
    inbox = _form_inbox(slug)
    if inbox is None:
        return _error(404, "form_not_found", _("There is no such contact form."))
    speak_brand_language(request, inbox)
    try:
        token = check_token(request.GET.get("token"))
    except ValidationFailed as exc:
        return _error(400, exc.code, exc.message)
    text = request.GET.get("q", "")
    if len(text) > MAX_TEXT:
        return _error(
            400,
            "text_too_long",
            _("The text is too long (at most %(max)d characters).") % {"max": MAX_TEXT},
        )
    client = throttle.client_of(request)
    if not throttle.allow("contact-suggest", client, throttle.search_per_minute()):
        return _error(429, "throttled", _too_many())
    query = compose_query(text)
    results: list[dict[str, Any]] = []
    degraded = False
    if len(query) >= MIN_CHARS:
        language = translation.get_language() or inbox.brand.default_language
        hits, degraded = queries.public_search(
            brand_id=inbox.brand_id, query=query, language=language, limit=LIMIT
        )
        try:
            row = note_shown(
                inbox,
                token,
                query,
                [h.hit.article_id for h in hits],
                language=language,
                client=client,
                degraded=degraded,
                answered=answers(query, hits[0].hit if hits else None),
            )
        except ValidationFailed as exc:
            return _error(400, exc.code, exc.message)
        for public in hits:
            hit = public.hit
            url = public.path
            if row is not None:  # recorded visit: the link records the click first
                url = reverse("web:contact_article", args=[inbox.slug, hit.article_id])
                url += "?" + urlencode({"token": token})
            results.append(
                {"id": hit.article_id, "title": hit.title, "snippet": hit.snippet, "url": url}
            )
    response = JsonResponse({"results": results, "degraded": degraded})
    response["Cache-Control"] = "no-store"
    return response


def _error_page(request: HttpRequest, inbox: Inbox, status: int, message: object) -> HttpResponse:
    context = page_context(inbox)
    context["message"] = message
    context["help_url"] = reverse("web:help_home", args=[inbox.brand.slug])
    return render(request, "web/contact/suggest_error.html", context, status=status)


@require_GET
def open_article(request: HttpRequest, slug: str, article_id: int) -> HttpResponse:
    """Record that the customer opened a suggested article, then show it (302)."""
    inbox = form_inbox(slug)  # unknown form: the site's 404 page
    speak_brand_language(request, inbox)
    try:
        token = check_token(request.GET.get("token"))
    except ValidationFailed as exc:
        return _error_page(request, inbox, 400, exc.message)
    if not throttle.allow(
        "contact-open", throttle.client_of(request), throttle.search_per_minute()
    ):
        return _error_page(request, inbox, 429, _too_many())
    brand = inbox.brand
    language = translation.get_language() or brand.default_language
    try:
        if not 0 < article_id < MAX_ID:  # beyond any database integer: no such article
            raise NotFound(_("There is no such article."), code="article_not_found")
        page = queries.public_article(brand, article_id, language)
        note_click(token, article_id, inbox=inbox)
    except NotFound as exc:
        return _error_page(request, inbox, 404, exc.message)
    path = queries.article_path(
        brand.slug, brand.default_language, page.translation.language, article_id
    )
    return HttpResponseRedirect(path)
