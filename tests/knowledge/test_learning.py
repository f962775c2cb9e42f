"""The learning loop: a customer's message cleaned into a question (greetings, quotes and
personal data out), article URLs found in replies, ArticleUse recorded once per reply and
article, and phrasing proposals deduplicated."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from madoguchi.inboxes.ingest import ingest
from madoguchi.inboxes.messages import InboundMessage, SenderHandle
from madoguchi.knowledge.learning import (
    linked_article_ids,
    propose_phrasing,
    record_reply_articles,
)
from madoguchi.knowledge.models import ArticleUse, PhrasingProposal, ProposalStatus
from madoguchi.knowledge.questions import (
    clean_question,
    detect_language,
    normalize_phrasing,
)
from madoguchi.tickets.actions import do_reply
from madoguchi.tickets.models import Message, Ticket

from .helpcenter_data import HelpCenter, make_help_center

# ---- cleaning (pure) -------------------------------------------------------------------


def test_japanese_greetings_and_sign_offs_are_dropped() -> None:
    text = (
        "いつもお世話になっております。\n"
        "お忙しいところ恐れ入りますが、注文した商品がまだ届きません。いつ頃届きますか？\n"
        "お手数ですがご確認のほどよろしくお願いいたします。\n"
        "何卒よろしくお願い申し上げます。"
    )
    assert clean_question(text) == "注文した商品がまだ届きません。いつ頃届きますか？"
    assert clean_question("お世話になります。引き続きよろしくお願いいたします。") == ""
    assert clean_question("ありがとうございました。承知しました。") == ""


def test_personal_data_never_reaches_the_question() -> None:
    text = (
        "ひなた暮らし ご担当者様\n\n山田太郎と申します。\n"
        "注文番号HK-20261128-0032で11月28日に注文した商品を返品したいです。\n"
        "電話番号は090-1234-5678です。住所は〒150-0001 東京都渋谷区神宮前1-2-3です。\n"
        "連絡先: taro.yamada@example.jp / https://example.jp/mypage\n"
        "よろしくお願いいたします。\n\n--\n山田 太郎\nTEL 03-1234-5678"
    )
    question = clean_question(text, names=["山田 太郎"])
    assert question == "注文した商品を返品したいです。"
    for secret in ("HK-", "090", "150", "渋谷", "taro", "example", "山田", "太郎", "28"):
        assert secret not in question


def test_removed_details_leave_no_dangling_words() -> None:
    mail = (
        "お世話になっております。ご注文番号HN-2026-1106の発送メールが届きましたが、"
        "まだ商品が届きません。以上、よろしくお願いいたします。"
    )
    assert clean_question(mail) == "発送メールが届きましたが、まだ商品が届きません。"
    assert clean_question("配達日を12月5日にずらせますか？") == "配達日をずらせますか？"
    assert clean_question("注文No.10026の発送メールが届きません") == "発送メールが届きません"
    # names spelled unlike the customer record, places without numbers, unlabelled codes
    assert (
        clean_question("やまだです。注文したTシャツが届きません。")
        == "注文したTシャツが届きません。"
    )
    assert clean_question("私の名前は佐藤花子です。返品したいです") == "返品したいです"
    assert "Smith" not in clean_question("My name is John Smith and I want to return my order")
    assert "港区" not in clean_question("東京都港区六本木一丁目に住んでいますが、配送できますか")
    assert "1234" not in clean_question("注文ABC1234の商品がまだ届かないのですが")
    assert clean_question("東京都内に配送できますか") == "東京都内に配送できますか"
    # a phone number is not read as a postal code; a question ending in a URL is kept
    assert clean_question("090-1234-5678 山田です。返品したい", names=["山田"]) == "返品したい"
    assert clean_question("ORD-2026-00042 キャンセルしたい https://shop.example/x") == (
        "キャンセルしたい"
    )


def test_quoted_mail_and_english_greetings() -> None:
    text = (
        "Hi there,\nI ordered a mug (order #123456) and it arrived broken. "
        "Can I get a replacement?\nThanks in advance!\nBest regards,\nJohn Smith\n\n"
        "On Mon, Dec 1, 2026 at 10:00 AM Shop <info@shop.test> wrote:\n> Thank you for your order"
    )
    assert clean_question(text, names=["John Smith"]) == (
        "I ordered a mug and it arrived broken. Can I get a replacement?"
    )
    quoted = (
        "2026年12月1日 10:00 ショップ <info@shop.test>:\n> 前回のご案内\n\nポイントの有効期限は？"
    )
    assert clean_question(quoted) == "ポイントの有効期限は？"


def test_cut_at_a_sentence_boundary_and_too_short_is_nothing() -> None:
    long = (
        "配送先を変更したいです。" + "届く日時も指定したいのですが、" * 3 + "可能でしょうか。" * 8
    )
    question = clean_question(long)
    assert len(question) <= 120 and question.startswith("配送先を変更したいです。")
    assert not question.endswith("、")
    assert clean_question("返品したい") == "返品したい"
    assert clean_question("はい。") == ""
    assert clean_question("ok thanks") == ""
    assert clean_question("090-1234-5678") == ""


def test_language_and_normalization() -> None:
    assert detect_language("返品したい") == "ja"
    assert detect_language("ﾍﾝﾋﾟﾝ") == "ja"
    assert detect_language("Where is my parcel?") == "en"
    assert normalize_phrasing("返品 したい？") == normalize_phrasing("返品したい")
    assert normalize_phrasing("Ｒｅｔｕｒｎ  ITEM!") == "returnitem"


def test_help_center_links_of_the_brand_are_found() -> None:
    body = (
        f"こちらをご覧ください: {settings.PUBLIC_URL}/help/test-shop/a/12/ と\n"
        "https://help.example.jp/help/test-shop/en/a/7/、"
        "https://x.example/help/other-shop/a/99/ と https://help.example.jp/help/test-shop/a/12/#top"
        " と /help/test-shop/a/5/"
    )
    assert linked_article_ids(body, "test-shop") == [12, 7]
    assert linked_article_ids(body, "other-shop") == [99]
    assert linked_article_ids("no links", "test-shop") == []


# ---- recording on the database ------------------------------------------------------------

QUESTION = (
    "お世話になっております。\n注文番号HK-1234-5678の荷物がまだ届きません。今どこにありますか？\n"
    "よろしくお願いいたします。"
)


@pytest.fixture
def center(brand) -> HelpCenter:  # type: ignore[no-untyped-def]
    return make_help_center(brand)


def _ticket(inboxes, body: str = QUESTION) -> Ticket:  # type: ignore[no-untyped-def]
    result = ingest(
        InboundMessage(
            inbox_id=inboxes["email"].pk, external_id=f"t-{uuid.uuid4()}",
            sender=SenderHandle("email", "taro@example.jp"), sender_name="山田 太郎",
            subject="荷物について", body_text=body,
        )
    )  # fmt: skip
    return Ticket.objects.select_related("brand", "customer").get(pk=result.ticket_id)


def _link(article_id: int) -> str:
    return f"{settings.PUBLIC_URL}/help/test-shop/a/{article_id}/"


def test_reply_with_a_link_records_the_use_and_proposes_the_question(
    center: HelpCenter, inboxes, agent
) -> None:  # type: ignore[no-untyped-def]
    ticket = _ticket(inboxes)
    body = f"配送状況の確認方法\n{_link(center.tracking.pk)}\nご確認ください。"
    reply = do_reply(agent, ticket.pk, body)
    uses = record_reply_articles(
        agent=agent, ticket=ticket, message=reply, article_ids=[center.tracking.pk], body=body
    )
    assert [(u.article_id, u.kind, u.message_id, u.agent_id) for u in uses] == [
        (center.tracking.pk, "link", reply.pk, agent.pk)
    ]
    proposal = PhrasingProposal.objects.get()
    assert proposal.article_id == center.tracking.pk
    assert proposal.text == "荷物がまだ届きません。今どこにありますか？"
    assert proposal.language == "ja" and proposal.status == ProposalStatus.PENDING
    customer_message = Message.objects.get(ticket=ticket, direction="in")
    assert proposal.source_message_id == customer_message.pk
    assert proposal.ticket_id == ticket.pk and proposal.proposed_by_id == agent.pk
    # idempotent: the same reply recorded again changes nothing
    again = record_reply_articles(
        agent=agent, ticket=ticket, message=reply, article_ids=[center.tracking.pk], body=body
    )
    assert [u.pk for u in again] == [u.pk for u in uses]
    assert ArticleUse.objects.count() == 1 and PhrasingProposal.objects.count() == 1


def test_inserted_text_counts_only_while_it_is_in_the_reply(
    center: HelpCenter, inboxes, agent
) -> None:  # type: ignore[no-untyped-def]
    ticket = _ticket(inboxes)
    body = "確認いたしました。\nご注文から通常2〜4営業日でお届けします。"
    reply = do_reply(agent, ticket.pk, body)
    uses = record_reply_articles(
        agent=agent, ticket=ticket, message=reply,
        article_ids=[center.days.pk, center.double_order.pk], body=body,
    )  # fmt: skip
    # double_order was inserted, then deleted from the reply: it does not count
    assert [(u.article_id, u.kind) for u in uses] == [(center.days.pk, "text")]


def test_wrong_brand_drafts_and_unknown_articles_are_ignored(
    center: HelpCenter, inboxes, agent
) -> None:  # type: ignore[no-untyped-def]
    ticket = _ticket(inboxes)
    body = (
        f"{settings.PUBLIC_URL}/help/other-shop/a/{center.other_brand.pk}/\n"
        f"{_link(center.draft.pk)}\n{_link(999999)}\n他店の記事です。まだ公開前です。"
    )
    reply = do_reply(agent, ticket.pk, body)
    ids = [center.other_brand.pk, center.draft.pk, 999999, "x", -3]
    assert (
        record_reply_articles(agent=agent, ticket=ticket, message=reply, article_ids=ids, body=body)
        == []
    )
    assert not ArticleUse.objects.exists() and not PhrasingProposal.objects.exists()


def test_internal_notes_do_not_count(center: HelpCenter, inboxes, agent) -> None:  # type: ignore[no-untyped-def]
    ticket = _ticket(inboxes)
    body = _link(center.tracking.pk)
    note = do_reply(agent, ticket.pk, body, internal=True)
    assert (
        record_reply_articles(
            agent=agent, ticket=ticket, message=note, article_ids=[center.tracking.pk], body=body
        )
        == []
    )
    assert not ArticleUse.objects.exists() and not PhrasingProposal.objects.exists()


def test_internal_manuals_count_as_text(center: HelpCenter, inboxes, agent) -> None:  # type: ignore[no-untyped-def]
    ticket = _ticket(inboxes)
    body = "担当者向けの手順です。"
    reply = do_reply(agent, ticket.pk, body)
    uses = record_reply_articles(
        agent=agent, ticket=ticket, message=reply, article_ids=[center.internal.pk], body=body
    )
    assert [(u.article_id, u.kind) for u in uses] == [(center.internal.pk, "text")]


def test_outsourced_agent_outside_the_brand_records_nothing(
    center: HelpCenter, inboxes, make_agent
) -> None:  # type: ignore[no-untyped-def]
    from madoguchi.accounts.models import Team

    outsider = make_agent("outsourced")
    team = Team.objects.create(name="外部チーム")
    outsider.teams.add(team)
    ticket = _ticket(inboxes)
    Ticket.objects.filter(pk=ticket.pk).update(team=team)  # visible through the team only
    body = _link(center.tracking.pk)
    reply = do_reply(outsider, ticket.pk, body)
    assert (
        record_reply_articles(
            agent=outsider, ticket=ticket, message=reply, article_ids=[], body=body
        )
        == []
    )
    inboxes["email"].granted_agents.add(outsider)  # now they work the brand
    uses = record_reply_articles(
        agent=outsider, ticket=ticket, message=reply, article_ids=[], body=body
    )
    assert [u.article_id for u in uses] == [center.tracking.pk]


def test_proposals_are_deduplicated(center: HelpCenter, inboxes, agent) -> None:  # type: ignore[no-untyped-def]
    tracking = center.tracking
    first = propose_phrasing(article=tracking, text="荷物がまだ届きません。今どこ？", agent=agent)
    assert first is not None and first.text == "荷物がまだ届きません。今どこ？"
    # the same question in other spacing / width / punctuation
    assert propose_phrasing(article=tracking, text="荷物が まだ届きません!今どこ?") is None
    first.status = ProposalStatus.REJECTED
    first.save()
    assert propose_phrasing(article=tracking, text="荷物がまだ届きません。今どこ？") is None
    # already a phrasing or the title of the article
    assert propose_phrasing(article=tracking, text="荷物いまどこ") is None
    assert propose_phrasing(article=tracking, text="配送状況の確認方法。") is None
    # English question: the article has an English translation; `days` has none
    english = propose_phrasing(article=tracking, text="Hello,\nWhere is my parcel now?\nThanks")
    assert english is not None and (english.language, english.text) == (
        "en",
        "Where is my parcel now?",
    )
    assert propose_phrasing(article=center.days, text="When will my parcel arrive?") is None
    assert PhrasingProposal.objects.count() == 2


def test_a_second_ticket_with_the_same_question_adds_no_proposal(
    center: HelpCenter, inboxes, agent
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        ticket = _ticket(inboxes)
        body = _link(center.tracking.pk)
        reply = do_reply(agent, ticket.pk, body)
        record_reply_articles(agent=agent, ticket=ticket, message=reply, article_ids=[], body=body)
    assert ArticleUse.objects.count() == 2
    assert PhrasingProposal.objects.count() == 1
