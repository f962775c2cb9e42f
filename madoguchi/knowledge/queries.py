"""Reads the public help center and the search API share.

Only published, non-internal articles ever leave this module: drafts and agent manuals are
invisible to customers, so every public read starts from `public_articles`. Each read takes
the reader's language and falls back (brand language, then Japanese, then any) when an
article has no translation in it yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Brand
from madoguchi.core.errors import NotFound

from .hits import ArticleHit
from .models import Article, ArticleStatus, ArticleTranslation, Category

TOP_ARTICLES = 5
RELATED_LIMIT = 5


@dataclass(frozen=True)
class ArticleLink:
    id: int
    title: str
    language: str


@dataclass
class CategoryNode:
    category: Category
    name: str
    article_count: int = 0
    sections: list[CategoryNode] = field(default_factory=list)
    articles: list[ArticleLink] = field(default_factory=list)


@dataclass(frozen=True)
class ArticlePage:
    article: Article
    translation: ArticleTranslation
    requested_language: str
    languages: list[str]  # the languages this article is written in

    @property
    def is_fallback(self) -> bool:
        return self.translation.language != self.requested_language


def public_brand(slug: str) -> Brand:
    brand = Brand.objects.filter(slug=slug).first()
    if brand is None:
        raise NotFound(_("There is no such help center."), code="brand_not_found")
    return brand


def public_articles(brand_id: int | None = None) -> QuerySet[Article]:
    """The articles customers may read: published and not internal."""
    qs = Article.objects.filter(status=ArticleStatus.PUBLISHED, internal=False)
    return qs if brand_id is None else qs.filter(brand_id=brand_id)


def language_order(language: str, brand: Brand) -> list[str]:
    """Which translation to show, best first."""
    order = [language, brand.default_language, "ja"]
    return list(dict.fromkeys(order))


def _pick(translations: Iterable[ArticleTranslation], order: list[str]) -> ArticleTranslation:
    by_language = {t.language: t for t in translations}
    for language in order:
        if language in by_language:
            return by_language[language]
    return min(by_language.values(), key=lambda t: t.language)


def titles(articles: Iterable[Article], language: str, brand: Brand) -> list[ArticleLink]:
    """One link per article (with translations prefetched), in the given order; articles
    without any translation are left out."""
    order = language_order(language, brand)
    links = []
    for article in articles:
        translations = list(article.translations.all())
        if translations:
            chosen = _pick(translations, order)
            links.append(ArticleLink(article.pk, chosen.title, chosen.language))
    return links


def _with_translations(qs: QuerySet[Article]) -> QuerySet[Article]:
    return qs.prefetch_related("translations").order_by("position", "id")


def category_tree(brand: Brand, language: str, *, top: int = TOP_ARTICLES) -> list[CategoryNode]:
    """Top categories with their sections, article counts and first articles; categories
    without any public article are left out."""
    categories = list(Category.objects.filter(brand=brand).order_by("position", "id"))
    articles = list(_with_translations(public_articles(brand.pk).filter(category__isnull=False)))
    by_category: dict[int, list[Article]] = defaultdict(list)
    for article in articles:
        by_category[article.category_id].append(article)  # type: ignore[index]
    nodes = {c.pk: CategoryNode(c, c.name(language)) for c in categories}
    roots = []
    for category in categories:
        node = nodes[category.pk]
        node.articles = titles(by_category.get(category.pk, []), language, brand)
        node.article_count = len(node.articles)
        if category.parent_id is None:
            roots.append(node)
        elif category.parent_id in nodes:
            nodes[category.parent_id].sections.append(node)
    tree = []
    for root in roots:
        root.sections = [s for s in root.sections if s.article_count]
        total = root.article_count + sum(s.article_count for s in root.sections)
        if not total:
            continue
        combined = root.articles + [a for s in root.sections for a in s.articles]
        root.article_count = total
        root.articles = combined[:top] if top else combined
        tree.append(root)
    return tree


def public_category(brand: Brand, slug: str, language: str) -> tuple[CategoryNode, Category | None]:
    """A category (or section) with its sections and all their articles, and its parent for
    the breadcrumbs; NotFound when it has no public article."""
    category = Category.objects.filter(brand=brand, slug=slug).first()
    if category is None:
        raise NotFound(_("There is no such category."), code="category_not_found")
    parent = category.parent
    node = CategoryNode(category, category.name(language))
    node.articles = titles(
        _with_translations(public_articles(brand.pk).filter(category=category)), language, brand
    )
    for section in category.sections.order_by("position", "id"):
        child = CategoryNode(section, section.name(language))
        child.articles = titles(
            _with_translations(public_articles(brand.pk).filter(category=section)),
            language,
            brand,
        )
        child.article_count = len(child.articles)
        if child.article_count:
            node.sections.append(child)
    node.article_count = len(node.articles) + sum(s.article_count for s in node.sections)
    if not node.article_count:
        raise NotFound(_("There is no such category."), code="category_not_found")
    return node, parent


def public_article(brand: Brand, article_id: int, language: str) -> ArticlePage:
    """The article in the reader's language, or its best fallback; NotFound for drafts,
    internal manuals, other brands' articles and articles without any text."""
    article = (
        public_articles(brand.pk)
        .select_related("category", "category__parent")
        .prefetch_related("translations")
        .filter(pk=article_id)
        .first()
    )
    translations = list(article.translations.all()) if article is not None else []
    if article is None or not translations:
        raise NotFound(_("There is no such article."), code="article_not_found")
    chosen = _pick(translations, language_order(language, brand))
    return ArticlePage(article, chosen, language, sorted(t.language for t in translations))


