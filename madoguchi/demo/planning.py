"""Planning the demo history before any row is written: who writes when, on which channel,
about what, who answers, and where each ticket ends up (status by age: older tickets are
mostly solved, today's are mostly new or open)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .conversations import SPAM, TOPICS, Script, Topic
from .people import Person
from .shop import SHOPS, STAFF, Product, Shop
from .timing import contact_time, local_zone

CHANNEL_WEIGHTS = {
    "email": 28,
    "form": 18,
    "chat": 12,
    "line": 12,
    "phone": 11,
    "api": 5,
    "fax": 3,
    "meta": 5,
    "x": 3,
    "sms": 3,
}
CASUAL = frozenset({"chat", "line", "meta", "x", "sms"})
CARRIERS = (
    ("ヤマト運輸", "Yamato Transport"),
    ("佐川急便", "Sagawa Express"),
    ("日本郵便", "Japan Post"),
)
PAYMENTS = ("クレジットカード", "代金引換", "コンビニ払い", "銀行振込", "NP後払い")
TIME_SLOTS = ("午前中", "14時〜16時", "16時〜18時", "18時〜20時", "19時〜21時")
COLORS = ("生成り", "チャコール", "ネイビー", "ベージュ", "オリーブ", "ブラック")
SIZES = ("S", "M", "L", "XL")
SHOE_SIZES = ("23.0", "23.5", "24.0", "24.5", "25.0", "25.5", "26.0", "26.5", "27.0")
REASONS = (
    ("サイズが大きめ", "too large"),
    ("色が暗め", "darker than expected"),
    ("生地が薄め", "thinner than expected"),
    ("重め", "heavier than expected"),
)
DEFECTS = {
    "apparel": ("縫い目がほつれて", "襟元にシミが付いて", "ボタンが取れて"),
    "shoes": ("ソールが剥がれかけて", "左右でサイズ表記が違って"),
    "goods": ("持ち手の縫製がほつれて", "角に擦れ傷が付いて"),
    "device": ("電源が入らなくなって", "ミストが出なくなって"),
    "ceramic": ("縁が欠けて", "底にひびが入って"),
    "metal": ("内側に錆が出て", "取っ手がぐらついて"),
    "food": ("袋が破れて中身がこぼれて", "瓶が割れて液漏れして"),
}


@dataclass
class CustomerRef:
    """A demo customer: the person, their handles, and (once written) the row's id."""

    person: Person
    handles: dict[str, str]  # kind → value as the customer would type it (email, line …)
    guest: bool = False  # no profile yet: the first contact creates the customer
    vip: bool = False
    weight: float = 1.0
    pk: int | None = None
    spam_sender: str = ""

    def can_use(self, channel: str) -> bool:
        if self.guest and channel not in ("email", "form"):
            return False  # a guest is known by the mail address they first wrote from
        needs = {
            "email": "email",
            "form": "email",
            "api": "email",
            "chat": "chat",
            "line": "line",
            "meta": "meta",
            "x": "x",
            "phone": "phone",
            "sms": "mobile",
            "fax": "fax",
        }[channel]
        if needs == "phone":
            return bool(self.person.mobile or self.person.landline)
        if needs == "mobile":
            return bool(self.person.mobile)
        if needs == "fax":
            return bool(self.person.fax)
        return bool(self.handles.get(needs))


@dataclass
class TicketPlan:
    at: datetime
    shop: Shop
    channel: str
    customer: CustomerRef
    topic: Topic
    script: Script
    outcome: str  # new, open, pending, on_hold, solved, closed, spam
    agent: str  # username of the agent who works the ticket
    values: dict[str, str] = field(default_factory=dict)
    priority: str = ""
    follow_up: bool = False  # phone: the call needs a call back (not settled on the phone)
    answer: int = 0  # which answer of the script: reply, follow-up, closing reply belong together

    def answer_of(self, options: tuple[str, ...]) -> str:
        """The chosen answer's step (lists of one apply to every answer)."""
        return options[self.answer % len(options)].format_map(self.values) if options else ""


