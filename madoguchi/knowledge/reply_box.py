"""Help-center articles in the agent's reply box: which ones an agent may use on a ticket,
what "Insert text" and "Insert link" put into the reply, and the suggested articles.

Agents see the published articles of the ticket's brand, internal manuals included (marked
「社内向け」 and never linked: customers cannot open them); drafts never. Outsourced agents
only when they work the brand (actions.access.readable_brands).

Suggestions search the customer's latest message with its subject, cleaned like a phrasing
(greetings, quotes and personal data removed). The fused search score is relative to the
best candidate of one query, so it cannot say "nothing fits"; the floor is the absolute e5
cosine similarity of the query to the article's closest row (see docs/help-center-agents.md
for how the floors in confidence.py were measured). Without the semantic half only title or
phrasing matches are suggested.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt
from markdown_it.token import Token

from madoguchi.accounts.models import Agent, Brand
from madoguchi.accounts.permissions import Capability, can
from madoguchi.core.errors import Forbidden, NotFound
from madoguchi.tickets.models import AuthorKind, Direction, Message, Ticket

from .actions.access import readable_articles, readable_brands
from .confidence import answers
from .hits import ArticleHit
from .models import Article, ArticleStatus, ArticleTranslation
from .queries import article_path, language_order
from .questions import clean_question
from .search import search_articles

SUGGESTIONS = 3
SUGGEST_QUERY_CHARS = 300

_MD = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def ticket_language(ticket: Ticket) -> str:
    """The language the customer reads: theirs if set, else the brand's."""
    customer = getattr(ticket, "customer", None)
    return (getattr(customer, "language", "") or ticket.brand.default_language or "ja")[:8]


def can_use_articles(agent: Agent, ticket: Ticket) -> bool:
    """Agents who see the ticket may use its brand's articles; outsourced staff only for the
    brands they work (no query for roles that see everything)."""
    if can(agent, Capability.VIEW_ALL) and agent.user.is_active:
        return True
    return readable_brands(agent).filter(pk=ticket.brand_id).exists()


def require_brand_access(agent: Agent, ticket: Ticket) -> None:
    if not can_use_articles(agent, ticket):
        raise Forbidden(
            _("You do not work for this brand, so its help center is not available to you."),
            code="brand_forbidden",
        )


def usable_articles(agent: Agent, ticket: Ticket) -> QuerySet[Article]:
    """Published articles of the ticket's brand the agent may read (internal ones too)."""
    return readable_articles(agent).filter(brand_id=ticket.brand_id, status=ArticleStatus.PUBLISHED)


def get_usable_article(agent: Agent, ticket: Ticket, article_id: int) -> Article:
    require_brand_access(agent, ticket)
    article = (
        usable_articles(agent, ticket)
        .prefetch_related("translations")
        .filter(pk=article_id)
        .first()
    )
    if article is None or not article.translations.all():
        raise NotFound(_("Article not found."), code="article_not_found")
    return article


def pick_translation(article: Article, language: str, brand: Brand) -> ArticleTranslation:
    """The customer's language if written, else the brand's, else Japanese, else any."""
    by_language = {t.language: t for t in article.translations.all()}
    for code in language_order(language, brand):
        if code in by_language:
            return by_language[code]
    return by_language[min(by_language)]


def public_url(article: Article, translation: ArticleTranslation, brand: Brand) -> str:
    """The absolute help-center URL customers can open; "" for manuals and drafts."""
    if article.internal or article.status != ArticleStatus.PUBLISHED:
        return ""
    path = article_path(brand.slug, brand.default_language, translation.language, article.pk)
    return settings.PUBLIC_URL + path


# ---- Markdown → reply text ---------------------------------------------------------------


def _absolute(href: str) -> str:
    if href.startswith("/"):
        return settings.PUBLIC_URL + href
    return href if re.match(r"^(https?:|mailto:)", href, re.I) else ""


