"""Which ticket an incoming mail belongs to (issue 4 §3, DESIGN.md §5), in this order:

1. one of our own Message-IDs (carrying a signed ticket token) in In-Reply-To / References;
2. a Message-ID we already stored on a ticket of this inbox (the customer's earlier mail,
   or our reply whose id the provider gave back);
3. a signed reply-address token in a recipient (`support+t.<token>@…`);
4. a `[#12345]` ticket tag in the subject, only when the sender already takes part in that
   ticket (its customer, or an address that wrote or was copied on it);
5. otherwise a new ticket.

A changed subject with correct headers stays in its ticket (rules 1–3 ignore the subject), and
a stranger quoting a ticket number does not join it (rule 4).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from madoguchi.customers.models import Identity, IdentityKind
from madoguchi.lib.mail.tokens import ticket_from_token
from madoguchi.tickets.models import Message, Ticket

SUBJECT_TAG = re.compile(r"\[#(\d{1,12})\]")
MAX_IDS = 100


class Rule:
    OWN_MESSAGE_ID = "own_message_id"
    KNOWN_MESSAGE_ID = "known_message_id"
    REPLY_ADDRESS = "reply_address"
    SUBJECT_TAG = "subject_tag"
    NEW = "new"


@dataclass(frozen=True)
class ThreadMatch:
    ticket_id: int | None
    rule: str


def find_thread(
    inbox_id: int,
    *,
    message_ids: Sequence[str],
    recipients: Iterable[str],
    subject: str,
    sender: str,
) -> ThreadMatch:
    """`message_ids`: In-Reply-To first, then References newest first."""
    ids = [m for m in dict.fromkeys(message_ids) if m][:MAX_IDS]
    for mid in ids:
        ticket_id = ticket_from_token(mid)
        if ticket_id is not None and Ticket.objects.filter(pk=ticket_id).exists():
            return ThreadMatch(ticket_id, Rule.OWN_MESSAGE_ID)
    if ids:
        known = _known_ids(inbox_id, ids)
        for mid in ids:
            if mid in known:
                return ThreadMatch(known[mid], Rule.KNOWN_MESSAGE_ID)
    for address in recipients:
        local = address.rpartition("@")[0]
        ticket_id = ticket_from_token(local)
        if ticket_id is not None and Ticket.objects.filter(pk=ticket_id).exists():
            return ThreadMatch(ticket_id, Rule.REPLY_ADDRESS)
    for match in SUBJECT_TAG.finditer(subject or ""):
        ticket = Ticket.objects.filter(number=int(match.group(1))).first()
        if ticket is not None and sender and is_participant(ticket, sender):
            return ThreadMatch(ticket.pk, Rule.SUBJECT_TAG)
    return ThreadMatch(None, Rule.NEW)


def _known_ids(inbox_id: int, ids: list[str]) -> dict[str, int]:
    """Message-ID → ticket id of the mails already stored in this inbox, in one query over
    the (inbox, external_id) unique index (its condition `external_id <> ''` repeated, so the
    planner may use it whatever the values)."""
    rows = (
        Message.objects.filter(inbox_id=inbox_id, external_id__in=ids)
        .exclude(external_id="")
        .values_list("external_id", "ticket_id")
    )
    return dict(rows)


def is_participant(ticket: Ticket, address: str) -> bool:
    """The ticket's customer, or an address that wrote to or was copied on the ticket."""
    address = address.strip().lower()
    if Identity.objects.filter(
        customer_id=ticket.customer_id, kind=IdentityKind.EMAIL, handle=address
    ).exists():
        return True
    for meta in Message.objects.filter(ticket=ticket).values_list("meta", flat=True):
        mail = (meta or {}).get("email") or {}
        people = [mail.get("from", ""), *mail.get("to", []), *mail.get("cc", [])]
        if address in (p.lower() for p in people if isinstance(p, str)):
            return True
    return False
