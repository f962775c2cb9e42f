"""Shared fixtures: a brand, inboxes of every kind, agents of every role."""

from __future__ import annotations

import os

import pytest
from django.conf import settings


def pytest_configure(config):  # type: ignore[no-untyped-def]
    # Rankings must not depend on whether the common-questions vectors are computed yet
    # (a background thread in production; cached in the data directory after the first run).
    from madoguchi.knowledge.engine import common_questions

    common_questions.WAIT_FOR_VECTORS = True


@pytest.fixture(autouse=True)
def _isolated_files(tmp_path, settings):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MAIL_CATCHER_DIR = tmp_path / "sent-mail"
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "outbox"],
        }
    }
    # make_agent sets passwords; the production hasher costs ~0.7 s per agent.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def brand(db):  # type: ignore[no-untyped-def]
    from madoguchi.accounts.models import Brand

    return Brand.objects.create(
        name="窓口テスト商店", slug="test-shop", support_email="support@shop.test"
    )


@pytest.fixture
def inboxes(brand):  # type: ignore[no-untyped-def]
    from madoguchi.inboxes.models import Inbox, InboxKind

    return {
        kind: Inbox.objects.create(
            brand=brand, kind=kind, name=f"{label}", slug=f"test-{kind}",
            address="support@shop.test" if kind in ("email", "form") else "",
        )
        for kind, label in InboxKind.choices
    }  # fmt: skip


@pytest.fixture
def make_agent(db):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import User

    from madoguchi.accounts.models import Agent

    def make(role: str = "agent", name: str = "", language: str = "ja") -> Agent:
        username = f"{role}-{User.objects.count() + 1}"
        user = User.objects.create_user(username, f"{username}@shop.test", "pass-1234-word")
        return Agent.objects.create(
            user=user, display_name=name or username, role=role, language=language
        )

    return make


@pytest.fixture
def agent(make_agent):  # type: ignore[no-untyped-def]
    return make_agent("agent", "佐藤 花子")


@pytest.fixture
def admin(make_agent):  # type: ignore[no-untyped-def]
    return make_agent("admin", "管理 太郎")


def pytest_report_header(config):  # type: ignore[no-untyped-def]
    url = os.environ.get("DATABASE_URL", "sqlite default")
    return f"database: {settings.DATABASES['default']['ENGINE']} ({url})"
