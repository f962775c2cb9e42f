"""A small Japanese help center built with the models directly, shared by the help-center
tests (queries, feedback, public pages, search API)."""

from __future__ import annotations

from dataclasses import dataclass

from madoguchi.accounts.models import Brand
from madoguchi.knowledge.models import Article, ArticleTranslation, Category


@dataclass
class HelpCenter:
    brand: Brand
    shipping: Category
    status_section: Category
    orders: Category
    empty: Category
    tracking: Article  # ja + en, in the section, with phrasings
    days: Article  # ja only, in the shipping category
    double_order: Article  # ja only, in orders; related → tracking, draft, internal
    draft: Article
    internal: Article
    other_brand: Article


def _article(
    brand: Brand,
    category: Category | None,
    position: int,
    ja: tuple[str, str],
    *,
    en: tuple[str, str] | None = None,
    phrasings: list[str] | None = None,
    status: str = "published",
    internal: bool = False,
    external_id: str = "",
) -> Article:
    article = Article.objects.create(
        brand=brand, category=category, status=status, internal=internal, position=position,
        external_id=external_id,
    )  # fmt: skip
    ArticleTranslation.objects.create(
        article=article, language="ja", title=ja[0], body=ja[1], phrasings=phrasings or []
    )
    if en:
        ArticleTranslation.objects.create(article=article, language="en", title=en[0], body=en[1])
    return article


def make_help_center(brand: Brand) -> HelpCenter:
    shipping = Category.objects.create(
        brand=brand, slug="shipping", names={"ja": "配送について", "en": "Shipping"}, position=1
    )
    section = Category.objects.create(
        brand=brand, parent=shipping, slug="delivery-status",
        names={"ja": "配送状況", "en": "Delivery status"},
    )  # fmt: skip
    orders = Category.objects.create(
        brand=brand, slug="orders", names={"ja": "ご注文について", "en": "Orders"}, position=2
    )
    empty = Category.objects.create(brand=brand, slug="empty", names={"ja": "準備中"}, position=3)
    tracking_body = (
        "## 確認手順\n\nマイページの「注文履歴」から**配送状況**を確認できます。\n\n"
        "<script>alert('x')</script>"
    )
    tracking = _article(
        brand, section, 1, ("配送状況の確認方法", tracking_body),
        en=("How to check your delivery status", "Open **Order history** in My page."),
        phrasings=["荷物いまどこ", "まだ届かない"], external_id="faq-001",
    )  # fmt: skip
    days = _article(
        brand, shipping, 2, ("お届けまでの日数", "ご注文から通常2〜4営業日でお届けします。")
    )
    double_order = _article(
        brand, orders, 1,
        ("二重注文してしまった場合", "同じ商品を2回注文した場合は、片方をキャンセルいたします。"),
        external_id="faq-002",
    )  # fmt: skip
    draft = _article(
        brand, orders, 2, ("返品ポリシー（下書き）", "まだ公開前です。"), status="draft"
    )
    internal = _article(
        brand, orders, 3, ("クレーム対応マニュアル", "担当者向けの手順です。"), internal=True
    )
    double_order.related.add(tracking, draft, internal)
    other = Brand.objects.create(name="別の店", slug="other-shop")
    other_category = Category.objects.create(brand=other, slug="shipping", names={"ja": "配送"})
    other_brand = _article(other, other_category, 1, ("別ブランドの配送状況", "他店の記事です。"))
    return HelpCenter(
        brand, shipping, section, orders, empty, tracking, days, double_order, draft, internal,
        other_brand,
    )  # fmt: skip
