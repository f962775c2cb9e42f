"""`madoguchi worker`: the sweeper delivers a stranded outbox row to a real SMTP server."""

from __future__ import annotations

import time
from datetime import timedelta
from email import message_from_bytes, policy
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from madoguchi.demo.mailcatcher import MailCatcher
from madoguchi.inboxes.ingest import ingest
from madoguchi.inboxes.messages import InboundMessage, SenderHandle
from madoguchi.inboxes.models import Outbox, OutboxState
from madoguchi.runtime.sweeper import OutboxSweeper
from madoguchi.tickets.actions import do_reply
from madoguchi.tickets.models import Delivery, Message
from tests.demo.test_mailcatcher import free_port


@pytest.mark.django_db(transaction=True)
def test_sweeper_delivers_an_orphaned_reply_to_the_mail_catcher(inboxes, agent, settings, tmp_path):
    port = free_port()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    result = ingest(
        InboundMessage(
            inbox_id=inboxes["form"].pk,
            external_id="form-1",
            sender=SenderHandle("email", "hanako@example.jp"),
            sender_name="山田 花子",
            subject="返品について",
            body_text="返品したいです。",
        )
    )
    reply = do_reply(agent, result.ticket_id, "山田様\n\n返品を承りました。")
    # The task that would deliver it was lost (the test backend drops it): the row is an orphan.
    Outbox.objects.filter(message=reply).update(created_at=timezone.now() - timedelta(minutes=5))
    folder = tmp_path / "caught"
    sweeper = OutboxSweeper(interval=0.2)
    with MailCatcher(folder, "127.0.0.1", port):
        sweeper.start()
        try:
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and not list(folder.glob("*.eml")):
                time.sleep(0.1)
        finally:
            sweeper.stop()
    assert not sweeper.is_alive()
    files = list(folder.glob("*.eml"))
    assert len(files) == 1
    mail = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert mail["To"].addresses[0].addr_spec == "hanako@example.jp"
    assert "返品を承りました" in mail.get_body(preferencelist=("plain",)).get_content()
    assert Outbox.objects.get(message=reply).state == OutboxState.SENT
    assert Message.objects.get(pk=reply.pk).delivery == Delivery.SENT


@pytest.mark.django_db
def test_worker_rejects_bad_options():
    with pytest.raises(CommandError):
        call_command("worker", interval=-1, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("worker", queues=" , ", stdout=StringIO())
    # The test settings use the dummy task backend: there is no queue to work.
    with pytest.raises(CommandError):
        call_command("worker", stdout=StringIO())


def test_serve_rejects_a_bad_port():
    with pytest.raises(CommandError):
        call_command("serve", port=70000, stdout=StringIO())
