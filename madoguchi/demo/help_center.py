"""The demo shops' help centers: articles written for each shop, imported like a real FAQ.

Each brand's articles live in `faq/<brand-slug>.jsonl` in the import format of
`madoguchi kb import` (plus a "related" list of ids, which the importer ignores and this
module applies through the article editor's action). The categories are created first
through the category action, so they get English names and readable slugs; the import then
finds them by their Japanese names. Vectors are computed right away (not by the worker), so
the help center's search is semantic from the first page view, and a few weeks of
「役に立ちましたか？」 answers are added so article pages have a history.

Everything is idempotent: the import upserts by id, categories and related links are only
written when missing or different, vectors are skipped when current, and feedback is only
added to a help center that has none.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from madoguchi.accounts.models import Agent, Brand
from madoguchi.knowledge.actions.articles import do_update_translation
from madoguchi.knowledge.actions.categories import do_create_category
from madoguchi.knowledge.importing import import_jsonl
from madoguchi.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleStatus,
    ArticleTranslation,
    Category,
)
from madoguchi.knowledge.vectors import refresh_brand_vectors

from .shop import SHOPS

FAQ_DIR = Path(__file__).resolve().parent / "faq"
FEEDBACK_DAYS = 28


@dataclass(frozen=True)
class CategorySpec:
    ja: str
    en: str
    slug: str
    parent: str = ""  # the slug of the top-level category of a section


CATEGORIES: dict[str, tuple[CategorySpec, ...]] = {
    "hinata-zakka": (
        CategorySpec("ご注文について", "Orders", "orders"),
        CategorySpec("お支払いについて", "Payment", "payment"),
        CategorySpec("配送・お届けについて", "Shipping and delivery", "shipping"),
        CategorySpec("返品・交換について", "Returns and exchanges", "returns"),
        CategorySpec("商品について", "Our products", "products"),
        CategorySpec("会員登録・マイページ", "Account and My Page", "account"),
        CategorySpec("ギフト・ラッピング", "Gifts and wrapping", "gifts"),
        CategorySpec("社内マニュアル", "Agent manuals", "manuals"),
    ),
    "maruya-kitchen": (
        CategorySpec("配送・送料", "Shipping", "shipping"),
        CategorySpec("ご注文・お支払い", "Orders", "orders"),
        CategorySpec("お支払いについて", "Payment", "payment", parent="orders"),
        CategorySpec("返品・交換", "Returns and exchanges", "returns"),
        CategorySpec("食品について", "Food", "food"),
        CategorySpec("道具のお手入れ", "Caring for your tools", "care"),
        CategorySpec("鉄器・金物のお手入れ", "Iron and metal", "iron", parent="care"),
        CategorySpec("土鍋・器のお手入れ", "Donabe and tableware", "clay", parent="care"),
        CategorySpec("包丁・木の道具", "Knives and wooden tools", "wood", parent="care"),
        CategorySpec("会員・マイページ", "Account and My Page", "account"),
        CategorySpec("贈り物", "Gifts", "gifts"),
        CategorySpec("社内マニュアル", "Agent manuals", "manuals"),
    ),
}

# (external id, helpful?, comment) for a few articles per brand; the rest get plain votes.
COMMENTS: dict[str, tuple[tuple[str, bool, str], ...]] = {
    "hinata-zakka": (
        ("hinata-shipping-status", True, "伝票番号の場所がすぐ分かりました。"),
        ("hinata-shipping-status", False, "発送メールが届いていない場合どうすればいいか知りたい。"),
        ("hinata-return-how", True, "マイページから申請できて簡単でした。"),
        ("hinata-return-how", False, "返送料が自分負担なのは少し残念です。"),
        ("hinata-size-guide", True, "スタッフの着用例が参考になりました"),
        ("hinata-gift-wrapping", True, "納品書が入らないのが助かります。"),
        ("hinata-card-error", False, "本人認証の設定場所が分かりませんでした。"),
    ),
    "maruya-kitchen": (
        ("maruya-delivery-status", True, "追跡番号の確認方法が分かりました"),
        ("maruya-donabe-first", True, "目止めのやり方が丁寧で助かりました。"),
        ("maruya-donabe-first", False, "おかゆ以外の方法（小麦粉など）も知りたいです。"),
        ("maruya-ih-support", True, "表で一目で分かるのが良いです"),
        ("maruya-returns", False, "食品が返品できない理由も書いてほしい。"),
        ("maruya-tetsubin-rust", True, "茶殻で拭く方法、試してみます。"),
    ),
}


@dataclass
class HelpCenterReport:
    seconds: float = 0.0
    brands: dict[str, dict[str, int]] = field(default_factory=dict)


def faq_path(slug: str) -> Path:
    return FAQ_DIR / f"{slug}.jsonl"


def _ensure_categories(brand: Brand, admin: Agent | None) -> int:
    """The brand's categories (with English names and slugs); returns how many were created."""
    created = 0
    existing = {c.slug: c for c in Category.objects.filter(brand=brand)}
    for position, spec in enumerate(CATEGORIES.get(brand.slug, ())):
        if spec.slug in existing:
            continue
        parent = existing.get(spec.parent) if spec.parent else None
        existing[spec.slug] = do_create_category(
            admin,
            brand_id=brand.pk,
            names={"ja": spec.ja, "en": spec.en},
            slug=spec.slug,
            parent_id=parent.pk if parent else None,
            position=position,
        )
        created += 1
    return created


