"""FAQ import and export as JSON Lines: `madoguchi kb import|export FILE.jsonl --brand SLUG`.

One line per translation:

    {"id": "faq-001", "title": "…", "body": "…Markdown…", "category": "ご注文について",
     "language": "ja", "phrasings": ["…"]}

`language` (default: the brand's language) and `phrasings` are optional; so are `internal`
(true for agent manuals), `tags` and `status` ("draft" / "published"), which the export
writes so that a round trip keeps drafts drafts and manuals internal. Articles are upserted
by `id` (Article.external_id) and language; categories are found by name (any language) or
created. Imported articles are published unless the line says otherwise or `draft=True`.

The whole file is checked first; any bad line rejects it — nothing is written — and the
error lists every bad line with its reason, like the customer CSV import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from madoguchi.accounts.audit import record_audit
from madoguchi.accounts.models import Agent, Brand
from madoguchi.core.errors import DomainError, ValidationFailed

from .actions import validation as v
from .actions.articles import save_translation
from .actions.categories import slug_for, unique_slug
from .models import Article, ArticleStatus, ArticleTranslation, Category

MAX_LINES = 20_000
COUNTS = ("lines", "created", "updated", "unchanged", "categories")
# An export names articles without an external id `article-<pk>`; importing that file into
# the same brand updates those articles instead of creating copies.
_PK_ID = re.compile(r"^article-(\d+)$")


class ImportRejected(ValidationFailed):
    """The file has bad lines; `details` lists them as {"line": n, "reason": "…"}."""


@dataclass
class LinePlan:
    line: int
    external_id: str
    language: str
    title: str
    body: str
    phrasings: list[str]
    category: str
    status: str | None
    internal: bool | None
    tags: list[str] | None


@dataclass
class LineErrors:
    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, line: int, reason: str) -> None:
        self.items.append({"line": line, "reason": reason})


def _lines(source: str | Path | Iterable[str]) -> Iterator[str]:
    if isinstance(source, (str, Path)):
        with open(source, encoding="utf-8-sig") as handle:
            yield from handle
    else:
        yield from source


def _optional_list(data: dict[str, Any], key: str) -> list[str] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise v.invalid(
            _("“%(key)s” must be a list of strings.") % {"key": key}, key, "invalid_list"
        )
    return value


def plan_line(number: int, text: str, brand: Brand) -> LinePlan:
    """One line checked and cleaned; ValidationFailed names what is wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise v.invalid(
            _("Not valid JSON: %(error)s") % {"error": exc.msg}, "line", "invalid_json"
        ) from exc
    if not isinstance(data, dict):
        raise v.invalid(_("Each line must be a JSON object."), "line", "not_an_object")
    for key in ("id", "title", "body", "category"):
        if not isinstance(data.get(key, ""), str):
            raise v.invalid(_("“%(key)s” must be text.") % {"key": key}, key, "invalid_type")
    external_id = data.get("id", "").strip()
    if not external_id:
        raise v.invalid(_("“id” is missing."), "id", "id_required")
    if len(external_id) > v.MAX_EXTERNAL_ID:
        raise v.invalid(_("“id” is too long."), "id", "external_id_too_long")
    language = data.get("language") or brand.default_language
    status = data.get("status")
    internal = data.get("internal")
    if internal is not None and not isinstance(internal, bool):
        raise v.invalid(_("“internal” must be true or false."), "internal", "invalid_type")
    phrasings = _optional_list(data, "phrasings") or []
    tags = _optional_list(data, "tags")
    category = " ".join(str(data.get("category") or "").split())
    if len(category) > 120:
        raise v.invalid(_("The category name is too long."), "category", "name_too_long")
    return LinePlan(
        line=number,
        external_id=external_id,
        language=v.clean_language(str(language)),
        title=v.clean_title(data.get("title", "")),
        body=v.clean_body(data.get("body", "")),
        phrasings=v.clean_phrasings(phrasings),
        category=category,
        status=v.clean_status(status) if status is not None else None,
        internal=internal,
        tags=v.clean_tags(tags) if tags is not None else None,
    )


def check_file(source: str | Path | Iterable[str], brand: Brand) -> list[LinePlan]:
    """Every line planned, or ImportRejected listing every bad line."""
    errors = LineErrors()
    plans: list[LinePlan] = []
    seen: dict[tuple[str, str], int] = {}
    try:
        for number, text in enumerate(_lines(source), start=1):
            if not text.strip():
                continue
            if number > MAX_LINES:
                errors.add(number, _("Too many lines (at most %(n)d).") % {"n": MAX_LINES})
                break
            try:
                plan = plan_line(number, text, brand)
            except DomainError as exc:
                errors.add(number, str(exc.message))
                continue
            key = (plan.external_id, plan.language)
            if key in seen:
                errors.add(
                    number,
                    _("“%(id)s” (%(language)s) is already on line %(line)d.")
                    % {"id": plan.external_id, "language": plan.language, "line": seen[key]},
                )
                continue
            seen[key] = number
            plans.append(plan)
    except UnicodeDecodeError:
        errors.add(len(plans) + len(errors.items) + 1, _("The file is not UTF-8 text."))
    if not plans and not errors.items:
        errors.add(1, _("The file has no articles."))
    if errors.items:
        raise ImportRejected(
            _("%(count)d lines have errors; nothing was imported.") % {"count": len(errors.items)},
            code="import_rejected",
            details=errors.items,
        )
    return plans