def related_articles(
    article: Article, language: str, brand: Brand, *, limit: int = RELATED_LIMIT
) -> list[ArticleLink]:
    """The editor's related articles first, then others from the same category."""
    chosen = list(
        _with_translations(public_articles(brand.pk).filter(pk__in=article.related.values("pk")))
    )
    if len(chosen) < limit and article.category_id:
        seen = {a.pk for a in chosen} | {article.pk}
        more = _with_translations(
            public_articles(brand.pk).filter(category_id=article.category_id).exclude(pk__in=seen)
        )
        chosen += list(more[: limit - len(chosen)])
    return titles(chosen[:limit], language, brand)


@dataclass(frozen=True)
class SitemapEntry:
    article_id: int
    language: str
    updated_at: datetime


def sitemap_entries(brand: Brand) -> list[SitemapEntry]:
    """One entry per public article and language it is written in."""
    rows = (
        ArticleTranslation.objects.filter(
            article__brand=brand,
            article__status=ArticleStatus.PUBLISHED,
            article__internal=False,
        )
        .order_by("article__position", "article_id", "language")
        .values_list("article_id", "language", "updated_at", "article__updated_at")
    )
    return [SitemapEntry(aid, lang, max(t, a)) for aid, lang, t, a in rows]


def public_urls_info(article_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """For search hits: article id → (brand slug, brand language), public articles only."""
    rows = (
        public_articles()
        .filter(pk__in=list(article_ids))
        .values_list("pk", "brand__slug", "brand__default_language")
    )
    return {pk: (slug, lang) for pk, slug, lang in rows}


def article_path(brand_slug: str, brand_language: str, language: str, article_id: int) -> str:
    """The public article's path; unprefixed in the brand's own language."""
    if language == brand_language:
        return reverse("web:help_article", args=[brand_slug, article_id])
    return reverse("web:help_article_lang", args=[brand_slug, language, article_id])


@dataclass(frozen=True)
class PublicHit:
    hit: ArticleHit
    path: str


def public_search(
    *, brand_id: int | None, query: str, language: str | None, limit: int
) -> tuple[list[PublicHit], bool]:
    """Search hits customers may see, each with its public path, and whether the search ran
    degraded (keyword-only). Hits are re-checked against the public set: the engine's flags
    are trusted, but a draft or manual must never leak through a public page."""
    from .search import search_articles

    result = search_articles(brand_id=brand_id, query=query, language=language, limit=limit)
    info = public_urls_info(h.article_id for h in result.hits)
    hits = [
        PublicHit(h, article_path(*info[h.article_id], h.language, h.article_id))
        for h in result.hits
        if h.article_id in info
    ]
    return hits, result.degraded
