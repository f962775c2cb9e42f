"""「この記事は役に立ちましたか？」: votes are stored, changed, validated and rate limited."""

from __future__ import annotations

import pytest

from madoguchi.core.errors import NotFound, ValidationFailed
from madoguchi.knowledge.feedback import MAX_COMMENT, RateLimited, do_vote
from madoguchi.knowledge.models import ArticleFeedback

from .helpcenter_data import make_help_center


@pytest.fixture
def kb(brand):  # type: ignore[no-untyped-def]
    return make_help_center(brand)


def vote(kb, article=None, **kw):  # type: ignore[no-untyped-def]
    args = {"language": "ja", "helpful": True, "comment": "", "client": "client-a"} | kw
    return do_vote(brand=kb.brand, article_id=(article or kb.tracking).pk, **args)


def test_vote_is_stored_with_comment(kb):
    feedback = vote(kb, helpful=False, comment="  手順の画像がほしいです  ")
    stored = ArticleFeedback.objects.get()
    assert stored.pk == feedback.pk
    assert stored.article == kb.tracking and stored.helpful is False
    assert stored.comment == "手順の画像がほしいです" and stored.client == "client-a"


def test_voting_again_changes_the_answer_instead_of_counting_twice(kb):
    vote(kb, helpful=False)
    vote(kb, helpful=True, comment="わかりました")
    stored = ArticleFeedback.objects.get()
    assert stored.helpful is True and stored.comment == "わかりました"
    vote(kb, client="client-b")
    assert ArticleFeedback.objects.count() == 2


def test_rate_limit_per_client(kb, settings):
    settings.KB_FEEDBACK_RATE_LIMIT_PER_HOUR = 2
    vote(kb, kb.tracking)
    vote(kb, kb.days)
    with pytest.raises(RateLimited) as caught:
        vote(kb, kb.double_order)
    assert caught.value.status == 429
    assert ArticleFeedback.objects.count() == 2
    vote(kb, kb.double_order, client="client-b")  # others are not affected
    assert ArticleFeedback.objects.count() == 3


@pytest.mark.parametrize("which", ["draft", "internal", "other_brand"])
def test_hidden_articles_cannot_be_voted_on(kb, which):
    with pytest.raises(NotFound):
        vote(kb, getattr(kb, which))
    assert not ArticleFeedback.objects.exists()


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"comment": "あ" * (MAX_COMMENT + 1)}, "comment_too_long"),
        ({"language": "fr"}, "invalid_language"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(kb, kw, code):
    with pytest.raises(ValidationFailed) as caught:
        vote(kb, **kw)
    assert caught.value.code == code and caught.value.status == 422
    assert not ArticleFeedback.objects.exists()