def outcome_for(rng: random.Random, age: timedelta) -> str:
    """Where a ticket of this age ends up: recent ones are open, old ones solved or closed."""
    hours = age.total_seconds() / 3600
    if hours < 24:
        table = {"new": 35, "open": 22, "pending": 20, "on_hold": 3, "solved": 20}
    elif hours < 24 * 7:
        table = {"new": 4, "open": 14, "pending": 20, "on_hold": 6, "solved": 50, "closed": 6}
    elif hours < 24 * 30:
        table = {"open": 2, "pending": 4, "on_hold": 3, "solved": 55, "closed": 36}
    else:
        table = {"pending": 1, "on_hold": 1, "solved": 30, "closed": 68}
    return rng.choices(list(table), weights=list(table.values()))[0]


def topics_for(shop: Shop, channel: str, language: str) -> list[Topic]:
    kinds = {p.kind for p in shop.products}
    found = []
    for topic in TOPICS:
        if topic.language != language:
            continue
        if topic.channels and channel not in topic.channels:
            continue
        if not topic.channels and channel == "fax":
            continue
        if topic.product_kinds and not kinds & set(topic.product_kinds):
            continue
        found.append(topic)
    return found


def _format_date(day: datetime) -> str:
    return f"{day.month}月{day.day}日"


def _english_date(day: datetime) -> str:
    return day.strftime("%B %d").replace(" 0", " ")


def fill_values(rng: random.Random, plan: TicketPlan) -> dict[str, str]:
    """The placeholders of the ticket's texts: products, order, dates, carrier …"""
    shop, person = plan.shop, plan.customer.person
    kinds = plan.topic.product_kinds
    pool = [p for p in shop.products if not kinds or p.kind in kinds] or list(shop.products)
    product: Product = rng.choice(pool)
    product2 = rng.choice([p for p in shop.products if p != product])
    local = plan.at.astimezone(local_zone())
    order_day = local - timedelta(days=rng.randint(2, 12))
    ship_day = min(order_day + timedelta(days=rng.randint(1, 2)), local + timedelta(days=1))
    arrive_day = local + timedelta(days=rng.randint(1, 3))
    carrier, carrier_en = rng.choice(CARRIERS)
    sizes = SHOE_SIZES if product.kind == "shoes" else SIZES
    size_index = rng.randrange(len(sizes) - 1)
    qty = rng.choice([1, 1, 2, 2, 3, 5, 10])
    reason, reason_en = rng.choice(REASONS)
    new_place = f"〒{rng.randint(100, 999)}-{rng.randint(0, 9999):04d} " + person.address
    staff = {s.username: s for s in STAFF}
    others = [s.display_name for s in STAFF if s.username not in (plan.agent, "admin")]
    return {
        "brand": shop.name,
        "domain": shop.domain,
        "family": person.family,
        "given": person.given,
        "full": person.name,
        "email": plan.customer.handles.get("email", ""),
        "phone": plan.customer.handles.get("phone", ""),
        "language": person.language,
        "agent": staff[plan.agent].signature,
        "agent_family": staff[plan.agent].family,
        "other_agent": rng.choice(others).split(" ")[0],
        "product": product.name,
        "product2": product2.name,
        "order": f"ORD-{order_day.year}-{rng.randint(10000, 99999)}",
        "order_date": _format_date(order_day),
        "ship_date": _format_date(ship_day),
        "arrive_date": _format_date(arrive_day),
        "days": str((arrive_day + timedelta(days=1)).day),
        "deadline": _format_date(local + timedelta(days=7)),
        "order_date_en": _english_date(order_day),
        "ship_date_en": _english_date(ship_day),
        "arrive_date_en": _english_date(arrive_day),
        "carrier": carrier,
        "carrier_en": carrier_en,
        "tracking": "-".join(f"{rng.randint(0, 9999):04d}" for _ in range(3)),
        "size": sizes[size_index],
        "new_size": sizes[size_index + 1],
        "color": rng.choice(COLORS),
        "amount": f"{product.price * min(qty, 2):,}円",
        "qty": str(qty),
        "payment": rng.choice(PAYMENTS),
        "refund_days": str(rng.choice([3, 5, 7])),
        "defect": rng.choice(DEFECTS[product.kind]),
        "reason": reason,
        "reason_en": reason_en,
        "new_address": new_place,
        "time_slot": rng.choice(TIME_SLOTS),
        "height": str(rng.randint(150, 185)),
    }


