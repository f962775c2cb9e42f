"""The learning loop's review queue: approve (edited), reject, move, bulk, permissions."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.utils import timezone

from madoguchi.accounts.models import AuditEntry, Brand
from madoguchi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from madoguchi.knowledge import actions
from madoguchi.knowledge.actions import proposals
from madoguchi.knowledge.engine import store
from madoguchi.knowledge.engine.embedder import UnavailableEmbedder, use_embedder
from madoguchi.knowledge.models import (
    ArticleTranslation,
    ArticleVersion,
    PhrasingProposal,
    ProposalStatus,
)
from madoguchi.knowledge.questions import normalize_phrasing
from madoguchi.knowledge.search import search_articles

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(make_agent):  # type: ignore[no-untyped-def]
    return make_agent("lead", "主任 花子")


@pytest.fixture
def queued(monkeypatch):  # type: ignore[no-untyped-def]
    """Stands in for madoguchi.knowledge.tasks: records the translation ids queued."""
    ids: list[int] = []
    fake = SimpleNamespace(refresh_article_vectors=SimpleNamespace(enqueue=ids.append))
    monkeypatch.setitem(sys.modules, "madoguchi.knowledge.tasks", fake)
    return ids


@pytest.fixture
def keyword_only() -> Iterator[None]:
    previous = use_embedder(UnavailableEmbedder())
    store.forget(everything=True)
    yield
    use_embedder(previous)
    store.forget(everything=True)


def article(lead, brand, title="配送状況の確認方法", phrasings=("荷物の追跡",), **extra):  # type: ignore[no-untyped-def]
    values = {
        "brand_id": brand.pk,
        "language": "ja",
        "title": title,
        "body": "発送完了メールのお問い合わせ番号で確認できます。",
        "phrasings": list(phrasings),
        "status": "published",
    }
    values.update(extra)
    return actions.do_create_article(lead, **values)


def propose(target, text: str, language: str = "ja", **extra) -> PhrasingProposal:  # type: ignore[no-untyped-def]
    return PhrasingProposal.objects.create(
        article=target,
        language=language,
        text=text,
        normalized=normalize_phrasing(text),
        created_at=timezone.now(),
        **extra,
    )


def phrasings(target) -> list[str]:  # type: ignore[no-untyped-def]
    return list(ArticleTranslation.objects.get(article=target, language="ja").phrasings)


def test_approve_adds_the_phrasing_with_a_version_audit_and_vectors(
    lead, brand, queued, django_capture_on_commit_callbacks
):
    a = article(lead, brand)
    p = propose(a, "荷物いまどこ？", proposed_by=lead)
    translation = ArticleTranslation.objects.get(article=a)
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        proposals.approve(lead, p.pk)
    assert phrasings(a) == ["荷物の追跡", "荷物いまどこ？"]
    p.refresh_from_db()
    assert p.status == ProposalStatus.APPROVED and p.decided_by == lead and p.decided_at
    latest = ArticleVersion.objects.filter(translation=translation).first()
    assert latest is not None and latest.number == 2 and latest.author == lead
    assert latest.phrasings == ["荷物の追跡", "荷物いまどこ？"]
    assert queued == [translation.pk]
    actions_logged = list(AuditEntry.objects.values_list("action", flat=True))
    assert "kb.article.update" in actions_logged
    entry = AuditEntry.objects.get(action="kb.proposal.approve")
    assert entry.data == {
        "proposal": p.pk,
        "language": "ja",
        "text": "荷物いまどこ？",
        "edited": False,
        "added": True,
    }


def test_approve_with_the_leads_edit(lead, brand):
    a = article(lead, brand)
    p = propose(a, "あの、荷物って  いまどこにありますか？？ 急ぎです")
    proposals.approve(lead, p.pk, "  荷物は今どこ？ ")
    assert phrasings(a) == ["荷物の追跡", "荷物は今どこ？"]
    p.refresh_from_db()
    assert p.status == ProposalStatus.APPROVED
    assert p.text.startswith("あの、")  # the customer's words are kept in the queue
    assert p.approved_text == "荷物は今どこ？"  # and what the lead added, next to them
    assert AuditEntry.objects.get(action="kb.proposal.approve").data["edited"] is True


def test_a_question_the_article_already_has_is_approved_without_adding_twice(lead, brand):
    a = article(lead, brand, phrasings=["荷物の追跡", "Where is my parcel"])
    versions = ArticleVersion.objects.count()
    first = propose(a, "ｗｈｅｒｅ  IS my parcel")  # full width, case and spaces differ
    title = propose(a, "配送状況の確認方法")
    proposals.approve(lead, first.pk)
    proposals.approve(lead, title.pk)
    assert phrasings(a) == ["荷物の追跡", "Where is my parcel"]
    assert ArticleVersion.objects.count() == versions
    first.refresh_from_db()
    assert first.status == ProposalStatus.APPROVED
    assert AuditEntry.objects.filter(action="kb.proposal.approve", data__added=False).count() == 2


def test_no_text_in_the_proposals_language_is_a_conflict_and_changes_nothing(lead, brand):
    a = article(lead, brand)
    p = propose(a, "where is my parcel", language="en")
    with pytest.raises(Conflict) as caught:
        proposals.approve(lead, p.pk)
    assert caught.value.code == "no_translation_in_language" and caught.value.status == 409
    p.refresh_from_db()
    assert p.status == ProposalStatus.PENDING and p.decided_at is None
    assert not AuditEntry.objects.filter(action__startswith="kb.proposal").exists()


def test_decided_proposals_answer_409(lead, brand):
    a = article(lead, brand)
    done = propose(a, "荷物いまどこ")
    proposals.reject(lead, done.pk)
    for call in (lambda: proposals.approve(lead, done.pk), lambda: proposals.reject(lead, done.pk)):
        with pytest.raises(Conflict) as caught:
            call()
        assert caught.value.code == "proposal_decided" and caught.value.status == 409
    assert phrasings(a) == ["荷物の追跡"]


def test_reject_keeps_the_phrasings_and_is_audited(lead, brand):
    a = article(lead, brand)
    p = propose(a, "店長の名前は？")
    versions = ArticleVersion.objects.count()
    proposals.reject(lead, p.pk)
    p.refresh_from_db()
    assert (p.status, p.decided_by) == (ProposalStatus.REJECTED, lead)
    assert phrasings(a) == ["荷物の追跡"] and ArticleVersion.objects.count() == versions
    entry = AuditEntry.objects.get(action="kb.proposal.reject")
    assert entry.target_id == str(a.pk) and entry.data["text"] == "店長の名前は？"


@pytest.mark.parametrize(
    ("text", "code"),
    [("   ", "text_required"), ("長" * 201, "phrasing_too_long")],
)
def test_edited_text_is_checked(lead, brand, text, code):
    a = article(lead, brand)
    p = propose(a, "荷物いまどこ")
    with pytest.raises(ValidationFailed) as caught:
        proposals.approve(lead, p.pk, text)
    assert caught.value.code == code
    p.refresh_from_db()
    assert p.status == ProposalStatus.PENDING and phrasings(a) == ["荷物の追跡"]


def test_a_full_article_refuses_one_more_phrasing(lead, brand):
    a = article(lead, brand, phrasings=[f"言い方{i}" for i in range(30)])
    p = propose(a, "荷物いまどこ")
    with pytest.raises(ValidationFailed) as caught:
        proposals.approve(lead, p.pk)
    assert caught.value.code == "too_many_phrasings"
    p.refresh_from_db()
    assert p.status == ProposalStatus.PENDING


@pytest.mark.parametrize("role", ["agent", "outsourced", "viewer"])
def test_only_editors_decide(lead, brand, make_agent, role):
    a = article(lead, brand)
    p = propose(a, "荷物いまどこ")
    other = make_agent(role)
    for call in (
        lambda: proposals.approve(other, p.pk),
        lambda: proposals.reject(other, p.pk),
        lambda: proposals.move(other, p.pk, a.pk),
        lambda: proposals.bulk_decide(other, [p.pk], "approved"),
    ):
        with pytest.raises(Forbidden):
            call()
    assert proposals.pending_count(other) == 0
    p.refresh_from_db()
    assert p.status == ProposalStatus.PENDING


def test_unknown_ids_are_not_found(lead, brand):
    with pytest.raises(NotFound) as caught:
        proposals.approve(lead, 999_999)
    assert caught.value.code == "proposal_not_found"
    with pytest.raises(NotFound):
        proposals.reject(lead, 999_999)


def test_move_to_another_article_of_the_same_brand(lead, brand):
    tracking = article(lead, brand)
    cancel = article(lead, brand, title="ご注文のキャンセル方法", phrasings=["注文を取り消したい"])
    p = propose(tracking, "間違えてポチったのを取り消したい")
    proposals.move(lead, p.pk, cancel.pk)
    p.refresh_from_db()
    assert p.article == cancel and p.status == ProposalStatus.PENDING
    assert AuditEntry.objects.get(action="kb.proposal.move").data["from"] == tracking.pk
    proposals.approve(lead, p.pk)
    assert "間違えてポチったのを取り消したい" in phrasings(cancel)
    assert phrasings(tracking) == ["荷物の追跡"]


def test_move_refusals(lead, brand):
    tracking = article(lead, brand)
    cancel = article(lead, brand, title="ご注文のキャンセル方法", phrasings=[])
    elsewhere = article(lead, Brand.objects.create(name="別店", slug="other-shop"), title="別")
    p = propose(tracking, "取り消したい")
    with pytest.raises(ValidationFailed) as caught:
        proposals.move(lead, p.pk, elsewhere.pk)
    assert caught.value.code == "invalid_article"
    with pytest.raises(ValidationFailed):
        proposals.move(lead, p.pk, 999_999)
    propose(cancel, "取り消したい")
    with pytest.raises(Conflict) as conflict:
        proposals.move(lead, p.pk, cancel.pk)
    assert conflict.value.code == "proposal_exists"
    p.refresh_from_db()
    assert p.article == tracking


def test_move_and_approve_is_all_or_nothing(lead, brand):
    tracking = article(lead, brand)
    english = article(lead, brand, title="Cancelling an order", phrasings=[], language="en")
    p = propose(tracking, "注文を取り消したい")
    with pytest.raises(Conflict):
        proposals.move(lead, p.pk, english.pk, then_approve=True)
    p.refresh_from_db()
    assert p.article == tracking and p.status == ProposalStatus.PENDING
    cancel = article(lead, brand, title="ご注文のキャンセル方法", phrasings=[])
    proposals.move(lead, p.pk, cancel.pk, then_approve=True)
    p.refresh_from_db()
    assert p.article == cancel and p.status == ProposalStatus.APPROVED
    assert phrasings(cancel) == ["注文を取り消したい"]


def test_bulk_decides_each_one_and_reports_the_rest(lead, brand):
    a = article(lead, brand)
    one, two = propose(a, "荷物いまどこ"), propose(a, "まだ届かない")
    decided = propose(a, "追跡番号どこ")
    proposals.reject(lead, decided.pk)
    english = propose(a, "where is my parcel", language="en")
    result = proposals.bulk_decide(
        lead, [str(one.pk), two.pk, decided.pk, english.pk, one.pk], "approved"
    )
    assert result.done == [one.pk, two.pk]
    assert result.skipped == [decided.pk]
    assert list(result.failed) == [english.pk]
    assert phrasings(a) == ["荷物の追跡", "荷物いまどこ", "まだ届かない"]
    english.refresh_from_db()
    assert english.status == ProposalStatus.PENDING


def test_bulk_reject_and_bad_selections(lead, brand):
    a = article(lead, brand)
    one, two = propose(a, "荷物いまどこ"), propose(a, "まだ届かない")
    with pytest.raises(NotFound):
        proposals.bulk_decide(lead, [one.pk, 999_999], "rejected")
    assert PhrasingProposal.objects.filter(status=ProposalStatus.PENDING).count() == 2
    for ids, decision, code in (
        ([], "rejected", "nothing_selected"),
        (["x"], "rejected", "invalid_ids"),
        ([one.pk], "maybe", "invalid_decision"),
        (list(range(1, 202)), "rejected", "too_many_selected"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            proposals.bulk_decide(lead, ids, decision)
        assert caught.value.code == code
    result = proposals.bulk_decide(lead, [one.pk, two.pk], "rejected")
    assert result.done == [one.pk, two.pk]
    assert set(PhrasingProposal.objects.values_list("status", flat=True)) == {"rejected"}


def test_pending_count(lead, brand, admin):
    a = article(lead, brand)
    propose(a, "荷物いまどこ")
    propose(a, "まだ届かない")
    proposals.reject(lead, propose(a, "追跡番号どこ").pk)
    assert proposals.pending_count(lead) == 2 and proposals.pending_count(admin) == 2
    assert proposals.pending_count(None) == 0


def test_an_approved_question_finds_its_article(lead, brand, keyword_only):
    tracking = article(lead, brand)
    article(lead, brand, title="ポイントの使い方", phrasings=["ポイント使いたい"])
    query = "ブツが行方不明"
    before = search_articles(brand_id=brand.pk, query=query).hits
    assert tracking.pk not in [h.article_id for h in before]
    proposals.approve(lead, propose(tracking, query).pk)
    hits = search_articles(brand_id=brand.pk, query=query).hits
    assert hits[0].article_id == tracking.pk
