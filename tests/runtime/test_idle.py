"""The worker's IDLE keeper: a thread per IMAP inbox, restarted on change, stopped on removal."""

from __future__ import annotations

import time

import pytest
from django.db import OperationalError

from madoguchi.inboxes.models import MailFolderState
from madoguchi.runtime.idle import IdleKeeper
from madoguchi.tickets.models import Ticket
from tests.connectors.email.conftest import imap_inbox  # noqa: F401  (fixture)
from tests.connectors.email.test_imap import jis_mail
from tests.mailserver.dovecot import DovecotServer, dovecot, imap_user  # noqa: F401


def _retry(action, seconds: float = 10.0):  # type: ignore[no-untyped-def]
    """SQLite's shared-cache test database answers "table is locked" while the idle thread
    writes; a real file database waits (busy timeout). Try again, as that would."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return action()
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _wait(condition, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not _retry(condition):
        assert time.monotonic() < deadline
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_keeper_idles_configured_inboxes_and_follows_changes(
    dovecot: DovecotServer,  # noqa: F811
    imap_user: str,  # noqa: F811
    imap_inbox,  # noqa: F811
    inboxes,
    settings,
) -> None:  # type: ignore[no-untyped-def]
    settings.IMAP_POLL_SECONDS = 600  # only IDLE can make the fetch fast
    keeper = IdleKeeper(interval=3600)
    try:
        assert _retry(keeper.reconcile) == {imap_inbox.pk}
        _wait(
            lambda: MailFolderState.objects.filter(
                inbox=imap_inbox, last_success_at__isnull=False
            ).exists()
        )
        time.sleep(0.3)  # the connection enters IDLE
        dovecot.append(
            imap_user, "INBOX", jis_mail("箱が潰れていました", "写真を送ります。", n=901)
        )
        _wait(lambda: Ticket.objects.filter(subject="箱が潰れていました").exists())
        first = keeper.idlers[imap_inbox.pk].thread
        # Another folder list: the old connection is replaced.
        imap_inbox.settings = {**imap_inbox.settings, "imap_folder": "INBOX, Archive"}
        _retry(imap_inbox.save)
        assert _retry(keeper.reconcile) == {imap_inbox.pk}
        assert not first.is_alive()
        assert keeper.idlers[imap_inbox.pk].thread is not first
        # Switched off: nothing idles any more.
        imap_inbox.is_active = False
        _retry(imap_inbox.save)
        assert _retry(keeper.reconcile) == set()
        # Inboxes without IMAP never idle.
        assert inboxes["form"].pk not in keeper.idlers
    finally:
        keeper.stopping.set()
        for pk in list(keeper.idlers):
            keeper._stop(pk)
