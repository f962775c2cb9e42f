"""Deflection in the contact form: articles suggested while the customer writes.

One ContactDeflection row per contact-form visit that showed suggestions, keyed by the
form's token (the UUID the contact page puts in its hidden field; the same token becomes
the ticket's external id when the form is sent). A visit is *deflected* when the customer
opened a suggested article and no ticket came from that visit within DEFLECTION_WINDOW of
the click: they read the answer and left. A visit that is sent anyway links its ticket, so
the agent sees what the customer was shown before writing.

Anonymous visitors drive these writes, so they are bounded: the token must be a UUID, the
endpoints are rate limited per client (knowledge.throttle), one client may open at most
NEW_VISITS_PER_HOUR new visits (beyond that suggestions are still shown, just not
recorded), a row keeps at most MAX_SHOWN article ids, and a click counts only for an
article that row showed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import NotFound, ValidationFailed
from madoguchi.inboxes.models import Inbox
from madoguchi.tickets.models import Ticket

from . import throttle
from .models import Article, ContactDeflection, SearchLog, SearchSource
from .queries import article_path, public_articles, titles
from .search_log import record_click, record_search

# A click older than this without a ticket from the same visit counts as deflected; a
# customer who reads the article and still writes usually does so within minutes.
DEFLECTION_WINDOW = timedelta(minutes=30)
MAX_SHOWN = 50  # article ids kept per visit
NEW_VISITS_PER_HOUR = 30  # new visits one client may record per hour
SESSION_SALT = "madoguchi.knowledge.deflection.session"


def check_token(token: object) -> str:
    """The form token in its canonical form; ValidationFailed unless it is a UUID."""
    text = str(token or "").strip()
    try:
        parsed = uuid.UUID(text) if 32 <= len(text) <= 36 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationFailed(_("The form expired. Please reload the page."), code="bad_token")
    return str(parsed)


def session_key(token: str) -> str:
    """The SearchLog session of a visit: derived from the token, never the token itself
    (the token is also the ticket's external id)."""
    return salted_hmac(SESSION_SALT, token).hexdigest()[:32]


def _locked(token: str) -> ContactDeflection | None:
    return ContactDeflection.objects.select_for_update().filter(token=token).first()


def note_shown(
    inbox: Inbox,
    token: str,
    query: str,
    article_ids: Sequence[int],
    *,
    language: str = "",
    client: str = "",
    degraded: bool = False,
    answered: bool | None = None,
) -> ContactDeflection | None:
    """Record what the contact form suggested for `query`: the search goes to the search log
    (no-result questions too, they feed the FAQ-gap report) and the visit row accumulates
    the articles shown. None when nothing was recorded: a sent visit, no articles for a new
    visit, or a client over its new-visit budget."""
    token = check_token(token)
    ids = list(dict.fromkeys(int(pk) for pk in article_ids))
    now = timezone.now()
    with transaction.atomic():
        row = _locked(token)
        if row is not None and row.inbox_id != inbox.pk:
            raise ValidationFailed(_("The form expired. Please reload the page."), code="bad_token")
        if row is not None and row.submitted_at is not None:
            return None  # the visit ended with a ticket; later requests change nothing
        if row is None and ids:
            if not throttle.allow("contact-visit", client, NEW_VISITS_PER_HOUR, 3600):
                return None
            row = _create(inbox, token, now)
        _log(inbox, token, query, ids, language, client, degraded, answered)
        if row is None:
            return None  # nothing suggested yet: only the question is logged
        shown = list(row.shown or [])
        for pk in ids:
            if pk not in shown and len(shown) < MAX_SHOWN:
                shown.append(pk)
        row.shown = shown
        row.last_query = query.strip()[:500]
        row.updated_at = now
        row.save(update_fields=["shown", "last_query", "updated_at"])
    return row


def _create(inbox: Inbox, token: str, now: datetime) -> ContactDeflection:
    """The visit row; a twin request that created it first wins (unique token)."""
    try:
        with transaction.atomic():
            return ContactDeflection.objects.create(
                inbox=inbox, brand_id=inbox.brand_id, token=token, created_at=now, updated_at=now
            )
    except IntegrityError:
        row = _locked(token)
        if row is None or row.inbox_id != inbox.pk:
            raise
        return row


def _log(
    inbox: Inbox,
    token: str,
    query: str,
    ids: list[int],
    language: str,
    client: str,
    degraded: bool,
    answered: bool | None,
) -> None:
    record_search(
        brand_id=inbox.brand_id,
        source=SearchSource.CONTACT_FORM,
        query=query,
        shown=ids,
        language=language,
        session=session_key(token),
        client=client,
        degraded=degraded,
        answered=answered,
    )


def note_click(token: str, article_id: int, *, inbox: Inbox | None = None) -> ContactDeflection:
    """The customer opened a suggested article. NotFound for an unknown visit (or one of
    another inbox's form) or an article this visit never showed (forged links count
    nothing); opening twice counts once."""
    token = check_token(token)
    now = timezone.now()
    with transaction.atomic():
        row = _locked(token)
        if row is not None and inbox is not None and row.inbox_id != inbox.pk:
            row = None
        if row is None or int(article_id) not in (row.shown or []):
            raise NotFound(
                _("This article was not suggested on this form."), code="article_not_found"
            )
        if article_id in (row.clicked or []):
            return row
        row.clicked = [*(row.clicked or []), int(article_id)]
        row.first_clicked_at = row.first_clicked_at or now
        row.updated_at = now
        row.save(update_fields=["clicked", "first_clicked_at", "updated_at"])
        _click_search(row, token, int(article_id))
    return row


def _click_search(row: ContactDeflection, token: str, article_id: int) -> None:
    """Mark the click on the newest search of this visit that showed the article."""
    logs = SearchLog.objects.filter(
        session=session_key(token),
        brand_id=row.brand_id,
        source=SearchSource.CONTACT_FORM,
        clicked_at__isnull=True,
    ).order_by("-updated_at")
    for log_id, shown in logs.values_list("pk", "shown")[:20]:
        if article_id in (shown or []):
            record_click(log_id, article_id)
            return


def note_submitted(token: str, ticket: Ticket) -> ContactDeflection | None:
    """The visit ended with a ticket: link it so the agent sees what was shown. Call inside
    the transaction that stored the ticket. Idempotent; None when the visit showed nothing
    (or the token belongs to another inbox's form)."""
    try:
        token = check_token(token)
    except ValidationFailed:
        return None
    row = _locked(token)
    if row is None or row.inbox_id != ticket.inbox_id:
        return None
    if row.submitted_at is not None:
        return row
    now = timezone.now()
    taken = ContactDeflection.objects.filter(ticket=ticket).exclude(pk=row.pk).exists()
    if not taken:
        row.ticket = ticket
    row.submitted_at = now
    row.updated_at = now
    row.save(update_fields=["ticket", "submitted_at", "updated_at"])
    return row


@dataclass(frozen=True)
class ShownArticle:
    article_id: int
    title: str
    url: str  # the public page; "" once the article is no longer public
    clicked: bool


def shown_for_ticket(ticket: Ticket) -> list[ShownArticle]:
    """The articles the contact form suggested before the customer sent this ticket, in the
    order they were first shown, with whether the customer opened them."""
    row = ContactDeflection.objects.filter(ticket=ticket).select_related("brand").first()
    if row is None or not row.shown:
        return []
    brand = row.brand
    by_id = {
        a.pk: a
        for a in Article.objects.filter(brand=brand, pk__in=row.shown).prefetch_related(
            "translations"
        )
    }
    public = set(public_articles(brand.pk).filter(pk__in=row.shown).values_list("pk", flat=True))
    ordered = [by_id[pk] for pk in row.shown if pk in by_id]
    clicked = set(row.clicked or [])
    return [
        ShownArticle(
            link.id,
            link.title,
            article_path(brand.slug, brand.default_language, link.language, link.id)
            if link.id in public
            else "",
            link.id in clicked,
        )
        for link in titles(ordered, brand.default_language, brand)
    ]


@dataclass(frozen=True)
class DeflectionStats:
    visits_with_suggestions: int  # contact-form visits that showed articles
    clicked: int  # … where the customer opened one
    deflected: int  # … opened one and sent nothing within DEFLECTION_WINDOW
    submitted_after_click: int  # … opened one and still sent the form
    rate: float  # deflected / visits_with_suggestions (0.0 without visits)


def deflection_stats(
    brand_ids: Iterable[int] | None,
    since: datetime,
    until: datetime,
    *,
    now: datetime | None = None,
) -> DeflectionStats:
    """Deflection numbers for visits that started in [since, until); `brand_ids` None means
    every brand. Clicks younger than the window are neither deflected nor sent yet."""
    cutoff = (now or timezone.now()) - DEFLECTION_WINDOW
    rows = ContactDeflection.objects.filter(created_at__gte=since, created_at__lt=until)
    if brand_ids is not None:
        rows = rows.filter(brand_id__in=list(brand_ids))
    clicked = Q(first_clicked_at__isnull=False)
    numbers = rows.aggregate(
        visits=Count("id"),
        clicked=Count("id", filter=clicked),
        deflected=Count(
            "id",
            filter=clicked & Q(submitted_at__isnull=True, first_clicked_at__lte=cutoff),
        ),
        submitted=Count(
            "id",
            filter=clicked & Q(submitted_at__isnull=False, first_clicked_at__lte=F("submitted_at")),
        ),
    )
    visits = numbers["visits"] or 0
    deflected = numbers["deflected"] or 0
    return DeflectionStats(
        visits_with_suggestions=visits,
        clicked=numbers["clicked"] or 0,
        deflected=deflected,
        submitted_after_click=numbers["submitted"] or 0,
        rate=deflected / visits if visits else 0.0,
    )
