"""Fixtures for console and public-page tests: tickets through ingest, signed-in clients."""

from __future__ import annotations

import uuid

import pytest

from madoguchi.inboxes.ingest import ingest
from madoguchi.inboxes.messages import InboundMessage, SenderHandle
from madoguchi.tickets.models import Ticket


@pytest.fixture
def make_ticket(inboxes):  # type: ignore[no-untyped-def]
    """A ticket opened the way every ticket is: an InboundMessage through ingest()."""

    def make(
        kind: str = "form",
        *,
        email: str | None = "taro@example.jp",
        phone: str | None = None,
        name: str = "山田 太郎",
        subject: str = "配送状況について",
        body: str = "注文した商品がまだ届きません。確認をお願いします。",
        ticket: Ticket | None = None,
    ) -> Ticket:
        sender = SenderHandle("email", email) if email else SenderHandle("phone", phone or "")
        extra = [SenderHandle("phone", phone)] if phone and email else []
        result = ingest(
            InboundMessage(
                inbox_id=inboxes[kind].pk,
                external_id=f"test-{uuid.uuid4()}",
                sender=sender,
                extra_handles=extra,
                sender_name=name,
                subject=subject,
                body_text=body,
                ticket_id=ticket.pk if ticket else None,
            )
        )
        return Ticket.objects.get(pk=result.ticket_id)

    return make


@pytest.fixture
def login(client):  # type: ignore[no-untyped-def]
    """Sign an agent in on the test client, in the given console language."""

    def sign_in(agent, language: str = "ja"):  # type: ignore[no-untyped-def]
        client.force_login(agent.user)
        session = client.session
        session["language"] = language
        session.save()
        return client

    return sign_in


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    """Debian Chromium, headless, through Playwright (tests/web/browser.py has the flags)."""
    from .browser import CHROMIUM, CHROMIUM_ARGS

    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
