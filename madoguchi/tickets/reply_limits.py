"""How long a public reply may be on each plain-text channel: one table, used by the check in
`do_reply` and by the console's character counter, so the two can never disagree.

Characters are Unicode code points (what Python's `len` and the counter's `Array.from(text)`
count). A connector that knows better (`Connector.max_reply_chars`) takes precedence.
"""

from __future__ import annotations

from madoguchi.connectors import registry

# Channel kind (InboxKind value) → characters.
REPLY_LIMITS: dict[str, int] = {
    # 10 concatenated SMS segments in UCS-2 (Japanese): 10 × 67 characters.
    "sms": 670,
    # LINE Messaging API text message.
    "line": 5000,
    # X (Twitter) direct message.
    "x": 10000,
    # Instagram direct messages allow 1,000 characters (Messenger 2,000): the stricter wins,
    # since one "meta" inbox carries both.
    "meta": 1000,
    # Our own chat widget: a chat bubble, not a letter.
    "chat": 5000,
}


def reply_limit(channel: str) -> int | None:
    """The most characters a public reply on this channel may have; None = no limit."""
    return registry.get(channel).max_reply_chars or REPLY_LIMITS.get(channel)
