"""Fixtures for notification tests: tickets through ingest, the dummy task backend, events."""

from __future__ import annotations

import pytest

from madoguchi.core.events import Event, NotificationCreated, subscribe, unsubscribe
from tests.web.conftest import make_ticket  # noqa: F401  (the same ingest-made tickets)


@pytest.fixture
def task_backend(settings):  # type: ignore[no-untyped-def]
    """The dummy task backend; it records what was enqueued."""
    from django_tasks import default_task_backend

    default_task_backend.clear()  # type: ignore[attr-defined]
    return default_task_backend


@pytest.fixture
def created_events():  # type: ignore[no-untyped-def]
    """NotificationCreated events dispatched during the test (what the realtime layer hears)."""
    seen: list[NotificationCreated] = []

    def record(event: Event) -> None:
        assert isinstance(event, NotificationCreated)
        seen.append(event)

    subscribe(NotificationCreated, record)
    yield seen
    unsubscribe(NotificationCreated, record)


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run a block and then its on-commit callbacks (events, nested ones too)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
