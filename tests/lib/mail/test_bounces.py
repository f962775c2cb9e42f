"""Real bounces, complaints and auto-replies (copied fixtures) through the classifier.

Sources: sisimai/set-of-emails (BSD-2-Clause) and chatwoot (MIT); see the LICENSE-* files
next to the fixtures.
"""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from madoguchi.lib.mail.bounces import find_bounce
from madoguchi.lib.mail.loops import classify
from madoguchi.lib.mail.types import MailKind

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "email"


def load(group: str, name: str):
    raw = (FIXTURES / group / name).read_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default)


# file, kind, (address, status, reason, hard) of the first recipient or None, original Message-ID
CASES = [
    (
        "lhost-postfix-01.eml",
        MailKind.BOUNCE,
        ("r@p351355.pool.example.ne.jp", "5.1.1", "mailererror", False),
        "",
    ),
    (
        "lhost-sendmail-01.eml",
        MailKind.BOUNCE,
        ("userunknown@bouncehammer.jp", "5.1.1", "userunknown", True),
        "<E1C50F1B-1C83-4820-BC36-AC6FBFBE8568@example.org>",
    ),
    (
        "lhost-qmail-01.eml",
        MailKind.BOUNCE,
        ("kijitora@example.ne.jp", "5.5.0", "userunknown", True),
        "<000000000.9999999999999.JavaMail.postmaster@mailhub>",
    ),
    (
        "lhost-exim-01.eml",
        MailKind.BOUNCE,
        ("kijitora@example.ed.jp", "5.7.0", "rejected", False),
        "<E1P1ce6-000Egt-GZ@e1.example.org>",
    ),
    (
        "lhost-gmail-06.eml",
        MailKind.BOUNCE,
        ("kijitora@example.jp", "4.2.2", "mailboxfull", False),
        "<A4D6026C-0699-460F-9F86-C2A5CB4BE6CE@gmail.com>",
    ),
    (
        "lhost-ezweb-01.eml",
        MailKind.BOUNCE,
        ("this-message-rejected-by-the-domain-filter@ezweb.ne.jp", "", "filtered", False),
        "<20080907124011.12ABCD8@lsean.ezweb.ne.jp>",
    ),
    (
        "lhost-kddi-01.eml",
        MailKind.BOUNCE,
        ("kijitora@x0000000000000.dion.ne.jp", "", "mailboxfull", False),
        "<2013000000000000@example.jp>",
    ),
    (
        "lhost-amazonses-09.eml",
        MailKind.BOUNCE,
        ("bounce@simulator.amazonses.com", "5.1.1", "userunknown", True),
        "",
    ),
    (
        "bounced_gmail.eml",
        MailKind.BOUNCE,
        ("alex.jones@fictionalcorp.com", "5.1.1", "userunknown", True),
        "<conversation/93775311-9416-4428-964b-862001f8a8b2/messages/27855337@gmail.com>",
    ),
    ("arf-01.eml", MailKind.COMPLAINT, ("redacted@example.net", "", "feedback", False), ""),
    ("is-not-bounce-01.eml", MailKind.NORMAL, None, ""),
    # sisimai keeps this one as "not a bounce"; it does carry Auto-Submitted, so it is an
    # automatic mail that must not be answered, but no address is marked dead.
    ("rb-issue-368-bug.eml", MailKind.AUTO_REPLY, None, ""),
]


@pytest.mark.parametrize("name,kind,first,original", CASES, ids=[c[0] for c in CASES])
def test_bounce_fixture(name, kind, first, original):
    result = classify(load("bounces", name), own_addresses=["support@madoguchi.example"])
    assert result.kind == kind, result.why
    if first is None:
        assert result.recipients == []
    else:
        r = result.recipients[0]
        assert (r.address, r.status, r.reason, r.hard) == first
    assert result.original_message_id == original


def test_kddi_japanese_subject_is_the_reason_shown():
    result = classify(load("bounces", "lhost-kddi-01.eml"))
    assert "メールエラー" in result.why


def test_find_bounce_returns_none_for_a_person():
    assert find_bounce(load("bounces", "is-not-bounce-01.eml")) is None


@pytest.mark.parametrize(
    "name,why",
    [
        ("rfc3834-01.eml", "Auto-Submitted"),
        ("rfc3834-02.eml", "X-Auto-Response-Suppress"),
        ("auto_reply.eml", "X-Autoreply"),
    ],
)
def test_auto_reply_fixture(name, why):
    result = classify(load("autoreply", name))
    assert result.kind == MailKind.AUTO_REPLY
    assert why in result.why
    assert result.recipients == []
