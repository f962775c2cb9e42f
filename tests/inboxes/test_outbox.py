"""Replies through the outbox to a real SMTP server: delivery, retry, dead letter, recovery."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from madoguchi.core import events
from madoguchi.core.errors import Conflict, Forbidden, NotFound
from madoguchi.inboxes import delivery
from madoguchi.inboxes.delivery import deliver, do_retry_dead_letter, due_outbox_ids, sweep
from madoguchi.inboxes.messages import SenderHandle
from madoguchi.inboxes.models import Outbox, OutboxState
from madoguchi.lib.mail import tokens
from madoguchi.tickets.actions import do_reply
from madoguchi.tickets.actions.replies import NewAttachment
from madoguchi.tickets.models import Delivery, Message, Ticket

from .factories import receive


class Boom(Exception):
    pass


@pytest.fixture
def task_backend(settings):
    """The dummy task backend with the real queue names; it records what was enqueued."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "outbox"],
        }
    }
    from django_tasks import default_task_backend

    default_task_backend.clear()  # type: ignore[attr-defined]
    return default_task_backend


@pytest.fixture
def ticket(inboxes, task_backend):
    result = receive(
        inboxes["form"],
        sender=SenderHandle("email", "Taro.Yamada@Example.jp"),
        sender_name="山田 太郎",
        subject="引越しに伴う住所変更",
        body_text="来月引っ越します。住所を変更してください。",
    )
    return Ticket.objects.get(pk=result.ticket_id)


@pytest.fixture
def dead_letters():
    seen: list[events.Event] = []
    events.subscribe(events.MessageDeadLettered, seen.append)
    events.subscribe(events.MessageDelivered, seen.append)
    yield seen
    events.unsubscribe(events.MessageDeadLettered, seen.append)
    events.unsubscribe(events.MessageDelivered, seen.append)


REPLY = "山田様\n\nお問い合わせありがとうございます。住所変更を承りました。\n\n窓口テスト商店 佐藤"


