"""A few weeks of help-center searches for the demo shops, so the analytics and the
「FAQの不足」 report have something true to show.

Customers type the way they really do: most questions are answered by the shop's FAQ
(faq/*.jsonl) in other words than its titles; some recurring topics are not in the FAQ at
all (gift certificates, invoice payment for companies, pre-order shipping dates, stock in
the shop, points, overseas shipping …). Every search runs through the real engine (what
was shown is what the search returns today) and is logged through search_log like a real
one; clicks only go to articles that search showed. Customers open an answer to a covered
question most of the time and rarely open anything for a question the FAQ lacks. Contact-form
visits (ContactDeflection) are made from the same searches; the ones that ended in a
ticket are linked to the shop's real contact-form tickets of the period.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from madoguchi.accounts.models import Brand
from madoguchi.inboxes.models import Inbox, InboxKind
from madoguchi.knowledge.confidence import answers
from madoguchi.knowledge.models import ContactDeflection, SearchLog, SearchSource
from madoguchi.knowledge.queries import public_search
from madoguchi.knowledge.search_log import record_click, record_search
from madoguchi.tickets.models import Ticket

DAYS = 42
RESULTS = 5
# How often a reader opens a result: questions the FAQ answers vs questions it lacks.
CLICK_ANSWERED = 0.78
CLICK_GAP = 0.12

# Questions the shop's FAQ answers, as customers type them (each asked 1–6 times).
ANSWERED: dict[str, tuple[str, ...]] = {
    "hinata-zakka": (
        "荷物いまどこ",
        "注文したのにまだ届かない",
        "配送状況 確認",
        "いつ届きますか",
        "発送メールこない",
        "発送予定日過ぎてる",
        "配達完了なのに届いてない",
        "置き配 ない",
        "日時指定したい",
        "届く日変えたい",
        "送料いくら",
        "送料無料 いくらから",
        "住所間違えた",
        "引っ越したので届け先変更",
        "キャンセルしたい",
        "注文取り消し",
        "間違えて2回注文しちゃった",
        "個数へらしたい",
        "注文確認メール来ない",
        "FAXで注文",
        "支払い方法",
        "後払いできる？",
        "カード エラー",
        "決済できない",
        "コンビニ払い 期限切れ",
        "二重引き落とし",
        "領収書ほしい",
        "インボイス 登録番号",
        "返品したい",
        "イメージと違うので返したい",
        "返金いつ",
        "お金まだ戻ってこない",
        "サイズ交換",
        "大きすぎた 交換",
        "不良品",
        "傷があった",
        "違う色が届いた",
        "一個足りない",
        "サイズ感",
        "リネン 洗濯機",
        "縮む？",
        "革財布 手入れ",
        "マグ 食洗機",
        "ディフューザー 動かない",
        "ミスト出ない",
        "再入荷いつ",
        "売り切れ 入荷予定",
        "パスワード忘れた",
        "ログインできない",
        "メアド変更",
        "メルマガ止めたい",
        "退会",
        "ラッピングできますか",
        "のし",
        "プレゼント用に包んで",
        "内祝い 複数の送り先",
        "where is my order",
        "shipping cost",
        "return an item",
    ),
    "maruya-kitchen": (
        "荷物いつ届く",
        "追跡番号",
        "まだ届かない",
        "発送遅れてる",
        "不在票入ってた",
        "再配達",
        "配達日指定",
        "時間指定できる？",
        "送料いくら",
        "割れ物 梱包",
        "キャンセルしたい",
        "数量変更",
        "届け先変更",
        "FAX注文",
        "電話で注文したい",
        "代引きできる？",
        "支払い方法",
        "領収書",
        "インボイス対応",
        "返品したい",
        "返金まだ",
        "土鍋にヒビ",
        "器が割れて届いた",
        "錆びてる",
        "賞味期限",
        "出汁パック 原材料",
        "アレルギー",
        "出汁の取り方",
        "何分煮出す",
        "鉄瓶 使い始め",
        "急須 錆",
        "IH使える？",
        "食洗機OK?",
        "レンジ大丈夫",
        "土鍋 目止め",
        "おかゆ 目止め",
        "有田焼 洗い方",
        "包丁 切れない",
        "包丁 研ぎ直し",
        "まな板 黒ずみ",
        "曲げわっぱ におい",
        "名入れできる？",
        "刻印",
        "ログインできない",
        "パスワード忘れた",
        "メルマガ解除",
        "退会方法",
        "のし 内祝い",
        "贈り物 包装",
        "is it dishwasher safe",
        "where is my parcel",
    ),
}

# Recurring questions the FAQ does not answer: (topic, phrasings, how often per phrasing).
GAPS: dict[str, tuple[tuple[str, tuple[str, ...], int], ...]] = {
    "hinata-zakka": (
        (
            "gift-card",
            (
                "ギフト券使えますか",
                "ギフトカードで払いたい",
                "商品券って使える？",
                "ギフト券 使い方",
                "ギフトカード 購入したい",
                "友達にギフト券を贈りたい",
            ),
            4,
        ),
        (
            "invoice-company",
            (
                "法人 請求書払い",
                "会社で請求書払いにしたい",
                "請求書で後払い 法人",
                "会社名義で月末締めの請求書にしてほしい",
                "掛け払いできますか",
                "法人注文 支払い",
            ),
            3,
        ),
        (
            "pre-order",
            (
                "予約商品いつ発送",
                "予約した商品いつ届く",
                "予約注文と普通の商品を一緒に頼んだら",
                "予約品 発送時期",
                "予約商品の発売日に届く？",
            ),
            4,
        ),
        (
            "shop-stock",
            (
                "お店に在庫ある？",
                "店舗で取り置きできますか",
                "実店舗で受け取りたい",
                "店頭在庫 確認",
                "お店で取り置き",
                "店舗受け取り",
            ),
            3,
        ),
        (
            "points",
            (
                "ポイントの有効期限",
                "ポイント使えない",
                "ポイントいつ付く",
                "貯まったポイントの使い方",
                "ポイント 失効",
            ),
            3,
        ),
        ("overseas", ("海外発送できますか", "海外に送れる？", "do you ship overseas"), 2),
    ),
    "maruya-kitchen": (
        (
            "business-order",
            (
                "業務用 まとめ買い",
                "飲食店ですが大量注文できますか",
                "法人 請求書払い",
                "業務用 割引",
                "お店で使うので20個ほしい",
            ),
            3,
        ),
        (
            "subscription",
            (
                "出汁パック 定期便",
                "定期購入できますか",
                "毎月届けてほしい",
                "定期便 解約",
                "定期便 お届け間隔",
            ),
            4,
        ),
        ("overseas", ("海外発送", "海外にも送れますか", "アメリカに送りたい", "ship to USA"), 3),
        ("gift-card", ("カタログギフト", "ギフト券ありますか", "商品券 使える？"), 3),
        (
            "workshop",
            (
                "お店に行けますか",
                "実店舗の場所",
                "松本のお店 営業時間",
                "工房見学できる？",
            ),
            2,
        ),
    ),
}

SOURCES = (
    (SearchSource.HELP_CENTER, 0.62),
    (SearchSource.WIDGET, 0.23),
    (SearchSource.CONTACT_FORM, 0.15),
)


def _source(rng: random.Random) -> str:
    roll = rng.random()
    for source, share in SOURCES:
        if roll < share:
            return source
        roll -= share
    return SearchSource.HELP_CENTER


def _intents(brand: Brand, rng: random.Random) -> list[tuple[str, bool]]:
    """(question, the FAQ answers it) for every search intent of the period."""
    intents = [(q, True) for q in ANSWERED.get(brand.slug, ()) for _n in range(rng.randint(1, 6))]
    for _topic, phrasings, often in GAPS.get(brand.slug, ()):
        for text in phrasings:
            intents += [(text, False)] * rng.randint(1, often)
    rng.shuffle(intents)
    return intents


def _backdate(row: SearchLog, at: datetime, clicked: bool) -> None:
    # created_at/updated_at/clicked_at are stamped with the current time by search_log;
    # the demo's own rows are moved into the past.
    fields: dict[str, object] = {"created_at": at, "updated_at": at}
    if clicked:
        fields["clicked_at"] = at + timedelta(seconds=8)
    SearchLog.objects.filter(pk=row.pk).update(**fields)


def seed_search_activity(brand: Brand, now: datetime, rng: random.Random) -> dict[str, int]:
    """Searches, clicks and contact-form visits of the last DAYS days; nothing if the brand
    has search history already, or no public article."""
    if SearchLog.objects.filter(brand=brand).exists():
        return {"searches": 0, "clicks": 0, "deflections": 0}
    language = brand.default_language or "ja"
    results: dict[str, tuple[list[int], bool]] = {}
    searches = clicks = 0
    visits: list[tuple[datetime, str, list[int], list[int]]] = []
    for text, answered in _intents(brand, rng):
        if text not in results:
            hits, _degraded = public_search(
                brand_id=brand.pk, query=text, language=None, limit=RESULTS
            )
            results[text] = (
                [h.hit.article_id for h in hits],
                answers(text, hits[0].hit if hits else None),
            )
        shown, found = results[text]
        source = _source(rng)
        row = record_search(
            brand_id=brand.pk,
            source=source,
            query=text,
            shown=shown,
            language="en" if text.isascii() else language,
            session=f"{rng.getrandbits(64):016x}",
            client=f"demo-{rng.getrandbits(64):016x}",
            answered=found,
        )
        if row is None:
            continue
        searches += 1
        at = now - timedelta(days=rng.uniform(0.05, DAYS), minutes=rng.uniform(0, 600))
        opened: list[int] = []
        if shown and rng.random() < (CLICK_ANSWERED if answered else CLICK_GAP):
            article_id = shown[0] if rng.random() < 0.8 else rng.choice(shown)
            if record_click(row.pk, article_id):
                clicks += 1
                opened = [article_id]
        _backdate(row, at, bool(opened))
        if source == SearchSource.CONTACT_FORM and shown:
            visits.append((at, text, shown, opened))
    deflections = _deflections(brand, visits, rng)
    return {"searches": searches, "clicks": clicks, "deflections": deflections}


def _deflections(
    brand: Brand, visits: list[tuple[datetime, str, list[int], list[int]]], rng: random.Random
) -> int:
    """One contact-form visit per contact-form search; visits without a click that ended in
    a ticket take one of the shop's real form tickets of that time."""
    inbox = Inbox.objects.filter(brand=brand, kind=InboxKind.FORM).order_by("pk").first()
    if inbox is None:
        return 0
    taken = set(
        ContactDeflection.objects.filter(ticket__isnull=False).values_list("ticket_id", flat=True)
    )
    tickets = [
        t
        for t in Ticket.objects.filter(inbox=inbox, is_spam=False).order_by("created_at", "pk")
        if t.pk not in taken
    ]
    created = 0
    for at, text, shown, opened in sorted(visits):
        ticket = None
        if not opened and tickets:
            # the form ticket written closest after this visit, if any within two days
            later = [t for t in tickets if at <= t.created_at <= at + timedelta(days=2)]
            ticket = later[0] if later else None
            if ticket is not None:
                tickets.remove(ticket)
                # what this customer typed into the form is their ticket's own question
                text = f"{ticket.subject} {ticket.preview}".strip()[:400]
                hits, _degraded = public_search(
                    brand_id=brand.pk, query=text, language=None, limit=RESULTS
                )
                shown = [h.hit.article_id for h in hits] or shown
        ContactDeflection.objects.create(
            inbox=inbox,
            brand=brand,
            token=f"demo-{rng.getrandbits(128):032x}",
            shown=shown[:RESULTS],
            clicked=opened,
            last_query=text,
            first_clicked_at=at + timedelta(seconds=20) if opened else None,
            ticket=ticket,
            submitted_at=ticket.created_at if ticket is not None else None,
            created_at=at,
            updated_at=ticket.created_at if ticket is not None else at,
        )
        created += 1
    return created


def seed_all(now: datetime | None = None, seed: int = 7) -> dict[str, dict[str, int]]:
    """Every demo brand that exists (for a demo database seeded before this module)."""
    now = now or timezone.now()
    rng = random.Random(seed)
    return {
        brand.slug: seed_search_activity(brand, now, rng)
        for brand in Brand.objects.filter(slug__in=list(ANSWERED)).order_by("pk")
    }