def _inline(children: Iterable[Token], japanese: bool) -> str:
    out: list[str] = []
    href_stack: list[tuple[str, int]] = []
    for tok in children:
        if tok.type in ("text", "code_inline"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif tok.type == "image":
            alt = "".join(c.content for c in tok.children or [])
            src = _absolute(str(tok.attrs.get("src", "")))
            out.append(f"{alt} {src}".strip() if src else alt)
        elif tok.type == "link_open":
            href_stack.append((_absolute(str(tok.attrs.get("href", ""))), len(out)))
        elif tok.type == "link_close" and href_stack:
            href, start = href_stack.pop()
            label = "".join(out[start:]).strip()
            if href.lower().startswith("mailto:"):
                href = href[7:]
            if href and href != label:
                out.append(f"（{href}）" if japanese else f" ({href})")
            elif href and japanese:  # a bare URL: keep it apart from the Japanese around it
                out[start:] = [f" {label} "]
    return "".join(out)


def reply_text(markdown: str, *, japanese: bool = True) -> str:
    """An article body as plain text for a reply: headings, paragraphs and lists as lines,
    emphasis dropped, links kept as their URLs (made absolute), tables as ` | ` rows."""
    lines: list[str] = []
    prefix: list[str] = []  # list markers of the open lists
    counters: list[int] = []
    row: list[str] | None = None  # cells of the open table row
    pending_marker = ""
    for tok in _MD.parse(markdown or ""):
        if tok.type == "bullet_list_open":
            prefix.append("・" if japanese else "- ")
            counters.append(0)
        elif tok.type == "ordered_list_open":
            prefix.append("1.")
            counters.append(int(tok.attrs.get("start", 1) or 1) - 1)
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            prefix.pop()
            counters.pop()
            if not prefix:
                lines.append("")
        elif tok.type == "list_item_open":
            indent = "  " * (len(prefix) - 1)
            if prefix[-1] == "1.":
                counters[-1] += 1
                pending_marker = f"{indent}{counters[-1]}. "
            else:
                pending_marker = f"{indent}{prefix[-1]}"
        elif tok.type == "inline":
            text = _inline(tok.children or [], japanese)
            if row is not None:
                row.append(text.strip())
                continue
            if pending_marker:
                text, pending_marker = pending_marker + text, ""
            lines.append(text)
        elif tok.type in ("paragraph_close", "heading_close") and not prefix:
            lines.append("")
        elif tok.type in ("fence", "code_block"):
            lines.extend(tok.content.rstrip("\n").split("\n"))
            lines.append("")
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close" and row is not None:
            lines.append(" | ".join(row))
            row = None
        elif tok.type == "table_close":
            lines.append("")
        elif tok.type == "hr":
            lines.append("")
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# ---- what the buttons insert ----------------------------------------------------------


@dataclass(frozen=True)
class Insertion:
    article_id: int
    kind: str  # "text" | "link"
    language: str
    title: str
    text: str


def insertion(article: Article, ticket: Ticket, kind: str) -> Insertion:
    """What "Insert text" / "Insert link" puts into the reply for this ticket's customer."""
    brand = ticket.brand
    translation = pick_translation(article, ticket_language(ticket), brand)
    if kind == "link":
        url = public_url(article, translation, brand)
        if not url:
            raise NotFound(
                _("Internal articles cannot be linked: customers cannot open them."),
                code="article_not_public",
            )
        text = f"{translation.title}\n{url}"
    else:
        text = reply_text(translation.body, japanese=translation.language == "ja")
        text = text or translation.title
    return Insertion(article.pk, kind, translation.language, translation.title, text)


# ---- suggestions -------------------------------------------------------------------------


def suggestion_query(ticket: Ticket) -> str:
    """The subject and the latest customer message, cleaned, ≤ SUGGEST_QUERY_CHARS; "" when
    the ticket has no customer text."""
    message = (
        Message.objects.filter(
            ticket=ticket,
            direction=Direction.INBOUND,
            author_kind=AuthorKind.CUSTOMER,
            is_internal=False,
        )
        .order_by("-created_at", "-id")
        .only("body_text")
        .first()
    )
    names = [getattr(ticket.customer, "name", "")]
    body = (
        clean_question(message.body_text, names=names, limit=SUGGEST_QUERY_CHARS) if message else ""
    )
    if not body:
        return ""
    subject = clean_question(ticket.subject or "", names=names, limit=80)
    text = f"{subject}\n{body}" if subject and subject not in body else body
    return text[:SUGGEST_QUERY_CHARS]


def suggest(ticket: Ticket, *, limit: int = SUGGESTIONS) -> list[ArticleHit]:
    """Up to `limit` articles that likely answer the customer; [] rather than noise."""
    text = suggestion_query(ticket)
    if not text:
        return []
    result = search_articles(
        brand_id=ticket.brand_id,
        query=text,
        language=ticket_language(ticket),
        limit=limit,
        include_internal=True,
    )
    return [h for h in result.hits if answers(text, h)]
