"""「FAQの不足」: unanswered questions cleaned, grouped into topics, with the closest article."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import numpy as np
import pytest
from django.core.cache import cache

from madoguchi.inboxes.ingest import ingest
from madoguchi.inboxes.messages import InboundMessage, SenderHandle
from madoguchi.knowledge import gap_groups, gaps
from madoguchi.knowledge.engine.embedder import UnavailableEmbedder, get_embedder, use_embedder
from madoguchi.knowledge.engine.store import forget
from madoguchi.knowledge.gap_text import clean_question, nouns, ticket_question
from madoguchi.knowledge.models import ArticleUse, SearchSource
from madoguchi.knowledge.search_log import record_click, record_search
from madoguchi.knowledge.vectors import refresh_brand_vectors
from madoguchi.tickets.models import Ticket
from tests.knowledge.helpcenter_data import make_help_center

TOPICS = {
    "gift": ["ギフト券は使えますか", "ギフトカードで支払いできる？", "商品券って使える？",
             "ギフト券 使い方"],
    "invoice": ["会社で請求書払いにしたい", "法人なので請求書で後払いできますか",
                "法人 請求書払い", "会社名義で月末締めの請求書にしてほしい"],
    "preorder": ["予約商品はいつ発送されますか", "予約した商品いつ届く", "予約商品の発送日",
                 "予約品 発送時期"],
}  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    cache.clear()
    forget(everything=True)
    yield
    cache.clear()
    forget(everything=True)


@pytest.fixture
def keyword_only() -> Iterator[None]:
    previous = use_embedder(UnavailableEmbedder())
    yield
    use_embedder(previous)


def test_cleaning_drops_greetings_personal_data_and_order_numbers():
    text = (
        "いつもお世話になっております。山田です。\n注文番号 A-123456 の件で、"
        "ギフト券は使えますか？ taro@example.jp 090-1234-5678 よろしくお願いいたします。"
    )
    cleaned = clean_question(text)
    assert cleaned == "ギフト券は使えますか?"
    for gone in ("世話", "山田", "123456", "example", "090", "よろしく"):
        assert gone not in cleaned
    assert clean_question("こんにちは！") == ""
    assert clean_question("ORD-2026-00042 キャンセルしたい https://shop.example/x") == (
        "キャンセルしたい"
    )


def test_ticket_question_prefers_a_specific_subject_else_the_opening():
    body = (
        "ひなた雑貨店 ご担当者様\n以前も購入させていただいた村田です\n"
        "予約した商品はいつ発送されますか。発売日に届くと嬉しいです。\n--\n村田 090-1111-2222"
    )
    assert ticket_question("Re: お問い合わせ", body) == (
        "予約した商品はいつ発送されますか 発売日に届くと嬉しいです"
    )
    assert ticket_question("不良品が届きました", body) == "不良品が届きました"
    assert nouns("予約商品の発送時期") == ("予約", "商品", "発送", "時期")


def test_paraphrases_group_together_and_topics_stay_apart():
    embedder = get_embedder()
    assert embedder.available()
    texts = [t for group in TOPICS.values() for t in group]
    label = {t: name for name, group in TOPICS.items() for t in group}
    questions = [gap_groups.Question(t, searches=1) for t in texts]
    raw = gap_groups.embed(embedder, texts)
    background = gap_groups.embed(embedder, list(gap_groups.BACKGROUND))
    groups = gap_groups.group_by_vectors(questions, gap_groups.centred(raw, background))
    topics_of = [{label[texts[i]] for i in group} for group in groups]
    assert all(len(t) == 1 for t in topics_of), topics_of  # no group mixes topics
    biggest = {next(iter(t)): len(g) for t, g in zip(topics_of, groups, strict=True)}
    assert all(biggest[name] >= 3 for name in TOPICS), biggest  # paraphrases together
    # deterministic
    again = gap_groups.group_by_vectors(questions, gap_groups.centred(raw, background))
    assert again == groups


def test_grouping_is_fast_for_thousands_of_questions():
    rng = np.random.default_rng(5)
    centres = rng.normal(size=(40, 384)).astype(np.float32)
    x = centres[rng.integers(0, 40, size=3000)] + 0.6 * rng.normal(size=(3000, 384))
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    questions = [gap_groups.Question(f"q{i}", searches=1) for i in range(3000)]
    started = time.monotonic()
    groups = gap_groups.group_by_vectors(questions, x)
    assert time.monotonic() - started < 1.5
    assert 30 <= len(groups) <= 60


def _ticket(inboxes, subject: str, body: str) -> Ticket:  # type: ignore[no-untyped-def]
    result = ingest(
        InboundMessage(
            inbox_id=inboxes["form"].pk,
            external_id=f"t-{uuid.uuid4()}",
            sender=SenderHandle("email", f"{uuid.uuid4().hex[:8]}@example.jp"),
            sender_name="客",
            subject=subject,
            body_text=body,
        )
    )
    return Ticket.objects.get(pk=result.ticket_id)


@pytest.fixture
def shop(brand, inboxes):  # type: ignore[no-untyped-def]
    kb = make_help_center(brand)
    refresh_brand_vectors(brand.pk)
    b = brand.pk
    for group in TOPICS.values():
        for text in group:
            record_search(brand_id=b, source=SearchSource.HELP_CENTER, query=text, shown=[])
    # answered and opened: not a gap
    row = record_search(brand_id=b, source="widget", query="荷物いまどこ", shown=[kb.tracking.pk])
    record_click(row.pk, kb.tracking.pk)
    # the agent's own searches are not customers' questions
    record_search(brand_id=b, source=SearchSource.AGENT, query="ギフト券", shown=[])
    gift = _ticket(inboxes, "ギフト券について", "お世話になっております。ギフト券は使えますか。")
    _ticket(inboxes, "配送状況の確認方法", "注文した荷物の配送状況を確認したいです。")  # answered
    used = _ticket(inboxes, "商品券の使い方", "商品券は使えますか")
    ArticleUse.objects.create(
        article=kb.tracking, ticket=used, kind="link", created_at=used.created_at
    )
    spam = _ticket(inboxes, "ギフト券プレゼント", "ギフト券が当たりました")
    Ticket.objects.filter(pk=spam.pk).update(is_spam=True)
    return kb, gift


@pytest.mark.django_db
def test_report_on_searches_and_tickets(shop):
    kb, gift = shop
    report = gaps.build_report(kb.brand.pk, 30)
    assert not report.degraded
    assert report.searches == 12
    assert report.tickets == 1 and report.tickets_answered == 1
    sizes = [t.size for t in report.topics]
    assert sizes == sorted(sizes, reverse=True)
    by_label = {t.label: t for t in report.topics}
    gift_topic = next(t for t in report.topics if "ギフト" in t.label or "商品券" in t.label)
    assert gift_topic.tickets == 1 and gift_topic.searches >= 3
    assert any((gift.pk, gift.number) in q.tickets for q in gift_topic.examples)
    assert "ギフト" in gift_topic.keywords or "券" in gift_topic.keywords
    assert gift_topic.near is None  # no article is about gift certificates
    all_text = " ".join(q.text for t in report.topics for q in t.examples)
    assert "荷物いまどこ" not in all_text and "当たりました" not in all_text
    assert len(by_label) == len(report.topics)
    # cached per brand and period
    first = gaps.gap_report(kb.brand.pk, 30)
    assert gaps.gap_report(kb.brand.pk, 30) is first or gaps.gap_report(kb.brand.pk, 30) == first


@pytest.mark.django_db
def test_a_topic_close_to_an_article_names_it(brand, inboxes):
    kb = make_help_center(brand)
    refresh_brand_vectors(brand.pk)
    for text in ("荷物いまどこ", "荷物がまだ来ない", "配送状況を知りたい"):
        record_search(brand_id=brand.pk, source="help_center", query=text, shown=[kb.tracking.pk])
    report = gaps.build_report(brand.pk, 7)
    assert report.topics and report.topics[0].near is not None
    assert report.topics[0].near.article_id == kb.tracking.pk


@pytest.mark.django_db
def test_degraded_mode_groups_by_shared_nouns(shop, keyword_only):
    kb, _gift = shop
    report = gaps.build_report(kb.brand.pk, 30)
    assert report.degraded
    assert report.topics
    for topic in report.topics:
        words = [set(nouns(q.text)) for q in topic.examples]
        assert all(w & words[0] for w in words), topic  # every example shares a noun
