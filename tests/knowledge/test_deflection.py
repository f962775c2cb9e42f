"""Contact-form deflection: visits that showed articles, clicks, sent forms and the numbers."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from madoguchi.core.errors import NotFound, ValidationFailed
from madoguchi.inboxes.ingest import ingest
from madoguchi.inboxes.messages import InboundMessage, SenderHandle
from madoguchi.knowledge import deflection
from madoguchi.knowledge.deflection import (
    DEFLECTION_WINDOW,
    check_token,
    deflection_stats,
    note_click,
    note_shown,
    note_submitted,
    session_key,
    shown_for_ticket,
)
from madoguchi.knowledge.models import ContactDeflection, SearchLog, SearchSource
from madoguchi.tickets.models import Ticket

from .helpcenter_data import make_help_center


@pytest.fixture(autouse=True)
def _fresh_throttle():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def kb(brand, inboxes):  # type: ignore[no-untyped-def]
    return make_help_center(brand)


@pytest.fixture
def form(inboxes):  # type: ignore[no-untyped-def]
    return inboxes["form"]


def token() -> str:
    return str(uuid.uuid4())


def ticket_for(inbox, form_token: str) -> Ticket:  # type: ignore[no-untyped-def]
    """A ticket the way the contact form opens one: external id form-<token>."""
    result = ingest(
        InboundMessage(
            inbox_id=inbox.pk,
            external_id=f"form-{form_token}",
            sender=SenderHandle("email", "hanako@example.jp"),
            sender_name="佐藤 花子",
            subject="荷物が届きません",
            body_text="荷物がまだ届きません。",
        )
    )
    return Ticket.objects.get(pk=result.ticket_id)


def test_shown_articles_accumulate_once_per_visit_and_the_search_is_logged(kb, form):
    t = token()
    row = note_shown(form, t, "荷物 まだ", [kb.tracking.pk, kb.days.pk], language="ja")
    assert row is not None and row.brand_id == kb.brand.pk and row.inbox_id == form.pk
    again = note_shown(form, t, "荷物がまだ届かない", [kb.days.pk, kb.double_order.pk])
    assert again is not None and again.pk == row.pk
    stored = ContactDeflection.objects.get()
    assert stored.shown == [kb.tracking.pk, kb.days.pk, kb.double_order.pk]
    assert stored.last_query == "荷物がまだ届かない"
    assert stored.first_clicked_at is None and stored.ticket_id is None
    # as-you-type: one search row for the visit, keyed by a key derived from the token
    log = SearchLog.objects.get()
    assert log.source == SearchSource.CONTACT_FORM and log.brand_id == kb.brand.pk
    assert log.query == "荷物がまだ届かない" and log.shown == [kb.days.pk, kb.double_order.pk]
    assert log.session == session_key(t) and t not in log.session


def test_a_question_without_suggestions_is_logged_but_opens_no_visit(kb, form):
    t = token()
    assert note_shown(form, t, "ギフト包装はできますか", []) is None
    assert not ContactDeflection.objects.exists()
    log = SearchLog.objects.get()
    assert log.result_count == 0 and log.query == "ギフト包装はできますか"


@pytest.mark.parametrize(
    "bad",
    ["", "forged", "../../etc", "x" * 36, str(uuid.uuid4()) + "0", "%s" % ("a" * 64), None],
)
def test_bad_tokens_are_refused_and_nothing_is_written(kb, form, bad):
    with pytest.raises(ValidationFailed) as caught:
        note_shown(form, bad, "荷物", [kb.tracking.pk])
    assert caught.value.code == "bad_token"
    with pytest.raises(ValidationFailed):
        note_click(bad, kb.tracking.pk)
    assert note_submitted(bad, ticket_for(form, token())) is None
    assert not ContactDeflection.objects.exists() and not SearchLog.objects.exists()


def test_token_is_canonical_so_case_and_braces_do_not_split_a_visit(kb, form):
    t = token()
    assert check_token(t.upper()) == t
    note_shown(form, t.upper(), "荷物", [kb.tracking.pk])
    note_shown(form, t, "荷物", [kb.days.pk])
    assert ContactDeflection.objects.get().token == t


def test_a_token_of_another_forms_visit_is_refused(kb, form, inboxes, brand):
    from madoguchi.inboxes.models import Inbox, InboxKind

    other = Inbox.objects.create(brand=brand, kind=InboxKind.FORM, name="2", slug="other-form")
    t = token()
    note_shown(form, t, "荷物", [kb.tracking.pk])
    with pytest.raises(ValidationFailed):
        note_shown(other, t, "荷物", [kb.days.pk])
    with pytest.raises(NotFound):
        note_click(t, kb.tracking.pk, inbox=other)
    assert ContactDeflection.objects.get().shown == [kb.tracking.pk]


def test_a_visit_keeps_a_bounded_number_of_articles(kb, form, monkeypatch):
    monkeypatch.setattr(deflection, "MAX_SHOWN", 2)
    t = token()
    note_shown(form, t, "a b", [kb.tracking.pk, kb.days.pk, kb.double_order.pk])
    assert ContactDeflection.objects.get().shown == [kb.tracking.pk, kb.days.pk]


def test_one_client_opens_a_limited_number_of_visits(kb, form, monkeypatch):
    monkeypatch.setattr(deflection, "NEW_VISITS_PER_HOUR", 2)
    first, second = token(), token()
    assert note_shown(form, first, "荷物", [kb.tracking.pk], client="c1")
    assert note_shown(form, second, "荷物", [kb.tracking.pk], client="c1")
    assert note_shown(form, token(), "荷物", [kb.tracking.pk], client="c1") is None
    assert ContactDeflection.objects.count() == 2
    # visits already open keep working, other clients are not affected
    assert note_shown(form, first, "届かない", [kb.days.pk], client="c1") is not None
    assert note_shown(form, token(), "荷物", [kb.tracking.pk], client="c2") is not None
    assert ContactDeflection.objects.count() == 3


def test_click_counts_only_for_articles_the_visit_showed_and_only_once(kb, form):
    t = token()
    note_shown(form, t, "荷物いまどこ", [kb.tracking.pk, kb.days.pk])
    with pytest.raises(NotFound):
        note_click(t, kb.double_order.pk)  # never shown on this form
    with pytest.raises(NotFound):
        note_click(token(), kb.tracking.pk)  # an unknown visit
    row = ContactDeflection.objects.get()
    assert row.clicked == [] and row.first_clicked_at is None

    note_click(t, kb.days.pk)
    first = ContactDeflection.objects.get().first_clicked_at
    assert first is not None
    note_click(t, kb.days.pk)
    note_click(t, kb.tracking.pk, inbox=form)
    row = ContactDeflection.objects.get()
    assert row.clicked == [kb.days.pk, kb.tracking.pk] and row.first_clicked_at == first
    log = SearchLog.objects.get()
    assert log.clicked_article_id == kb.days.pk and log.clicked_at is not None


def test_submitted_links_the_ticket_once_and_ends_the_visit(kb, form):
    t = token()
    note_shown(form, t, "荷物", [kb.tracking.pk])
    note_click(t, kb.tracking.pk)
    ticket = ticket_for(form, t)
    row = note_submitted(t, ticket)
    assert row is not None and row.ticket_id == ticket.pk and row.submitted_at is not None
    at = row.submitted_at
    assert note_submitted(t, ticket).submitted_at == at  # type: ignore[union-attr]
    assert ticket.contact_deflection.pk == row.pk  # type: ignore[attr-defined]
    # the visit is over: later suggestions change nothing
    assert note_shown(form, t, "別の質問", [kb.days.pk]) is None
    assert ContactDeflection.objects.get().shown == [kb.tracking.pk]


def test_submitted_without_suggestions_or_from_another_form_records_nothing(kb, form, inboxes):
    assert note_submitted(token(), ticket_for(form, token())) is None
    t = token()
    note_shown(form, t, "荷物", [kb.tracking.pk])
    email_ticket = ticket_for(inboxes["email"], t)
    assert note_submitted(t, email_ticket) is None
    assert ContactDeflection.objects.get().ticket_id is None


def test_shown_for_ticket_lists_titles_public_urls_and_opened(kb, form):
    t = token()
    note_shown(form, t, "荷物", [kb.tracking.pk, kb.days.pk, kb.double_order.pk])
    note_click(t, kb.days.pk)
    ticket = ticket_for(form, t)
    note_submitted(t, ticket)
    kb.double_order.status = "draft"  # unpublished since: title stays, link goes
    kb.double_order.save()
    shown = shown_for_ticket(ticket)
    assert [(s.article_id, s.title, s.clicked) for s in shown] == [
        (kb.tracking.pk, "配送状況の確認方法", False),
        (kb.days.pk, "お届けまでの日数", True),
        (kb.double_order.pk, "二重注文してしまった場合", False),
    ]
    assert shown[0].url == f"/help/test-shop/a/{kb.tracking.pk}/"
    assert shown[2].url == ""
    assert shown_for_ticket(ticket_for(form, token())) == []


def _visit(form, pk: int, *, clicked_ago=None, submitted=False, created_ago=timedelta(0)):  # type: ignore[no-untyped-def]
    t = token()
    row = note_shown(form, t, "荷物", [pk])
    now = timezone.now()
    if clicked_ago is not None:
        note_click(t, pk)
    if submitted:
        note_submitted(t, ticket_for(form, t))
    updates = {"created_at": now - created_ago}
    if clicked_ago is not None:
        updates["first_clicked_at"] = now - clicked_ago
    ContactDeflection.objects.filter(pk=row.pk).update(**updates)  # type: ignore[union-attr]
    return row


def test_stats_count_deflected_visits_after_the_window(kb, form):
    old = DEFLECTION_WINDOW + timedelta(minutes=1)
    _visit(form, kb.tracking.pk)  # shown, nothing opened
    _visit(form, kb.tracking.pk, clicked_ago=old)  # opened and left: deflected
    _visit(form, kb.tracking.pk, clicked_ago=old)  # deflected
    _visit(form, kb.tracking.pk, clicked_ago=timedelta(minutes=5))  # still reading
    _visit(form, kb.tracking.pk, clicked_ago=old, submitted=True)  # opened, wrote anyway
    _visit(form, kb.tracking.pk, submitted=True)  # wrote without opening
    _visit(form, kb.tracking.pk, clicked_ago=old, created_ago=timedelta(days=3))  # outside
    now = timezone.now()
    stats = deflection_stats([kb.brand.pk], now - timedelta(days=1), now + timedelta(seconds=1))
    assert stats.visits_with_suggestions == 6
    assert stats.clicked == 4
    assert stats.deflected == 2
    assert stats.submitted_after_click == 1
    assert stats.rate == pytest.approx(2 / 6)
    # an hour later the one still reading counts as deflected too
    later = deflection_stats(
        None, now - timedelta(days=1), now + timedelta(seconds=1), now=now + timedelta(hours=1)
    )
    assert later.deflected == 3


def test_stats_are_per_brand_and_zero_without_visits(kb, form):
    now = timezone.now()
    _visit(form, kb.tracking.pk, clicked_ago=timedelta(hours=1))
    empty = deflection_stats([kb.other_brand.brand_id], now - timedelta(days=1), now)
    assert empty.visits_with_suggestions == 0 and empty.rate == 0.0
    assert deflection_stats([], now - timedelta(days=1), now).visits_with_suggestions == 0
    mine = deflection_stats([kb.brand.pk], now - timedelta(days=1), now + timedelta(seconds=1))
    assert (mine.visits_with_suggestions, mine.deflected, mine.rate) == (1, 1, 1.0)
