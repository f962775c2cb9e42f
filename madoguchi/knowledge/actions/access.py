"""Who may read and write help-center articles in the console.

Writing articles and categories is a setting of the help center: leads and admins
(Capability.MANAGE_SETTINGS). Every active agent may read the published articles of the
brands they work, public ones and internal manuals alike (manuals are written for agents and
outsourced staff); editors also see drafts. Outsourced agents see only the brands of the
inboxes they work.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent, Brand
from madoguchi.accounts.permissions import Capability, can, require
from madoguchi.core.errors import NotFound

from ..models import Article, ArticleStatus, Category

EDIT = Capability.MANAGE_SETTINGS


def can_edit(agent: Agent | None) -> bool:
    return can(agent, EDIT)


def require_editor(agent: Agent | None) -> None:
    require(agent, EDIT)


def readable_brands(agent: Agent) -> QuerySet[Brand]:
    """Brands whose articles the agent may read: all for roles that see everything."""
    if not agent.user.is_active:
        return Brand.objects.none()
    if can(agent, Capability.VIEW_ALL) or can(agent, EDIT):
        return Brand.objects.all()
    from madoguchi.tickets.access import working_inboxes

    return Brand.objects.filter(pk__in=working_inboxes(agent).values("brand_id"))


def readable_articles(agent: Agent) -> QuerySet[Article]:
    """Articles the agent may open in the console; drafts only for editors."""
    if not agent.user.is_active:
        return Article.objects.none()
    qs = Article.objects.filter(brand__in=readable_brands(agent))
    if not can_edit(agent):
        qs = qs.filter(status=ArticleStatus.PUBLISHED)
    return qs


def get_readable_article(agent: Agent, article_id: int) -> Article:
    article = readable_articles(agent).filter(pk=article_id).first()
    if article is None:
        raise NotFound(_("Article not found."), code="article_not_found")
    return article


def editable_brand(agent: Agent | None, brand_id: int | None) -> Brand:
    require_editor(agent)
    brand = Brand.objects.filter(pk=brand_id).first() if brand_id else None
    if brand is None:
        raise NotFound(_("No such brand."), code="brand_not_found")
    return brand


def article_for_write(agent: Agent | None, article_id: int) -> Article:
    """The article, locked for the rest of the transaction; editors only."""
    require_editor(agent)
    article = Article.objects.select_for_update().filter(pk=article_id).first()
    if article is None:
        raise NotFound(_("Article not found."), code="article_not_found")
    return article


def category_for_write(agent: Agent | None, category_id: int) -> Category:
    require_editor(agent)
    category = Category.objects.select_for_update().filter(pk=category_id).first()
    if category is None:
        raise NotFound(_("Category not found."), code="category_not_found")
    return category
