"""「この記事は役に立ちましたか？」: storing a reader's vote, with a per-client rate limit.

A reader who votes again on the same article within the hour changes their answer (and may
add a comment) instead of counting twice. Every client may leave a limited number of votes
per hour (`KB_FEEDBACK_RATE_LIMIT_PER_HOUR`, default 20) so nobody can flood the numbers.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Brand
from madoguchi.core.errors import DomainError, NotFound, ValidationFailed

from .models import ArticleFeedback
from .queries import public_articles

MAX_COMMENT = 2000


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"


def per_hour() -> int:
    return int(settings.KB_FEEDBACK_RATE_LIMIT_PER_HOUR)


def check_vote(*, language: str, comment: str) -> str:
    """The comment, cleaned; refuses unknown languages and overlong comments."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(_("Unknown language."), code="invalid_language")
    comment = (comment or "").replace("\x00", "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed(
            _("The comment is too long (at most %(max)d characters).") % {"max": MAX_COMMENT},
            code="comment_too_long",
        )
    return comment


def do_vote(
    *,
    brand: Brand,
    article_id: int,
    language: str,
    helpful: bool,
    comment: str = "",
    client: str,
) -> ArticleFeedback:
    """Store (or change) the client's vote on a public article of the brand."""
    comment = check_vote(language=language, comment=comment)
    client = client[:64]
    with transaction.atomic():
        article = public_articles(brand.pk).select_for_update().filter(pk=article_id).first()
        if article is None:
            raise NotFound(_("There is no such article."), code="article_not_found")
        since = timezone.now() - timedelta(hours=1)
        recent = ArticleFeedback.objects.filter(client=client, created_at__gte=since)
        if recent.count() >= per_hour():
            raise RateLimited(_("Too many answers from your connection. Please try again later."))
        earlier = recent.filter(article=article).order_by("-created_at").first()
        if earlier is not None:
            earlier.helpful = helpful
            earlier.language = language
            if comment:
                earlier.comment = comment
            earlier.save(update_fields=["helpful", "language", "comment"])
            return earlier
        return ArticleFeedback.objects.create(
            article=article, language=language, helpful=helpful, comment=comment, client=client
        )
