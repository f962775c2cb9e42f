"""One generated ticket: its row, messages, tags, timeline and search document.

Search tokens are real: every line goes through `madoguchi.search.index.document_tokens`.
`japanese.tokens` normalises a text and then tokenises it line by line, so the tokens of a
message are the tokens of its lines, concatenated; each distinct template line is
tokenised once and remembered. generate.py checks a sample against `reindex_ticket`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from history import merge, tag_names, timeline_rows
from people import Person
from topics import (
    JA_AGENT_CLOSINGS,
    JA_CLOSINGS,
    JA_GREETINGS,
    JA_PRODUCTS,
    JA_THANKS,
    JA_TOPICS,
    SPAM,
    Topic,
)
from topics_en import (
    EN_AGENT_CLOSINGS,
    EN_AGENT_OPEN,
    EN_CLOSINGS,
    EN_GREETINGS,
    EN_PRODUCTS,
    EN_TOPICS,
)

from madoguchi.lib.html import text_to_html
from madoguchi.search.index import document_tokens
from madoguchi.tickets.actions.opening import preview_of

SHORT_CHANNELS = {"chat", "line", "sms", "x", "meta"}
HOUR = 3600.0


class LineTokens:
    """Token strings per line; template lines are remembered, one-off lines are not."""

    def __init__(self) -> None:
        self.cache: dict[str, str] = {}
        self.calls = 0

    def line(self, text: str, *, remember: bool = True) -> str:
        found = self.cache.get(text)
        if found is None:
            self.calls += 1
            found = document_tokens([text])
            if remember:
                self.cache[text] = found
        return found


@dataclass
class Desk:
    """The reference rows a ticket points at (ids from the database)."""

    brands: list[tuple[int, str, float]]  # id, display name, share of tickets
    inboxes: dict[tuple[int, str], tuple[int, int | None]]  # (brand, kind) -> (inbox, team)
    channel_weights: list[tuple[str, float]]
    teams: dict[str, int]
    members: dict[int, list[int]]  # team id -> agent ids
    tags: dict[str, int]


@dataclass
class Built:
    ticket: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)
    tag_ids: list[int] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    tokens: str = ""


def _pick(rng: random.Random, weighted: list[tuple[Any, float]]) -> Any:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


STATUS_BY_AGE = [  # (max age in days, [(status, weight)])
    (2, [("new", 35), ("open", 35), ("pending", 15), ("on_hold", 3), ("solved", 12)]),
    (7, [("new", 8), ("open", 25), ("pending", 20), ("on_hold", 5), ("solved", 42)]),
    (30, [("new", 1), ("open", 5), ("pending", 6), ("on_hold", 3), ("solved", 45), ("closed", 40)]),
    (10_000, [("open", 5), ("pending", 5), ("on_hold", 3), ("solved", 40), ("closed", 947)]),
]
PRIORITIES = [("low", 10), ("normal", 72), ("high", 14), ("urgent", 4)]
LENGTHS = [(1, 15), (2, 30), (3, 22), (4, 14), (5, 9), (6, 5), (7, 3), (8, 2)]


def _sequence(rng: random.Random, status: str, spam: bool, assigned: bool) -> list[str]:
    """Who writes, in order: the customer first, then turns; the status decides the end."""
    if status == "new":
        return ["customer"] * (1 if rng.random() < 0.85 else 2)
    n = 1 if spam else _pick(rng, LENGTHS)
    sequence = ["customer" if i % 2 == 0 else "agent" for i in range(n)]
    if status in ("pending", "on_hold") and sequence[-1] == "customer":
        sequence.append("agent")
    if status == "open" and sequence[-1] == "agent" and rng.random() < 0.7:
        sequence.append("customer")
    if rng.random() < 0.1 and len(sequence) > 1:
        sequence.insert(rng.randint(1, len(sequence) - 1), "note")
    return sequence if assigned else [s for s in sequence if s == "customer"]


def _offsets(rng: random.Random, sequence: list[str], room: float) -> list[float]:
    """Seconds after the first message: agents answer in hours, customers take longer;
    squeezed into `room` so that nothing happens in the future."""
    offsets, t = [], 0.0
    for i, who in enumerate(sequence):
        if i:
            t += max(0.08, rng.expovariate(1 / (3 if who != "customer" else 10))) * HOUR
        offsets.append(t)
    if offsets[-1] > room:
        offsets = [o * room / offsets[-1] for o in offsets]
    return offsets


class TicketBuilder:
    """Builds one ticket at a time; shares the line-token cache across tickets."""

    def __init__(self, desk: Desk, agent_names: dict[int, str], now: datetime, tokens: LineTokens):
        self.desk = desk
        self.agent_names = agent_names
        self.now = now
        self.tok = tokens

    # --- text -------------------------------------------------------------------------
    def _fill(self, rng: random.Random, line: str, en: bool, when: datetime) -> str:
        if "{product}" in line:
            line = line.replace("{product}", rng.choice(EN_PRODUCTS if en else JA_PRODUCTS))
        if "{date}" in line:
            day = when + timedelta(days=rng.randint(-10, 7))
            line = line.replace(
                "{date}", day.strftime("%B %-d") if en else f"{day.month}月{day.day}日"
            )
        return line

    def _customer_lines(
        self,
        rng: random.Random,
        topic: Topic,
        en: bool,
        short: bool,
        p: Person,
        when: datetime,
        order: str,
        first: bool,
    ) -> list[tuple[str, bool]]:
        """(line, worth remembering) pairs of a customer's message."""

        def fill(pool: tuple[str, ...]) -> str:
            return self._fill(rng, rng.choice(pool), en, when)

        if not first:
            lines = [(fill(topic.follow_ups or topic.opening), True)]
            if not short and rng.random() < 0.5:
                lines.append((rng.choice(EN_CLOSINGS if en else JA_CLOSINGS), True))
            return lines
        if short:
            return [(fill(topic.opening), True)]
        lines = [(rng.choice(EN_GREETINGS if en else JA_GREETINGS), True)]
        if not en and rng.random() < 0.3:
            lines.append((f"{p.surname}と申します。", True))
        lines.append((fill(topic.opening), True))
        if topic.details and rng.random() < 0.6:
            lines.append((fill(topic.details), True))
        if order and rng.random() < 0.7:
            lines.append(((f"Order number: {order}" if en else f"注文番号：{order}"), False))
        lines.append((rng.choice(EN_CLOSINGS if en else JA_CLOSINGS), True))
        lines.append((p.name, True))
        return lines

    def _agent_lines(
        self,
        rng: random.Random,
        topic: Topic,
        en: bool,
        short: bool,
        p: Person,
        when: datetime,
        agent: int,
        brand: str,
    ) -> list[tuple[str, bool]]:
        """(line, worth remembering) pairs of an agent's reply."""
        agent_name = self.agent_names.get(agent, "")
        replies = [
            self._fill(rng, line, en, when)
            for line in rng.sample(topic.replies, min(2, len(topic.replies)))
        ]
        if short:
            return [(replies[0], True)]
        if en:
            lines = [(f"Dear {p.name},", True), (rng.choice(EN_AGENT_OPEN), True)]
        else:
            lines = [(f"{p.surname} 様", True), (rng.choice(JA_THANKS), True)]
            lines.append((f"{brand}カスタマーサポートの{agent_name.split()[0]}です。", True))
        lines += [(r, True) for r in replies[: rng.randint(1, 2)]]
        lines.append((rng.choice(EN_AGENT_CLOSINGS if en else JA_AGENT_CLOSINGS), True))
        lines.append((f"{brand} {'Customer Support' if en else 'カスタマーサポート'}", True))
        return lines

    # --- one ticket ---------------------------------------------------------------------
    def build(
        self,
        rng: random.Random,
        ticket_id: int,
        number: int,
        created: datetime,
        customer_id: int,
        p: Person,
        handle_extras: str,
    ) -> Built:
        desk = self.desk
        brand_id, brand_name, _share = _pick(rng, [(b, b[2]) for b in desk.brands])
        kind = _pick(rng, desk.channel_weights)
        inbox_id, default_team = desk.inboxes[(brand_id, kind)]
        en = p.language == "en"
        topics = EN_TOPICS if en else JA_TOPICS
        eligible = [t for t in topics if not t.channels or kind in t.channels]
        if kind in ("phone", "fax") and not en and rng.random() < 0.5:
            eligible = [t for t in topics if t.channels]
        else:
            eligible = [t for t in eligible if not t.channels]
        topic: Topic = rng.choice(eligible)
        spam = kind in ("email", "form") and rng.random() < 0.004
        age_days = (self.now - created).total_seconds() / 86400
        status = "closed" if spam else _pick(rng, next(w for a, w in STATUS_BY_AGE if age_days < a))
        team = default_team or desk.teams[topic.team]
        priority = (
            "high" if topic.key == "defect" and rng.random() < 0.5 else _pick(rng, PRIORITIES)
        )
        members = desk.members.get(team) or desk.members[desk.teams["一次対応"]]
        assignee = None
        if not spam and (status != "new" or rng.random() < 0.15) and rng.random() < 0.95:
            assignee = rng.choice(members)
        short = kind in SHORT_CHANNELS
        subject = (
            ""
            if short and rng.random() < 0.7
            else self._fill(rng, rng.choice(topic.subjects), en, created)
        )
        order = f"{'MD' if brand_id == desk.brands[0][0] else 'OD'}-{rng.randint(100000, 999999)}"

        sequence = _sequence(rng, status, spam, assignee is not None)
        offsets = _offsets(rng, sequence, (self.now - created).total_seconds() * 0.95)

        b = Built(ticket={})
        first_response = last_customer = last_agent = None
        preview = ""
        msg_tokens: list[str] = []
        for i, (who, off) in enumerate(zip(sequence, offsets, strict=True)):
            at = created + timedelta(seconds=off)
            row: dict[str, Any] = {"ticket_id": ticket_id, "inbox_id": inbox_id, "created_at": at}
            if who == "customer":
                if spam:
                    pool = SPAM[1 if en else 0]
                    lines = [(pool[0], True), (pool[rng.randint(1, 2)], True)]
                else:
                    lines = self._customer_lines(rng, topic, en, short, p, created, order, i == 0)
                    if i == 0 and kind in ("phone", "fax"):
                        lines.insert(
                            0, ("【電話受付】" if kind == "phone" else "【FAX受信】", True)
                        )
                logged = i == 0 and kind in ("phone", "fax") and assignee is not None
                row.update(
                    direction="in",
                    is_internal=False,
                    delivery="received",
                    author_kind="agent" if logged else "customer",
                    author_agent_id=assignee if logged else None,
                    author_customer_id=None if logged else customer_id,
                    external_id="" if kind == "phone" else f"bench-{ticket_id}-{i}",
                    subject=(subject if i == 0 else f"Re: {subject}") if kind == "email" else "",
                )
                last_customer = at
            else:
                assert assignee is not None
                if who == "note":
                    lines = [(rng.choice(topic.notes or ("確認中。",)), True)]
                else:
                    lines = self._agent_lines(
                        rng, topic, en, short, p, created, assignee, brand_name
                    )
                    first_response = first_response or at
                    last_agent = at
                route = (
                    p.email and who == "agent" and kind in ("email", "form", "api", "phone", "fax")
                )
                row.update(
                    direction="out",
                    is_internal=who == "note",
                    author_kind="agent",
                    author_agent_id=assignee,
                    author_customer_id=None,
                    external_id="",
                    delivery="sent" if route else "not_sent",
                    subject=subject,
                    meta={"route": {"transport": "email", "to": p.email}} if route else {},
                )
            body = "\n".join(text for text, _ in lines)
            row["body_text"] = body
            row["body_html"] = text_to_html(body) if who != "customer" or kind == "email" else ""
            b.messages.append(row)
            toks = " ".join(x for x in (self.tok.line(s, remember=r) for s, r in lines) if x)
            msg_tokens.append(toks)
            if who != "note":
                preview = preview_of(body) or preview

        last = created + timedelta(seconds=offsets[-1])
        solved_at = None
        updated = last
        if status in ("solved", "closed"):
            solved_at = min(last + timedelta(hours=rng.expovariate(1.0) + 0.1), self.now)
            updated = solved_at
            if status == "closed" and not spam:
                updated = min(solved_at + timedelta(days=4), self.now)
        b.ticket = {
            "id": ticket_id,
            "number": number,
            "subject": subject,
            "status": status,
            "priority": priority,
            "inbox_id": inbox_id,
            "brand_id": brand_id,
            "channel": kind,
            "customer_id": customer_id,
            "assignee_id": assignee,
            "team_id": team,
            "is_spam": spam,
            "merged_into_id": None,
            "preview": preview,
            "message_count": len(b.messages),
            "created_at": created,
            "updated_at": updated,
            "first_response_at": first_response,
            "solved_at": solved_at,
            "last_customer_message_at": last_customer,
            "last_agent_message_at": last_agent,
        }
        b.tag_ids = sorted({desk.tags[n] for n in tag_names(rng, topic.tags, p.vip, spam)})
        b.timeline = timeline_rows(b.ticket, solved_at, updated)
        parts = [self.tok.line(subject), *msg_tokens[::-1], handle_extras]
        b.tokens = " ".join(x for x in parts if x)
        return b


def merged_into(b: Built, target: Built, tok: LineTokens, handle_extras: str) -> None:
    """Turn `b` into a ticket merged into `target`: its messages live on the target now."""
    b.messages = []
    b.timeline = merge(b.ticket, target.ticket)
    b.tokens = " ".join(x for x in (tok.line(b.ticket["subject"]), handle_extras) if x)
