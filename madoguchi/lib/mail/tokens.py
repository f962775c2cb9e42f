"""Signed ticket tokens in our Message-IDs and reply addresses (DESIGN.md §5).

A reply that carries one of our Message-IDs in In-Reply-To/References, or is sent to
`support+t.<token>@…`, threads onto that ticket without trusting the subject. The token is
`<ticket id in base 36>-<10-char HMAC>`: short, case-insensitive (some MTAs lower-case local
parts), and unforgeable without SECRET_KEY, so a stranger cannot write into someone's ticket.
"""

from __future__ import annotations

import re

from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "madoguchi.email.ticket-token"
_TOKEN = re.compile(r"t\.([0-9a-z]{1,13})-([0-9a-z]{10})", re.IGNORECASE)
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = _DIGITS[rest] + out
        if not number:
            return out


def _signature(ticket_part: str) -> str:
    digest = salted_hmac(_SALT, ticket_part, algorithm="sha256").digest()
    return "".join(_DIGITS[b % 36] for b in digest[:10])


def ticket_token(ticket_id: int) -> str:
    """`t.<id36>-<sig>`; what reply addresses and our Message-IDs carry."""
    part = _base36(ticket_id)
    return f"t.{part}-{_signature(part)}"


def ticket_from_token(text: str) -> int | None:
    """The ticket id of the first valid token in `text` (an address or a Message-ID)."""
    for match in _TOKEN.finditer(text or ""):
        part, signature = match.group(1).lower(), match.group(2).lower()
        if constant_time_compare(signature, _signature(part)):
            return int(part, 36)
    return None


def reply_address(inbox_address: str, ticket_id: int) -> str:
    """support@shop.jp → support+t.2s-k3j…@shop.jp (sub-addressing, RFC 5233)."""
    local, _, domain = inbox_address.rpartition("@")
    if not local or not domain:
        return inbox_address
    local = local.split("+", 1)[0]
    return f"{local}+{ticket_token(ticket_id)}@{domain}"


def base_address(address: str) -> str:
    """support+t.…@shop.jp → support@shop.jp: what the inbox is configured with."""
    local, _, domain = address.strip().rpartition("@")
    if not local:
        return address.strip().lower()
    return f"{local.split('+', 1)[0]}@{domain}".lower()


def message_id(domain: str, ticket_id: int, unique: str) -> str:
    """Our Message-ID for a mail on a ticket: `<unique.t.<id36>-<sig>@domain>`."""
    return f"<{unique}.{ticket_token(ticket_id)}@{domain or 'madoguchi.localhost'}>"
