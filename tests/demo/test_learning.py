"""The learning loop on the demo shops: real replies with article links → proposals through
knowledge.learning, a few decided by the lead, shown in the review queue; re-runs are no-ops."""

from __future__ import annotations

import pytest

from madoguchi.accounts.models import Agent, Brand
from madoguchi.demo.learning import seed_learning
from madoguchi.demo.seed import DEMO_SLUGS, seed
from madoguchi.inboxes.models import Outbox, OutboxState
from madoguchi.knowledge.engine.store import forget
from madoguchi.knowledge.models import (
    ArticleTranslation,
    ArticleUse,
    ArticleUseKind,
    PhrasingProposal,
    ProposalStatus,
)
from madoguchi.knowledge.questions import normalize_phrasing
from madoguchi.tickets.models import AuthorKind, Direction


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    forget(everything=True)
    with django_capture_on_commit_callbacks(execute=False):
        seed(customers=40, tickets=160)
    yield {b.slug: b for b in Brand.objects.filter(slug__in=DEMO_SLUGS)}
    forget(everything=True)


def test_demo_learning_goes_through_the_real_loop(demo, client):
    # seed() runs the learning loop itself, right after the help centers.
    total = PhrasingProposal.objects.count()
    assert total >= 4
    per_brand = {
        slug: PhrasingProposal.objects.filter(article__brand=b) for slug, b in demo.items()
    }
    assert all(rows.exists() for rows in per_brand.values())
    for proposal in PhrasingProposal.objects.select_related("source_message", "ticket"):
        source = proposal.source_message
        assert source is not None and source.ticket_id == proposal.ticket_id
        assert (source.direction, source.author_kind) == (Direction.INBOUND, AuthorKind.CUSTOMER)
        assert proposal.proposed_by is not None
        assert proposal.normalized == normalize_phrasing(proposal.text)
        use = ArticleUse.objects.get(article=proposal.article, ticket=proposal.ticket)
        assert use.kind == ArticleUseKind.LINK
        assert f"/a/{proposal.article_id}" in use.message.body_text  # the link it sent
        assert use.message.created_at > source.created_at
        outbox = Outbox.objects.filter(message=use.message).first()
        assert outbox is None or outbox.state == OutboxState.SENT  # history, not sent now
    for proposal in PhrasingProposal.objects.filter(status=ProposalStatus.APPROVED):
        phrasings = ArticleTranslation.objects.get(
            article=proposal.article, language=proposal.language
        ).phrasings
        assert proposal.text in phrasings and proposal.decided_by.user.username == "lead"
    for rows in per_brand.values():  # the lead approved some and rejected one, per shop
        assert rows.filter(status=ProposalStatus.APPROVED).exists()
        assert rows.filter(status=ProposalStatus.REJECTED).exists()
        assert rows.filter(status=ProposalStatus.PENDING).exists()
    # the lead's queue shows the waiting ones
    lead = Agent.objects.get(user__username="lead")
    client.force_login(lead.user)
    brand = next(iter(demo.values()))
    page = client.get(f"/knowledge/proposals/?brand={brand.pk}")
    waiting = PhrasingProposal.objects.filter(article__brand=brand, status=ProposalStatus.PENDING)
    assert page.status_code == 200
    assert page.text.count('name="ids"') == waiting.count()
    # again: nothing new
    again = seed_learning()
    assert all(r.replies == 0 and r.proposals == 0 for r in again.values())
    assert PhrasingProposal.objects.count() == total