def _related(lines: list[dict[str, object]]) -> dict[str, list[str]]:
    wanted: dict[str, list[str]] = {}
    for line in lines:
        ids = line.get("related")
        if isinstance(ids, list) and ids:
            wanted[str(line["id"])] = [str(i) for i in ids]
    return wanted


def _link_related(brand: Brand, lines: list[dict[str, object]], admin: Agent | None) -> int:
    """Related articles through the editor's action (one call per article whose links differ)."""
    wanted = _related(lines)
    articles = {
        a.external_id: a
        for a in Article.objects.filter(brand=brand).prefetch_related("related", "translations")
    }
    linked = 0
    for external_id, related_ids in wanted.items():
        article = articles[external_id]
        target = sorted(articles[r].pk for r in related_ids)
        if sorted(a.pk for a in article.related.all()) == target:
            continue
        translation = next(t for t in article.translations.all() if t.language == "ja")
        do_update_translation(
            admin,
            article.pk,
            language="ja",
            title=translation.title,
            body=translation.body,
            phrasings=list(translation.phrasings),
            category_id=article.category_id,
            status=article.status,
            internal=article.internal,
            tags=list(article.tags),
            related_ids=target,
        )
        linked += 1
    return linked


def _add_feedback(brand: Brand, rng: random.Random, now: datetime) -> int:
    """A few weeks of reader votes on public articles, unless the brand already has some."""
    public = list(
        Article.objects.filter(
            brand=brand, internal=False, status=ArticleStatus.PUBLISHED
        ).order_by("pk")
    )
    if not public or ArticleFeedback.objects.filter(article__brand=brand).exists():
        return 0
    by_id = {a.external_id: a for a in public}
    rows = [(by_id[ext], "ja", helpful, comment) for ext, helpful, comment in COMMENTS[brand.slug]]
    for article in rng.sample(public, k=min(len(public), 12)):
        for _vote in range(rng.randint(1, 4)):
            rows.append((article, "ja", rng.random() < 0.8, ""))
    english = set(
        ArticleTranslation.objects.filter(article__in=public, language="en").values_list(
            "article_id", flat=True
        )
    )
    rows += [(a, "en", rng.random() < 0.75, "") for a in public if a.pk in english]
    created = 0
    for article, language, helpful, comment in rows:
        feedback = ArticleFeedback.objects.create(
            article=article,
            language=language,
            helpful=helpful,
            comment=comment,
            client=f"demo-{rng.getrandbits(64):016x}",
        )
        at = now - timedelta(days=rng.uniform(0.2, FEEDBACK_DAYS))
        # created_at is auto_now_add: the demo's own rows are moved into the past.
        ArticleFeedback.objects.filter(pk=feedback.pk).update(created_at=at)
        created += 1
    return created


def seed_brand(
    brand: Brand, *, admin: Agent | None, rng: random.Random, now: datetime
) -> dict[str, int]:
    """Categories, articles, related links, vectors and feedback of one demo brand."""
    path = faq_path(brand.slug)
    with open(path, encoding="utf-8") as handle:
        text = handle.read().splitlines()
    lines = [json.loads(line) for line in text if line.strip()]
    # Articles the shop already has are left as they are: since the first run the lead may
    # have edited them or approved phrasings from the learning loop.
    known = set(Article.objects.filter(brand=brand).values_list("external_id", flat=True))
    fresh = [raw for raw, line in zip(
        (t for t in text if t.strip()), lines, strict=True
    ) if line["id"] not in known]  # fmt: skip
    with transaction.atomic():
        categories = _ensure_categories(brand, admin)
        counts = import_jsonl(fresh, brand, actor=admin) if fresh else {"created": 0, "updated": 0}
        linked = _link_related(brand, lines, admin)
        feedback = _add_feedback(brand, rng, now)
    vectors = refresh_brand_vectors(brand.pk)
    return {
        "articles": Article.objects.filter(brand=brand).count(),
        "translations_created": counts["created"],
        "translations_updated": counts["updated"],
        "categories_created": categories,
        "related_linked": linked,
        "feedback": feedback,
        "vectors_updated": vectors.get("updated", 0),
        "vectors_unavailable": vectors.get("unavailable", 0),
    }


def seed_help_center(
    admin: Agent | None = None, *, now: datetime | None = None, seed: int = 5
) -> HelpCenterReport:
    """Fill the help center of every demo brand that exists; safe to run again."""
    started = time.monotonic()
    now = now or timezone.now()
    rng = random.Random(seed)
    admin = admin or Agent.objects.get(user__username="admin")
    report = HelpCenterReport()
    for shop in SHOPS:
        brand = Brand.objects.filter(slug=shop.slug).first()
        if brand is not None:
            report.brands[shop.slug] = seed_brand(brand, admin=admin, rng=rng, now=now)
    report.seconds = time.monotonic() - started
    return report
