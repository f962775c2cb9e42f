"""The public contact form of a form inbox: no login, spam kept out, one ticket per submission.

While the customer writes, the form suggests help-center articles (views/contact_suggest.py,
knowledge/deflection.py); a sent form links its ticket to the articles it was shown."""

from __future__ import annotations

import re
from typing import Any

from django.core import signing
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_http_methods

from madoguchi.connectors.form.submission import (
    ContactForm,
    is_bot,
    new_token,
    note_submission,
    parse,
    rate_limited,
)
from madoguchi.core.errors import DomainError
from madoguchi.inboxes.ingest import ingest
from madoguchi.inboxes.models import Inbox, InboxKind
from madoguchi.knowledge.deflection import note_submitted
from madoguchi.knowledge.queries import public_articles
from madoguchi.tickets.models import Ticket

RECEIPT_SALT = "madoguchi.web.contact.receipt"
RECEIPT_MAX_AGE = 24 * 3600
DEFAULT_ACCENT = "#1f6f78"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def form_inbox(slug: str) -> Inbox:
    inbox = (
        Inbox.objects.select_related("brand")
        .filter(slug=slug, kind=InboxKind.FORM, is_active=True)
        .first()
    )
    if inbox is None:
        raise Http404("no such contact form")
    return inbox


def speak_brand_language(request: HttpRequest, inbox: Inbox) -> None:
    """Visitors get the shop's language (Japanese first) unless they picked one themselves."""
    if request.session.get("language"):
        return
    translation.activate(inbox.brand.default_language)
    request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]


def page_context(inbox: Inbox) -> dict[str, Any]:
    accent = str(inbox.settings.get("accent_color") or "")
    return {
        "inbox": inbox,
        "brand": inbox.brand,
        "accent": accent if _COLOUR.match(accent) else DEFAULT_ACCENT,
        "intro": str(inbox.settings.get("form_intro") or ""),
        # Suggestions only when the brand's help center has something to suggest.
        "suggest_url": reverse("web:contact_suggest", args=[inbox.slug])
        if public_articles(inbox.brand_id).exists()
        else "",
    }


def client_of(request: HttpRequest) -> str:
    """The address the rate limit counts (the proxy in front sets REMOTE_ADDR correctly)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


def _thanks(inbox: Inbox, number: int | None) -> HttpResponseRedirect:
    url = reverse("web:contact_thanks", args=[inbox.slug])
    if number is None:
        return HttpResponseRedirect(url)
    receipt = signing.dumps({"n": number, "i": inbox.pk}, salt=RECEIPT_SALT)
    return HttpResponseRedirect(f"{url}?r={receipt}")


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, slug: str) -> HttpResponse:
    inbox = form_inbox(slug)
    speak_brand_language(request, inbox)
    context = page_context(inbox)
    template = "web/contact/form.html"
    if request.method != "POST":
        context["form"] = ContactForm(initial={"token": new_token()})
        return render(request, template, context)
    form = ContactForm(request.POST, request.FILES)
    context["form"] = form
    if is_bot(form):
        # Look exactly like success; store nothing.
        return _thanks(inbox, None)
    client = client_of(request)
    if rate_limited(inbox, client):
        return render(request, "web/contact/rate_limited.html", context, status=429)
    if not form.is_valid():
        return render(request, template, context, status=422)
    try:
        with transaction.atomic():
            result = ingest(parse(inbox, form.cleaned_data, client))
            if not result.duplicate:
                note_submission(inbox, client)
            ticket = Ticket.objects.get(pk=result.ticket_id)
            note_submitted(form.cleaned_data["token"], ticket)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, template, context, status=exc.status)
    return _thanks(inbox, ticket.number)


@require_GET
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    inbox = form_inbox(slug)
    speak_brand_language(request, inbox)
    number = None
    receipt = request.GET.get("r", "")
    if receipt:
        try:
            data = signing.loads(receipt, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
        except signing.BadSignature:
            data = None
        if isinstance(data, dict) and data.get("i") == inbox.pk:
            number = data.get("n")
    context = page_context(inbox)
    context["number"] = number
    return render(request, "web/contact/thanks.html", context)