class _Categories:
    """Categories of one brand found by any of their names; missing ones created."""

    def __init__(self, brand: Brand) -> None:
        self.brand = brand
        self.by_name: dict[str, Category] = {}
        self.created = 0
        # Top-level categories win over sections of the same name: they are read last.
        rows = list(Category.objects.filter(brand=brand).order_by("id"))
        rows.sort(key=lambda c: c.parent_id is None)
        for category in rows:
            for name in category.names.values():
                self.by_name[name] = category

    def get(self, name: str, language: str) -> Category | None:
        if not name:
            return None
        if name not in self.by_name:
            self.by_name[name] = Category.objects.create(
                brand=self.brand,
                names={language: name},
                slug=unique_slug(self.brand.pk, slug_for(name)),
                position=Category.objects.filter(brand=self.brand, parent=None).count(),
            )
            self.created += 1
        return self.by_name[name]


def _find_article(brand: Brand, external_id: str) -> Article | None:
    article = Article.objects.select_for_update().filter(brand=brand, external_id=external_id)
    found = article.first()
    match = _PK_ID.match(external_id)
    if found is None and match:
        found = (
            Article.objects.select_for_update()
            .filter(brand=brand, pk=int(match.group(1)), external_id="")
            .first()
        )
    return found


def import_jsonl(
    source: str | Path | Iterable[str],
    brand: Brand,
    *,
    draft: bool = False,
    actor: Agent | None = None,
) -> dict[str, int]:
    """Upsert a file's articles into the brand, all or nothing; returns counts
    (lines, created, updated, unchanged, categories = categories created)."""
    plans = check_file(source, brand)
    counts = dict.fromkeys(COUNTS, 0)
    counts["lines"] = len(plans)
    with transaction.atomic():
        categories = _Categories(brand)
        for plan in plans:
            category = categories.get(plan.category, plan.language)
            article = _find_article(brand, plan.external_id)
            if article is None:
                status = plan.status or (ArticleStatus.DRAFT if draft else ArticleStatus.PUBLISHED)
                article = Article.objects.create(
                    brand=brand,
                    external_id=plan.external_id,
                    category=category,
                    status=status,
                    internal=bool(plan.internal),
                    tags=plan.tags or [],
                    position=plan.line,
                )
                status_changed = False
            else:
                wanted = {
                    "category_id": category.pk if category else None,
                    "status": plan.status or (article.status if draft else ArticleStatus.PUBLISHED),
                    "internal": article.internal if plan.internal is None else plan.internal,
                    "tags": article.tags if plan.tags is None else plan.tags,
                }
                status_changed = wanted["status"] != article.status
                if any(getattr(article, k) != val for k, val in wanted.items()):
                    for key, val in wanted.items():
                        setattr(article, key, val)
                    article.save()
            existed = ArticleTranslation.objects.filter(
                article=article, language=plan.language
            ).exists()
            _translation, diff = save_translation(
                article,
                language=plan.language,
                title=plan.title,
                body=plan.body,
                phrasings=plan.phrasings,
                author=actor,
                status_changed=status_changed,
            )
            if not existed:
                counts["created"] += 1
            elif diff or status_changed:
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        counts["categories"] = categories.created
        record_audit(actor, "kb.import", "brand", brand.pk, dict(counts))
    return counts


def export_lines(brand: Brand) -> Iterator[dict[str, Any]]:
    """One dict per translation, in the import format (plus status, internal, tags)."""
    translations = (
        ArticleTranslation.objects.filter(article__brand=brand)
        .select_related("article", "article__category")
        .order_by("article__position", "article_id", "language")
    )
    for t in translations.iterator(chunk_size=500):
        article = t.article
        line: dict[str, Any] = {
            "id": article.external_id or f"article-{article.pk}",
            "title": t.title,
            "body": t.body,
            "category": article.category.name(t.language) if article.category else "",
            "language": t.language,
            "phrasings": list(t.phrasings),
            "status": article.status,
        }
        if article.internal:
            line["internal"] = True
        if article.tags:
            line["tags"] = list(article.tags)
        yield line


def export_jsonl(brand: Brand, out: IO[str]) -> int:
    """Write the brand's articles to `out`; returns the number of lines."""
    count = 0
    for line in export_lines(brand):
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        count += 1
    return count