def make_due(outbox: Outbox) -> None:
    Outbox.objects.filter(pk=outbox.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_reply_creates_message_and_outbox_in_one_transaction(ticket, agent):
    message = do_reply(agent, ticket.pk, REPLY)
    outbox = Outbox.objects.get(message=message)
    assert outbox.state == OutboxState.PENDING and outbox.attempts == 0
    assert outbox.inbox_id == ticket.inbox_id
    assert message.delivery == Delivery.QUEUED
    assert message.meta["route"] == {"transport": "email", "to": "taro.yamada@example.jp"}
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.first_response_at is not None


def test_rolled_back_reply_leaves_neither_message_nor_outbox(ticket, agent, task_backend):
    with pytest.raises(Boom), transaction.atomic():
        do_reply(agent, ticket.pk, REPLY)
        raise Boom
    assert Message.objects.filter(ticket=ticket).count() == 1
    assert Outbox.objects.count() == 0
    assert task_backend.results == []


def test_internal_note_never_reaches_the_outbox(ticket, agent):
    note = do_reply(agent, ticket.pk, "社内メモ: 住所変更は明日対応", internal=True)
    assert note.delivery == Delivery.NOT_SENT and note.is_internal
    assert Outbox.objects.count() == 0


def test_queued_reply_enqueues_a_delivery_task(
    ticket, agent, task_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = do_reply(agent, ticket.pk, REPLY)
    outbox = Outbox.objects.get(message=message)
    [result] = task_backend.results
    assert result.task.name == "deliver_outbox"
    assert result.task.queue_name == "outbox"
    assert result.args == [outbox.pk]


def test_delivered_mail_is_correct(ticket, agent, smtp_server, dead_letters):
    message = do_reply(agent, ticket.pk, REPLY)
    outbox = Outbox.objects.get(message=message)
    assert deliver(outbox.pk) == "sent"
    [envelope] = smtp_server.envelopes
    assert envelope.mail_from == "support@shop.test"
    assert envelope.rcpt_tos == ["taro.yamada@example.jp"]
    [mail] = smtp_server.messages
    # A reply to the form submission: "Re:" and the ticket tag (composing.reply_subject).
    assert mail["Subject"] == f"Re: 引越しに伴う住所変更 [#{ticket.number}]"
    assert mail["From"].addresses[0].display_name == "窓口テスト商店"
    assert mail["From"].addresses[0].addr_spec == "support@shop.test"
    assert mail["To"].addresses[0].display_name == "山田 太郎"
    # Stable across retries (idempotency key) and signed with the ticket token (threading).
    assert mail["Message-ID"] == tokens.message_id(
        "shop.test", ticket.pk, str(outbox.idempotency_key)
    )
    assert mail["X-Madoguchi-Ticket"] == str(ticket.number)
    assert mail["In-Reply-To"] is None  # the form submission has no Message-ID to answer
    plain = mail.get_body(preferencelist=("plain",))
    assert plain.get_content().replace("\r\n", "\n").strip() == REPLY
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "住所変更を承りました。" in html
    outbox.refresh_from_db()
    assert outbox.state == OutboxState.SENT and outbox.sent_at is not None
    assert outbox.provider_message_id == mail["Message-ID"]
    message.refresh_from_db()
    assert message.delivery == Delivery.SENT
    assert message.external_id == mail["Message-ID"]


def test_next_reply_threads_onto_the_previous_mail(ticket, agent, smtp_server):
    first = do_reply(agent, ticket.pk, "一通目の返信です。")
    deliver(Outbox.objects.get(message=first).pk)
    second = do_reply(agent, ticket.pk, "二通目の返信です。")
    deliver(Outbox.objects.get(message=second).pk)
    one, two = smtp_server.messages
    assert two["In-Reply-To"] == one["Message-ID"]
    assert two["References"] == one["Message-ID"]
    assert two["Subject"].count(f"[#{ticket.number}]") == 1


def test_reply_to_an_email_answers_its_message_id(inboxes, agent, smtp_server):
    result = receive(
        inboxes["email"],
        external_id="<CAF1234@mail.example.jp>",
        sender=SenderHandle("email", "hanako@example.jp"),
        subject="Re: 注文の確認",
    )
    message = do_reply(agent, result.ticket_id, "ご連絡ありがとうございます。")
    deliver(Outbox.objects.get(message=message).pk)
    [mail] = smtp_server.messages
    assert mail["In-Reply-To"] == "<CAF1234@mail.example.jp>"
    assert mail["References"] == "<CAF1234@mail.example.jp>"
    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert mail["Subject"] == f"Re: 注文の確認 [#{ticket.number}]"


def test_attachments_travel_with_japanese_names(ticket, agent, smtp_server):
    message = do_reply(
        agent,
        ticket.pk,
        "見積書を添付します。",
        attachments=[NewAttachment("見積書.pdf", "application/pdf", b"%PDF-1.4 estimate")],
    )
    deliver(Outbox.objects.get(message=message).pk)
    [mail] = smtp_server.messages
    [part] = list(mail.iter_attachments())
    assert part.get_filename() == "見積書.pdf"
    assert part.get_content() == b"%PDF-1.4 estimate"


def test_server_down_means_retry_later(ticket, agent, smtp_down):
    message = do_reply(agent, ticket.pk, REPLY)
    outbox = Outbox.objects.get(message=message)
    before = timezone.now()
    assert deliver(outbox.pk) == "retrying"
    outbox.refresh_from_db()
    assert outbox.state == OutboxState.RETRYING
    assert outbox.attempts == 1
    assert outbox.next_attempt_at > before
    assert outbox.locked_until is None
    assert outbox.last_error_kind == "retryable"
    assert "unreachable" in outbox.last_error
    message.refresh_from_db()
    assert message.delivery == Delivery.RETRYING
    # Not due yet: a second worker leaves it alone.
    assert deliver(outbox.pk) == "skipped"
    assert Outbox.objects.get(pk=outbox.pk).attempts == 1


def test_retry_is_scheduled_for_its_due_time(
    ticket, agent, smtp_down, task_backend, django_capture_on_commit_callbacks
):
    message = do_reply(agent, ticket.pk, REPLY)
    outbox = Outbox.objects.get(message=message)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(outbox.pk)
    outbox.refresh_from_db()
    [result] = task_backend.results
    assert result.args == [outbox.pk]
    assert result.task.run_after == outbox.next_attempt_at


def test_failures_end_in_a_visible_dead_letter_and_recover(
    ticket, agent, smtp_down, settings, dead_letters, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = do_reply(agent, ticket.pk, REPLY)
    outbox = Outbox.objects.get(message=message)
    outcomes = []
    with django_capture_on_commit_callbacks(execute=True):
        for _attempt in range(3):
            outcomes.append(deliver(outbox.pk))
            if outcomes[-1] == "retrying":
                make_due(outbox)
    assert outcomes == ["retrying", "retrying", "dead"]
    outbox.refresh_from_db()
    assert outbox.state == OutboxState.DEAD and outbox.attempts == 3
    assert outbox.next_attempt_at is None
    assert "unreachable" in outbox.last_error
    message.refresh_from_db()
    assert message.delivery == Delivery.FAILED
    assert dead_letters == [
        events.MessageDeadLettered(message_id=message.pk, error=outbox.last_error)
    ]
    # A dead letter stays dead until someone retries it, even when the server is back.
    smtp_down.start()
    assert deliver(outbox.pk) == "skipped"
    assert outbox.pk not in due_outbox_ids()
    with django_capture_on_commit_callbacks(execute=True):
        do_retry_dead_letter(agent, outbox.pk)
    outbox.refresh_from_db()
    assert outbox.state == OutboxState.PENDING and outbox.attempts == 0
    assert Message.objects.get(pk=message.pk).delivery == Delivery.QUEUED
    assert deliver(outbox.pk) == "sent"
    assert deliver(outbox.pk) == "skipped"
    assert len(smtp_down.envelopes) == 1
    outbox.refresh_from_db()
    assert outbox.state == OutboxState.SENT and outbox.last_error == ""
    assert Message.objects.get(pk=message.pk).delivery == Delivery.SENT


def test_permanent_refusal_is_a_dead_letter_at_once(
    ticket, agent, smtp_server, dead_letters, django_capture_on_commit_callbacks
):
    smtp_server.refuse("550 5.1.1 <taro.yamada@example.jp>: user unknown")
    message = do_reply(agent, ticket.pk, REPLY)
    outbox = Outbox.objects.get(message=message)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(outbox.pk) == "dead"
    outbox.refresh_from_db()
    assert outbox.attempts == 1 and outbox.last_error_kind == "permanent"
    assert "550" in outbox.last_error and "user unknown" in outbox.last_error
    assert Message.objects.get(pk=message.pk).delivery == Delivery.FAILED
    assert [type(e) for e in dead_letters] == [events.MessageDeadLettered]
    assert smtp_server.envelopes == []


def test_temporary_refusal_is_retried(ticket, agent, smtp_server):
    smtp_server.refuse("451 4.3.0 greylisted, try again later")
    message = do_reply(agent, ticket.pk, REPLY)
    outbox = Outbox.objects.get(message=message)
    assert deliver(outbox.pk) == "retrying"
    outbox.refresh_from_db()
    assert outbox.last_error_kind == "retryable" and "451" in outbox.last_error
    smtp_server.refuse("")
    make_due(outbox)
    assert deliver(outbox.pk) == "sent"
    assert len(smtp_server.envelopes) == 1


def test_invalid_recipient_is_permanent(ticket, agent, smtp_server):
    message = do_reply(agent, ticket.pk, REPLY)
    meta = {**message.meta, "route": {"transport": "email", "to": "not an address"}}
    Message.objects.filter(pk=message.pk).update(meta=meta)
    assert deliver(Outbox.objects.get(message=message).pk) == "dead"
    assert smtp_server.envelopes == []


def test_deliver_twice_sends_once(ticket, agent, smtp_server):
    message = do_reply(agent, ticket.pk, REPLY)
    outbox = Outbox.objects.get(message=message)
    assert [deliver(outbox.pk), deliver(outbox.pk)] == ["sent", "skipped"]
    assert len(smtp_server.envelopes) == 1
    assert deliver(987_654) == "skipped"


def test_row_claimed_by_another_worker_is_left_alone(ticket, agent, smtp_server):
    message = do_reply(agent, ticket.pk, REPLY)
    outbox = Outbox.objects.get(message=message)
    Outbox.objects.filter(pk=outbox.pk).update(
        state=OutboxState.SENDING, locked_until=timezone.now() + timedelta(minutes=5)
    )
    assert deliver(outbox.pk) == "skipped"
    assert smtp_server.envelopes == []


def test_sweep_picks_up_orphans_due_retries_and_expired_claims(ticket, agent, smtp_server):
    now = timezone.now()
    rows = {
        name: Outbox.objects.get(message=do_reply(agent, ticket.pk, f"{name} の返信"))
        for name in ("orphan", "due", "expired", "fresh", "later", "sent", "dead")
    }
    old = now - timedelta(seconds=delivery.ORPHAN_SECONDS + 5)
    Outbox.objects.filter(pk=rows["orphan"].pk).update(created_at=old)
    Outbox.objects.filter(pk=rows["due"].pk).update(
        state=OutboxState.RETRYING, attempts=1, next_attempt_at=now - timedelta(seconds=1)
    )
    Outbox.objects.filter(pk=rows["expired"].pk).update(
        state=OutboxState.SENDING, attempts=1, locked_until=now - timedelta(seconds=1)
    )
    Outbox.objects.filter(pk=rows["later"].pk).update(
        state=OutboxState.RETRYING, attempts=1, next_attempt_at=now + timedelta(hours=1)
    )
    Outbox.objects.filter(pk=rows["sent"].pk).update(state=OutboxState.SENT, created_at=old)
    Outbox.objects.filter(pk=rows["dead"].pk).update(state=OutboxState.DEAD, created_at=old)
    expected = sorted(rows[name].pk for name in ("orphan", "due", "expired"))
    assert sorted(due_outbox_ids()) == expected
    assert sweep() == 3
    assert len(smtp_server.envelopes) == 3
    states = dict(Outbox.objects.values_list("pk", "state"))
    assert {states[pk] for pk in expected} == {OutboxState.SENT}
    assert states[rows["fresh"].pk] == OutboxState.PENDING
    assert states[rows["later"].pk] == OutboxState.RETRYING
    assert sweep() == 0


def test_retry_dead_letter_refusals(ticket, agent, make_agent, smtp_server):
    message = do_reply(agent, ticket.pk, REPLY)
    outbox = Outbox.objects.get(message=message)
    with pytest.raises(Conflict) as info:
        do_retry_dead_letter(agent, outbox.pk)
    assert info.value.code == "not_dead_letter"
    Outbox.objects.filter(pk=outbox.pk).update(state=OutboxState.DEAD, last_error="x")
    with pytest.raises(Forbidden):
        do_retry_dead_letter(make_agent("viewer"), outbox.pk)
    with pytest.raises(NotFound):
        do_retry_dead_letter(make_agent("outsourced"), outbox.pk)
    with pytest.raises(NotFound) as missing:
        do_retry_dead_letter(agent, 987_654)
    assert missing.value.code == "outbox_not_found"
    assert Outbox.objects.get(pk=outbox.pk).state == OutboxState.DEAD


def test_queue_refusing_the_task_is_logged_not_raised(ticket, agent, settings, caplog):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
    }
    message = do_reply(agent, ticket.pk, REPLY)
    outbox = Outbox.objects.get(message=message)
    with caplog.at_level(logging.ERROR):
        assert delivery.schedule(outbox.pk) is False
    assert "sweep will pick it up" in caplog.text