def choose_agent(rng: random.Random, shop: Shop, channel: str, topic: Topic, vip: bool) -> str:
    """Who works the ticket: English to the en agent; granted inboxes often to the outsourced.

    Outsourced agents see only their granted inboxes and the returns team's tickets; phone
    and FAX contacts are logged by whoever may work that inbox.
    """
    if topic.language == "en":
        return "emily"
    if vip:  # VIP customers stay with the in-house VIP team
        return rng.choice(["sato", "lead", "sato"])
    inbox_slug = f"{shop.short}-{channel}"
    outsourced = [s.username for s in STAFF if inbox_slug in s.grants]
    if outsourced and rng.random() < 0.55:
        return outsourced[0]
    if topic.team == "returns":
        returns_desk = ["suzuki", "ito", "ito", "lead"]
        if channel not in ("phone", "fax"):
            returns_desk += ["bpo-yamamoto", "bpo-nakamura"]
        return rng.choice(returns_desk)
    return rng.choices(["sato", "suzuki", "lead", "admin"], weights=[45, 40, 12, 3])[0]


def pick_channel(rng: random.Random, shop: Shop) -> str:
    kinds = [k for k in CHANNEL_WEIGHTS if k in shop.kinds]
    return rng.choices(kinds, weights=[CHANNEL_WEIGHTS[k] for k in kinds])[0]


def pick_shop(rng: random.Random) -> Shop:
    return rng.choices(SHOPS, weights=[s.share for s in SHOPS])[0]


def plan_ticket(
    rng: random.Random,
    now: datetime,
    customers: list[CustomerRef],
    *,
    customer: CustomerRef | None = None,
    channels: tuple[str, ...] = (),
) -> TicketPlan:
    """One ticket; `customer` and `channels` pin the plan (guests' first contact)."""
    for _ in range(200):
        shop = pick_shop(rng)
        channel = rng.choice(channels) if channels else pick_channel(rng, shop)
        if channel not in shop.kinds:
            continue
        if customer is not None:
            who = customer
            language = who.person.language
        else:
            language = "en" if rng.random() < 0.04 else "ja"
            able = [c for c in customers if c.person.language == language and c.can_use(channel)]
            if not able:
                continue
            who = rng.choices(able, weights=[c.weight for c in able])[0]
        if not who.can_use(channel):
            continue
        topics = topics_for(shop, channel, language)
        if not topics:
            continue
        topic = rng.choices(topics, weights=[t.weight for t in topics])[0]
        at = contact_time(rng, now, 90)
        plan = TicketPlan(
            at=at,
            shop=shop,
            channel=channel,
            customer=who,
            topic=topic,
            script=rng.choice(topic.scripts),
            outcome=outcome_for(rng, now - at),
            agent=choose_agent(rng, shop, channel, topic, who.vip),
        )
        plan.values = fill_values(rng, plan)
        plan.priority = _priority(rng, topic, who.vip)
        unsettled = plan.outcome in ("new", "open", "pending", "on_hold")
        plan.follow_up = channel == "phone" and (unsettled or rng.random() < 0.3)
        plan.answer = rng.randrange(len(plan.script.reply) or 1)
        return plan
    raise RuntimeError("no customer can use any channel; seed more customers")


def plan_spam(rng: random.Random, now: datetime, sender: CustomerRef) -> TicketPlan:
    shop = pick_shop(rng)
    at = contact_time(rng, now - timedelta(days=1), 89)  # old enough to have been flagged
    plan = TicketPlan(
        at=at,
        shop=shop,
        channel=rng.choice(SPAM.channels),
        customer=sender,
        topic=SPAM,
        script=SPAM.scripts[0],
        outcome="spam",
        agent=rng.choice(["sato", "suzuki", "lead"]),
    )
    plan.values = {"brand": shop.name, "family": sender.person.family, "full": sender.person.name}
    return plan


def _priority(rng: random.Random, topic: Topic, vip: bool) -> str:
    if rng.random() < topic.high_priority:
        return "urgent" if vip and rng.random() < 0.4 else "high"
    if topic.key.startswith(("newsletter", "product_", "restock")) and rng.random() < 0.35:
        return "low"
    return ""
