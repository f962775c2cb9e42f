"""API fixtures: a client per agent token and a ticket to work on."""

from __future__ import annotations

import pytest

from madoguchi.accounts.models import Agent
from madoguchi.accounts.tokens import do_create_token

from .client import ApiClient, receive


@pytest.fixture(autouse=True)
def _fast_passwords(settings):  # type: ignore[no-untyped-def]
    """make_agent sets passwords; the production hasher costs ~0.7 s per agent."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_for(db):  # type: ignore[no-untyped-def]
    def make(agent: Agent) -> ApiClient:
        _token, raw = do_create_token(None, agent, "tests")
        return ApiClient(raw)

    return make


@pytest.fixture
def api(api_for, agent):  # type: ignore[no-untyped-def]
    return api_for(agent)


@pytest.fixture
def admin_api(api_for, admin):  # type: ignore[no-untyped-def]
    return api_for(admin)


@pytest.fixture
def ticket(inboxes):  # type: ignore[no-untyped-def]
    return receive(inboxes["email"], "注文した商品がまだ届きません。", subject="配送状況の確認")
