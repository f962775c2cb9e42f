"""The editable synonym list: words customers use for the same thing (取り消し = キャンセル).

A group is a brand's (leads and admins edit it) or global, for every brand (admins only).
The search engine reads the groups on top of its built-in defaults
(madoguchi.knowledge.engine.synonyms) and notices a change at its next freshness check
(the synonym terms are part of the index version), so an edit reaches search within about
a second without a restart. Terms are stored NFKC-normalised; the engine also folds case
and hiragana/katakana, so two terms that fold alike are one term.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.audit import record_audit
from madoguchi.accounts.models import Agent, Role
from madoguchi.core.errors import Forbidden, NotFound

from ..engine.synonyms import DEFAULT_GROUPS, compile_groups
from ..engine.text import analyse, fold
from ..models import Synonym
from .access import can_edit, editable_brand, readable_brands, require_editor
from .validation import invalid

MIN_TERMS = 2
MAX_TERMS = 20
MAX_TERM = 40


def can_edit_global(agent: Agent | None) -> bool:
    """Global groups change every brand's search: administrators only."""
    return agent is not None and agent.user.is_active and agent.role == Role.ADMIN


def _key(term: str) -> str:
    return fold(term).strip()


def clean_terms(terms: Iterable[str]) -> list[str]:
    """2–20 distinct terms of 2–40 characters, NFKC, spaces collapsed, order kept.

    A one-character term would match inside almost every text, so the engine ignores it;
    it is refused here rather than silently doing nothing.
    """
    cleaned: dict[str, str] = {}
    for raw in terms:
        term = " ".join(unicodedata.normalize("NFKC", str(raw or "")).split())
        if not term:
            continue
        if len(term) > MAX_TERM:
            raise invalid(
                _("A term is too long (at most %(limit)d characters): %(term)s")
                % {"limit": MAX_TERM, "term": term[:MAX_TERM] + "…"},
                "terms",
                "term_too_long",
            )
        if len(_key(term)) < 2:
            raise invalid(
                _("A term needs at least two characters: %(term)s") % {"term": term},
                "terms",
                "term_too_short",
            )
        cleaned.setdefault(_key(term), term)
    values = list(cleaned.values())
    if len(values) < MIN_TERMS:
        raise invalid(
            _("Enter at least two different words that mean the same thing."),
            "terms",
            "too_few_terms",
        )
    if len(values) > MAX_TERMS:
        raise invalid(
            _("At most %(limit)d words in one group.") % {"limit": MAX_TERMS},
            "terms",
            "too_many_terms",
        )
    return values


def split_terms(text: str) -> list[str]:
    """A form's text → terms: one per line, or separated by = 、 , or ＝."""
    for separator in ("\r", "\n", "＝", "=", "、", "，", ","):
        text = text.replace(separator, "\n")
    return [part for part in text.split("\n") if part.strip()]


def groups_in_scope(brand_id: int | None) -> QuerySet[Synonym]:
    """The rows search uses for a brand: its own groups and the global ones."""
    rows = Synonym.objects.order_by("id")
    if brand_id is None:
        return rows.filter(brand__isnull=True)
    return rows.filter(Q(brand_id=brand_id) | Q(brand__isnull=True))


def groups_visible(agent: Agent | None) -> QuerySet[Synonym]:
    """Groups an editor may open: the global ones and those of brands they may read."""
    if agent is None or not can_edit(agent):
        return Synonym.objects.none()
    return Synonym.objects.filter(Q(brand__isnull=True) | Q(brand__in=readable_brands(agent)))


def _refuse_duplicate(brand_id: int | None, terms: Sequence[str], exclude: int | None) -> None:
    wanted = {_key(t) for t in terms}
    if any({_key(t) for t in group} == wanted for group in DEFAULT_GROUPS):
        raise invalid(
            _("This group is one of the built-in groups already."), "terms", "duplicate_group"
        )
    rows = Synonym.objects.all()
    if brand_id is not None:
        rows = rows.filter(Q(brand_id=brand_id) | Q(brand__isnull=True))
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    for group in rows.values_list("terms", flat=True):
        if {_key(str(t)) for t in group or []} == wanted:
            raise invalid(_("The same group exists already."), "terms", "duplicate_group")


