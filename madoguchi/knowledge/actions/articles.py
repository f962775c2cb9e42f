"""Writing articles: create, edit a translation, publish, unpublish, restore, delete.

Every change of a translation's text or of the article's status writes an ArticleVersion
(number + 1, author) — the version history — and, after commit, asks for the translation's
embeddings to be computed again. Every change is audited.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.agent_admin import changed
from madoguchi.accounts.audit import record_audit
from madoguchi.accounts.models import Agent
from madoguchi.core.errors import Conflict, NotFound

from ..models import Article, ArticleStatus, ArticleTranslation, ArticleVersion
from . import validation as v
from .access import article_for_write, editable_brand


def queue_vector_refresh(translation_ids: Iterable[int]) -> None:
    """After commit, recompute the embeddings of these translations (semantic search).

    The task lives in `madoguchi.knowledge.tasks` (the search engine's module); it is looked
    up when the commit happens, so writing articles works before that module exists and
    search then stays keyword-only.
    """
    ids = sorted(set(translation_ids))
    if not ids:
        return

    def enqueue() -> None:
        try:
            tasks = importlib.import_module("madoguchi.knowledge.tasks")
        except ImportError:
            return
        for translation_id in ids:
            tasks.refresh_article_vectors.enqueue(translation_id)

    transaction.on_commit(enqueue)


def write_version(translation: ArticleTranslation, status: str, author: Agent | None) -> int:
    """Append the translation's current state to its history; returns the new number."""
    last = (
        ArticleVersion.objects.filter(translation=translation)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    number = (last or 0) + 1
    ArticleVersion.objects.create(
        translation=translation,
        number=number,
        title=translation.title,
        body=translation.body,
        phrasings=list(translation.phrasings),
        status=status,
        author=author,
    )
    return number


def _text(translation: ArticleTranslation) -> dict[str, Any]:
    return {
        "title": translation.title,
        "body": translation.body,
        "phrasings": list(translation.phrasings),
    }


def _settings(article: Article) -> dict[str, Any]:
    return {
        "category": article.category_id,
        "status": article.status,
        "internal": article.internal,
        "common_questions": article.common_questions,
        "tags": list(article.tags),
        "related": sorted(article.related.values_list("pk", flat=True)) if article.pk else [],
    }


def _short(values: dict[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of a change: bodies are long, so only their length."""
    out = dict(values)
    if "body" in out:
        out["body"] = [len(x or "") for x in out["body"]] if isinstance(out["body"], list) else 0
    return out


def save_translation(
    article: Article,
    *,
    language: str,
    title: str,
    body: str,
    phrasings: Iterable[str],
    author: Agent | None,
    status_changed: bool = False,
) -> tuple[ArticleTranslation, dict[str, list[Any]]]:
    """Create or update one translation (validated values); a version when anything changed."""
    translation = (
        ArticleTranslation.objects.select_for_update()
        .filter(article=article, language=language)
        .first()
    )
    new = {"title": title, "body": body, "phrasings": list(phrasings)}
    if translation is None:
        translation = ArticleTranslation.objects.create(
            article=article, language=language, updated_by=author, **new
        )
        diff = {k: [None, val] for k, val in new.items()}
    else:
        diff = changed(_text(translation), new)
        if diff:
            for key, value in new.items():
                setattr(translation, key, value)
            translation.updated_by = author
            translation.save()
    if diff or status_changed:
        write_version(translation, article.status, author)
    if diff:
        queue_vector_refresh([translation.pk])
    return translation, diff


@transaction.atomic
def do_create_article(
    actor: Agent | None,
    *,
    brand_id: int,
    language: str,
    title: str,
    body: str = "",
    phrasings: Iterable[str] = (),
    category_id: int | None = None,
    status: str = ArticleStatus.DRAFT,
    internal: bool = False,
    tags: Iterable[str] = (),
    related_ids: Iterable[int] = (),
    external_id: str = "",
    common_questions: bool = True,
) -> Article:
    """A new article with its first translation (version 1)."""
    brand = editable_brand(actor, brand_id)
    text: dict[str, Any] = {
        "language": v.clean_language(language),
        "title": v.clean_title(title),
        "body": v.clean_body(body),
        "phrasings": v.clean_phrasings(phrasings),
    }
    category = v.clean_category(brand.pk, category_id)
    article = Article(
        brand=brand,
        category=category,
        status=v.clean_status(status),
        internal=bool(internal),
        common_questions=bool(common_questions),
        tags=v.clean_tags(tags),
        external_id=v.clean_external_id(brand.pk, external_id),
    )
    related = v.clean_related(brand.pk, None, related_ids)
    article.save()
    article.related.set(related)
    translation, _diff = save_translation(article, author=actor, **text)
    record_audit(
        actor,
        "kb.article.create",
        "article",
        article.pk,
        {"language": translation.language, "title": translation.title, **_settings(article)},
    )
    return article


@transaction.atomic
def do_update_translation(
    actor: Agent | None,
    article_id: int,
    *,
    language: str,
    title: str,
    body: str,
    phrasings: Iterable[str],
    category_id: int | None,
    status: str,
    internal: bool,
    tags: Iterable[str],
    related_ids: Iterable[int],
    common_questions: bool | None = None,
) -> ArticleTranslation:
    """Save one translation (created when the language is new) and the article's settings;
    `common_questions` None keeps the article's setting."""
    article = article_for_write(actor, article_id)
    text: dict[str, Any] = {
        "language": v.clean_language(language),
        "title": v.clean_title(title),
        "body": v.clean_body(body),
        "phrasings": v.clean_phrasings(phrasings),
    }
    before = _settings(article)
    category = v.clean_category(article.brand_id, category_id)
    after: dict[str, Any] = {
        "category": category.pk if category else None,
        "status": v.clean_status(status),
        "internal": bool(internal),
        "common_questions": (
            article.common_questions if common_questions is None else bool(common_questions)
        ),
        "tags": v.clean_tags(tags),
        "related": sorted(v.clean_related(article.brand_id, article.pk, related_ids)),
    }
    settings_diff = changed(before, after)
    if settings_diff:
        article.category = category
        article.status = after["status"]
        article.internal = after["internal"]
        article.common_questions = after["common_questions"]
        article.tags = after["tags"]
        article.save()
        article.related.set(after["related"])
    translation, text_diff = save_translation(
        article, author=actor, status_changed="status" in settings_diff, **text
    )
    if settings_diff or text_diff:
        record_audit(
            actor,
            "kb.article.update",
            "article",
            article.pk,
            {"language": translation.language, "changes": _short({**settings_diff, **text_diff})},
        )
    return translation


def _set_status(actor: Agent | None, article_id: int, status: str) -> Article:
    article = article_for_write(actor, article_id)
    if article.status == status:
        return article
    if status == ArticleStatus.PUBLISHED and not article.translations.exists():
        raise Conflict(_("An article without any text cannot be published."), code="no_text")
    before = article.status
    article.status = status
    article.save(update_fields=["status", "updated_at"])
    translations = list(article.translations.select_for_update())
    for translation in translations:
        write_version(translation, status, actor)
    queue_vector_refresh(t.pk for t in translations)
    record_audit(actor, "kb.article.status", "article", article.pk, {"status": [before, status]})
    return article


@transaction.atomic
def do_publish(actor: Agent | None, article_id: int) -> Article:
    return _set_status(actor, article_id, ArticleStatus.PUBLISHED)


@transaction.atomic
def do_unpublish(actor: Agent | None, article_id: int) -> Article:
    return _set_status(actor, article_id, ArticleStatus.DRAFT)


@transaction.atomic
def do_restore_version(actor: Agent | None, article_id: int, version_id: int) -> ArticleVersion:
    """Make an old version's text current again — as a new version, history kept."""
    article = article_for_write(actor, article_id)
    old = (
        ArticleVersion.objects.select_related("translation")
        .filter(pk=version_id, translation__article=article)
        .first()
    )
    if old is None:
        raise NotFound(_("Version not found."), code="version_not_found")
    translation, diff = save_translation(
        article,
        language=old.translation.language,
        title=old.title,
        body=old.body,
        phrasings=old.phrasings,
        author=actor,
    )
    if diff:
        record_audit(
            actor,
            "kb.article.restore",
            "article",
            article.pk,
            {"language": translation.language, "version": old.number, "changes": _short(diff)},
        )
    return old


@transaction.atomic
def do_delete_translation(actor: Agent | None, article_id: int, language: str) -> None:
    """Remove one language of an article; the last one cannot go (delete the article)."""
    article = article_for_write(actor, article_id)
    translations = list(article.translations.select_for_update())
    target = next((t for t in translations if t.language == language), None)
    if target is None:
        raise NotFound(_("This article has no text in that language."), code="no_translation")
    if len(translations) == 1:
        raise Conflict(
            _("This is the article's only language; delete the article instead."),
            code="last_translation",
        )
    record_audit(
        actor,
        "kb.translation.delete",
        "article",
        article.pk,
        {"language": language, "title": target.title},
    )
    target.delete()


@transaction.atomic
def do_delete_article(actor: Agent | None, article_id: int) -> None:
    """Delete an article with its translations, history and feedback (audited with titles)."""
    article = article_for_write(actor, article_id)
    titles = dict(article.translations.values_list("language", "title"))
    record_audit(
        actor,
        "kb.article.delete",
        "article",
        article.pk,
        {"titles": titles, "external_id": article.external_id},
    )
    article.delete()
