"""Events dispatch after commit and survive failing subscribers; errors have stable shapes."""

from __future__ import annotations

import pytest
from django.db import transaction

from madoguchi.core import events
from madoguchi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from madoguchi.core.secrets import decrypt, encrypt


@pytest.fixture
def seen():
    got: list[events.Event] = []
    events.subscribe(events.TicketMerged, got.append)
    events.subscribe(events.TicketMerged, got.append)  # subscribing twice is once
    yield got
    events.unsubscribe(events.TicketMerged, got.append)


@pytest.mark.django_db(transaction=True)
def test_emit_on_commit_waits_for_the_commit(seen):
    with transaction.atomic():
        events.emit_on_commit(events.TicketMerged(source_id=1, target_id=2))
        assert seen == []
    assert seen == [events.TicketMerged(source_id=1, target_id=2)]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_events_are_never_dispatched(seen):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit_on_commit(events.TicketMerged(source_id=1, target_id=2))
        raise RuntimeError
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolls back
            events.emit_on_commit(events.TicketMerged(source_id=3, target_id=4))
            raise RuntimeError
        events.emit_on_commit(events.TicketMerged(source_id=5, target_id=6))
    assert seen == [events.TicketMerged(source_id=5, target_id=6)]


def test_failing_handler_does_not_stop_the_others(seen, caplog):
    def broken(event: events.Event) -> None:
        raise ValueError("bug in a subscriber")

    events.subscribe(events.TicketMerged, broken)
    try:
        events.dispatch(events.TicketMerged(source_id=1, target_id=2))
    finally:
        events.unsubscribe(events.TicketMerged, broken)
    assert len(seen) == 1
    assert "bug in a subscriber" in caplog.text


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [(ValidationFailed, 422, "validation_error"), (NotFound, 404, "not_found"),
     (Forbidden, 403, "forbidden"), (Conflict, 409, "conflict")],
)  # fmt: skip
def test_error_shapes(error, status, code):
    exc = error("説明", details={"x": 1})
    assert exc.status == status
    assert exc.as_dict() == {"code": code, "message": "説明", "details": {"x": 1}}
    assert error("x", code="special").code == "special"


def test_secrets_round_trip_and_wrong_key(settings):
    token = encrypt('{"password": "秘密"}')
    assert "秘密" not in token
    assert decrypt(token) == '{"password": "秘密"}'
    settings.ENCRYPTION_KEY = "another key"
    with pytest.raises(ValueError, match="cannot be decrypted"):
        decrypt(token)


def test_inbox_credentials_are_encrypted_at_rest(inboxes):
    from django.db import connection

    from madoguchi.inboxes.models import Inbox

    inbox = inboxes["line"]
    inbox.credentials = {"channel_secret": "ひみつ-123"}
    inbox.save()
    with connection.cursor() as cur:
        cur.execute("SELECT credentials FROM inboxes_inbox WHERE id = %s", [inbox.pk])
        raw = cur.fetchone()[0]
    assert "ひみつ" not in raw and raw
    assert Inbox.objects.get(pk=inbox.pk).credentials == {"channel_secret": "ひみつ-123"}
    assert Inbox.objects.get(pk=inboxes["form"].pk).credentials == {}