def _require_scope(agent: Agent | None, brand_id: int | None) -> None:
    if brand_id is None:
        require_editor(agent)
        if not can_edit_global(agent):
            raise Forbidden(
                _("Only administrators change the synonyms of every brand."),
                code="forbidden",
            )
    else:
        editable_brand(agent, brand_id)


def _for_write(agent: Agent | None, synonym_id: int) -> Synonym:
    require_editor(agent)
    assert agent is not None  # require_editor refuses None
    row = groups_visible(agent).select_for_update().filter(pk=synonym_id).first()
    if row is None:
        raise NotFound(_("Synonym group not found."), code="synonym_not_found")
    _require_scope(agent, row.brand_id)
    return row


@transaction.atomic
def do_create_synonym(
    agent: Agent | None, *, brand_id: int | None, terms: Iterable[str]
) -> Synonym:
    """A new group for one brand (brand_id) or for every brand (None, admins)."""
    _require_scope(agent, brand_id)
    cleaned = clean_terms(terms)
    _refuse_duplicate(brand_id, cleaned, None)
    row = Synonym.objects.create(brand_id=brand_id, terms=cleaned)
    record_audit(
        agent, "kb.synonym.create", "synonym", row.pk, {"brand": brand_id, "terms": cleaned}
    )
    return row


@transaction.atomic
def do_update_synonym(agent: Agent | None, synonym_id: int, *, terms: Iterable[str]) -> Synonym:
    row = _for_write(agent, synonym_id)
    cleaned = clean_terms(terms)
    if cleaned == list(row.terms):
        return row
    _refuse_duplicate(row.brand_id, cleaned, row.pk)
    before = list(row.terms)
    row.terms = cleaned
    row.save(update_fields=["terms"])
    record_audit(
        agent,
        "kb.synonym.update",
        "synonym",
        row.pk,
        {"brand": row.brand_id, "terms": [before, cleaned]},
    )
    return row


@transaction.atomic
def do_delete_synonym(agent: Agent | None, synonym_id: int) -> None:
    row = _for_write(agent, synonym_id)
    record_audit(
        agent, "kb.synonym.delete", "synonym", row.pk, {"brand": row.brand_id, "terms": row.terms}
    )
    row.delete()


@dataclass(frozen=True)
class Expansion:
    """One synonym group a query lights up: the words of the query's group, all of them."""

    matched: list[str]  # the group's terms found in the query
    terms: list[str]  # every term of the (merged) group


def expand(brand_id: int | None, query: str) -> list[Expansion]:
    """How search reads `query`'s synonyms for a brand: the engine's own compilation and
    analysis (defaults, global and brand groups merged, Sudachi forms and readings)."""
    groups = [list(g) for g in groups_in_scope(brand_id).values_list("terms", flat=True) if g]
    compiled = compile_groups(groups)
    spelled: dict[str, str] = {}  # folded → as written (the first group that has it)
    for group_terms in [*DEFAULT_GROUPS, *groups]:
        for term in group_terms:
            spelled.setdefault(_key(str(term)), str(term))
    lit = {int(name[2:]) for name in analyse(query[:500], compiled) if name.startswith("s:")}
    folded = fold(query)
    by_group: dict[int, list[str]] = {}
    for term, number in compiled.terms:
        if number in lit:
            by_group.setdefault(number, []).append(term)
    order = {key: i for i, key in enumerate(spelled)}
    out = []
    for _number, terms in sorted(by_group.items()):
        terms.sort(key=lambda t: order.get(t, len(order)))
        found = [t for t in terms if t in folded]
        # 代引き found means 代引 was found too: show the longest words only
        found = [t for t in found if not any(t != o and t in o for o in found)]
        out.append(
            Expansion(
                matched=[spelled.get(t, t) for t in found],
                terms=[spelled.get(t, t) for t in terms],
            )
        )
    return out
