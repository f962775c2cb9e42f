"""Fixtures for email tests: the session's Dovecot, a fresh IMAP account, an inbox fetching it."""

from __future__ import annotations

import pytest

from tests.mailserver.dovecot import DovecotServer, dovecot, imap_user  # noqa: F401


@pytest.fixture
def imap_inbox(inboxes, dovecot: DovecotServer, imap_user: str):  # type: ignore[no-untyped-def]  # noqa: F811
    """The test email inbox, configured to fetch INBOX of a fresh account on the test Dovecot
    (plain IMAP on 127.0.0.1). Tests change `settings` (folders, imap_after) as they need."""
    inbox = inboxes["email"]
    inbox.settings = {
        **(inbox.settings or {}),
        "imap_host": dovecot.host,
        "imap_port": str(dovecot.port),
        "imap_security": "none",
        "imap_username": imap_user,
        "imap_folder": "INBOX",
        "imap_after": "keep",
    }
    inbox.credentials = {"imap_password": dovecot.passwords[imap_user]}
    inbox.save()
    return inbox
