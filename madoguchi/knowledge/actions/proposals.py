"""The learning loop's review queue: customers' questions proposed as new 言い換え.

A proposal comes from a ticket an agent answered with an article (madoguchi.knowledge.
learning). A lead approves it — optionally with edited wording — and the text is appended
to the phrasings of the article's translation in the proposal's language through the
article editor's action (`do_update_translation`), so a version is written, the change is
audited and the embeddings are recomputed like any other edit. A rejected proposal stays in
the queue's history, so the same question is not proposed again (one proposal per article,
language and normalised text).

Editors only (Capability.MANAGE_SETTINGS, madoguchi.knowledge.actions.access).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.audit import record_audit
from madoguchi.accounts.models import Agent
from madoguchi.core.errors import Conflict, DomainError, NotFound
from madoguchi.core.ids import parse_id

from ..models import Article, ArticleTranslation, PhrasingProposal, ProposalStatus
from ..questions import normalize_phrasing
from . import validation as v
from .access import article_for_write, can_edit, readable_brands, require_editor
from .articles import do_update_translation

MAX_BULK = 200


@dataclass
class BulkResult:
    """What a bulk decision did: ids decided, ids someone had decided already, failures."""

    done: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def reviewable_proposals(agent: Agent | None) -> QuerySet[PhrasingProposal]:
    """Proposals of the brands the agent may edit articles of; none for non-editors."""
    if agent is None or not can_edit(agent):
        return PhrasingProposal.objects.none()
    return PhrasingProposal.objects.filter(article__brand__in=readable_brands(agent))


def pending_count(agent: Agent | None) -> int:
    """Questions waiting for review: the number the navigation shows next to the queue."""
    return reviewable_proposals(agent).filter(status=ProposalStatus.PENDING).count()


def _proposal_for_write(agent: Agent | None, proposal_id: int) -> PhrasingProposal:
    require_editor(agent)
    assert agent is not None  # require_editor refuses None
    proposal = (
        PhrasingProposal.objects.select_for_update(of=("self",))
        .filter(pk=proposal_id, article__brand__in=readable_brands(agent))
        .first()
    )
    if proposal is None:
        raise NotFound(_("Proposal not found."), code="proposal_not_found")
    return proposal


def _pending(proposal: PhrasingProposal) -> None:
    if proposal.status == ProposalStatus.PENDING:
        return
    message = (
        _("This question was already approved.")
        if proposal.status == ProposalStatus.APPROVED
        else _("This question was already rejected.")
    )
    raise Conflict(message, code="proposal_decided", details={"status": proposal.status})


def clean_text(text: str) -> str:
    """The phrasing to add: spaces collapsed, not empty, as long as a phrasing may be."""
    value = " ".join((text or "").split())
    if not value:
        raise v.invalid(_("Enter the question to add."), "text", "text_required")
    if len(value) > v.MAX_PHRASING:
        raise v.invalid(
            _("The question is too long for a phrasing (at most %(limit)d characters).")
            % {"limit": v.MAX_PHRASING},
            "text",
            "phrasing_too_long",
        )
    return value


def _decide(agent: Agent | None, proposal: PhrasingProposal, status: str) -> None:
    proposal.status = status
    proposal.decided_by = agent
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])


def already_phrased(translation: ArticleTranslation, text: str) -> bool:
    """True when the title or a phrasing already says this (compared like proposals are
    deduplicated: NFKC, case, spaces and punctuation aside)."""
    wanted = normalize_phrasing(text)
    known = [translation.title, *[str(p) for p in translation.phrasings or []]]
    return any(normalize_phrasing(k) == wanted for k in known)


@transaction.atomic
def approve(agent: Agent | None, proposal_id: int, text: str | None = None) -> PhrasingProposal:
    """Add the question (or the lead's edit of it) to the article's phrasings; mark approved.

    A question the article already has is approved without being added twice.
    """
    proposal = _proposal_for_write(agent, proposal_id)
    _pending(proposal)
    wording = clean_text(proposal.text if text is None else text)
    article = article_for_write(agent, proposal.article_id)
    translation = (
        ArticleTranslation.objects.select_for_update()
        .filter(article=article, language=proposal.language)
        .first()
    )
    if translation is None:
        raise Conflict(
            _(
                "The article has no text in this language (%(language)s); write it first "
                "or move the question to another article."
            )
            % {"language": proposal.language},
            code="no_translation_in_language",
        )
    added = not already_phrased(translation, wording)
    if added:
        do_update_translation(
            agent,
            article.pk,
            language=translation.language,
            title=translation.title,
            body=translation.body,
            phrasings=[*translation.phrasings, wording],
            category_id=article.category_id,
            status=article.status,
            internal=article.internal,
            tags=list(article.tags),
            related_ids=list(article.related.values_list("pk", flat=True)),
        )
    proposal.approved_text = wording
    proposal.save(update_fields=["approved_text"])
    _decide(agent, proposal, ProposalStatus.APPROVED)
    record_audit(
        agent,
        "kb.proposal.approve",
        "article",
        article.pk,
        {
            "proposal": proposal.pk,
            "language": proposal.language,
            "text": wording,
            "edited": wording != proposal.text,
            "added": added,
        },
    )
    return proposal


@transaction.atomic
def reject(agent: Agent | None, proposal_id: int) -> PhrasingProposal:
    """Not a way customers ask this article's question: keep it out of the phrasings."""
    proposal = _proposal_for_write(agent, proposal_id)
    _pending(proposal)
    _decide(agent, proposal, ProposalStatus.REJECTED)
    record_audit(
        agent,
        "kb.proposal.reject",
        "article",
        proposal.article_id,
        {"proposal": proposal.pk, "language": proposal.language, "text": proposal.text},
    )
    return proposal


@transaction.atomic
def move(
    agent: Agent | None, proposal_id: int, article_id: int, *, then_approve: bool = False
) -> PhrasingProposal:
    """Reassign a pending question to the article that really answers it (same brand);
    with `then_approve`, approve it there too — both or neither."""
    proposal = _proposal_for_write(agent, proposal_id)
    _pending(proposal)
    source = Article.objects.only("pk", "brand_id").get(pk=proposal.article_id)
    target = Article.objects.filter(pk=article_id, brand_id=source.brand_id).first()
    if target is None:
        raise v.invalid(_("No such article in this brand."), "article", "invalid_article")
    if target.pk == source.pk:
        return approve(agent, proposal.pk) if then_approve else proposal
    twin = PhrasingProposal.objects.filter(
        article=target, language=proposal.language, normalized=proposal.normalized
    ).first()
    if twin is not None:
        raise Conflict(
            _("That article already has this question in its review queue."),
            code="proposal_exists",
            details={"proposal": twin.pk},
        )
    proposal.article = target
    proposal.save(update_fields=["article"])
    record_audit(
        agent,
        "kb.proposal.move",
        "article",
        target.pk,
        {"proposal": proposal.pk, "from": source.pk, "to": target.pk, "text": proposal.text},
    )
    return approve(agent, proposal.pk) if then_approve else proposal


def clean_ids(ids: Iterable[object]) -> list[int]:
    """Selected ids from a form: numbers only, each once, at most MAX_BULK."""
    wanted: list[int] = []
    for raw in ids:
        pk = parse_id(raw)
        if pk is None:
            raise v.invalid(_("Unknown selection."), "ids", "invalid_ids")
        wanted.append(pk)
    wanted = list(dict.fromkeys(wanted))
    if not wanted:
        raise v.invalid(_("Select at least one question."), "ids", "nothing_selected")
    if len(wanted) > MAX_BULK:
        raise v.invalid(
            _("Select at most %(limit)d questions at a time.") % {"limit": MAX_BULK},
            "ids",
            "too_many_selected",
        )
    return wanted


def bulk_decide(agent: Agent | None, ids: Iterable[object], decision: str) -> BulkResult:
    """Approve or reject several questions as they are; each one on its own.

    Every id must exist for the agent (else 404 and nothing changes). Questions decided
    meanwhile by someone else are skipped; one that cannot be approved (for example its
    article lacks that language) is reported and does not stop the others.
    """
    require_editor(agent)
    if decision not in (ProposalStatus.APPROVED, ProposalStatus.REJECTED):
        raise v.invalid(_("Unknown decision."), "decision", "invalid_decision")
    wanted = clean_ids(ids)
    found = set(reviewable_proposals(agent).filter(pk__in=wanted).values_list("pk", flat=True))
    if len(found) != len(wanted):
        raise NotFound(_("Proposal not found."), code="proposal_not_found")
    result = BulkResult()
    for proposal_id in wanted:
        try:
            if decision == ProposalStatus.APPROVED:
                approve(agent, proposal_id)
            else:
                reject(agent, proposal_id)
        except Conflict as exc:
            if exc.code == "proposal_decided":
                result.skipped.append(proposal_id)
            else:
                result.failed[proposal_id] = str(exc.message)
        except DomainError as exc:
            result.failed[proposal_id] = str(exc.message)
        else:
            result.done.append(proposal_id)
    return result
