"""The demo's customers: registered members (created through customers.actions, as a shop
import would), guests whose first contact creates them, and the senders of spam."""

from __future__ import annotations

import random

from madoguchi.accounts.models import Agent
from madoguchi.customers.actions import Handle, do_create_customer

from .people import People, Person, romaji, typed_phone
from .planning import CustomerRef

SPAM_SENDERS = (
    ("株式会社ウェブ集客ラボ", "seo", "seo-boost.example.net"),
    ("Security Team", "no-reply", "secure-verify.example.org"),
    ("Amazon Pay お客様センター", "info", "amaz0n-pay.example.net"),
    ("EC売上アップ研究所", "partner", "ec-growth.example.net"),
    ("Google Ranking Pro", "sales", "rank-pro.example.org"),
    ("マーケティング支援室", "contact", "mk-support.example.net"),
)
NOTES = (
    "電話での連絡を希望。平日の日中は不在がち。",
    "ギフトでのご利用が多い。のし・包装の指定に注意。",
    "過去に配送トラブルあり。丁寧な対応をお願いします。",
    "法人でのご購入。領収書は会社宛てで発行。",
    "メールよりLINEでの連絡を希望。",
    "高齢のお客様。FAXと電話でのご注文が中心。",
)
RANKS = ("レギュラー", "レギュラー", "シルバー", "ゴールド")


def population(count: int, spam_tickets: int) -> tuple[int, int, int]:
    """(members, guests, spam senders) adding up to `count` customers."""
    spam_count = max(1, min(spam_tickets, round(count * 0.03))) if spam_tickets else 0
    guest_count = max(1, round(count * 0.1))
    return count - guest_count - spam_count, guest_count, spam_count


def draw_customers(
    rng: random.Random, count: int, spam_tickets: int
) -> tuple[list[CustomerRef], list[CustomerRef], list[CustomerRef]]:
    """Members, guests and spam senders adding up to `count` customers."""
    people = People(rng)
    member_count, guest_count, spam_count = population(count, spam_tickets)
    members = [_member(rng, people, i) for i in range(member_count)]
    guests = []
    for _ in range(guest_count):
        person = people.person()
        handles = {"email": person.email}
        if person.mobile:
            handles["phone"] = typed_phone(rng, person.mobile)
        guests.append(CustomerRef(person, handles, guest=True, weight=0.6))
    senders = []
    for i in range(spam_count):
        name, local, domain = SPAM_SENDERS[i % len(SPAM_SENDERS)]
        suffix = "" if i < len(SPAM_SENDERS) else str(i // len(SPAM_SENDERS) + 1)
        person = Person(family=name, given="", family_kana="", given_kana="")
        email = f"{local}{suffix}@{domain}"
        senders.append(CustomerRef(person, {"email": email}, spam_sender=name, weight=0))
    return members, guests, senders


def _member(rng: random.Random, people: People, index: int) -> CustomerRef:
    """A registered member. The first two are showcases, so even a small seed has a FAX
    customer and one who uses every social channel."""
    elderly = index == 0 or (index > 1 and rng.random() < 0.08)
    social = index == 1
    english = not elderly and not social and rng.random() < 0.03
    person = people.person(english=english, elderly=elderly, fax=index == 0)
    handles: dict[str, str] = {}
    if rng.random() < 0.96 or not (person.mobile or person.landline):
        handles["email"] = person.email
    if person.mobile or person.landline:
        handles["phone"] = typed_phone(rng, person.mobile or person.landline)
    nick = romaji(person.given_kana) if person.given_kana else person.given.lower()
    if not elderly:
        if social or rng.random() < 0.35:
            handles["chat"] = f"visitor-{rng.getrandbits(48):012x}"
        if social or rng.random() < 0.35:
            handles["line"] = f"U{rng.getrandbits(128):032x}"
        if social or rng.random() < 0.15:
            handles["meta"] = str(rng.randint(10**16, 10**17 - 1))
            handles["meta_display"] = f"@{nick}_{rng.randint(10, 999)}"
        if social or rng.random() < 0.1:
            handles["x"] = str(rng.randint(10**18, 10**19 - 1))
            handles["x_display"] = f"@{nick}{rng.randint(1, 99)}"
    vip = rng.random() < 0.06
    # A few regulars write often, most customers once or twice (capped long tail).
    return CustomerRef(person, handles, vip=vip, weight=min(rng.paretovariate(1.6), 6.0))


def create_members(agent: Agent, rng: random.Random, members: list[CustomerRef]) -> None:
    """Registered members with their profile, written through customers.actions."""
    for number, ref in enumerate(members, start=1):
        person, handles = ref.person, ref.handles
        tags = []
        if ref.vip:
            tags.append("VIP")
        if rng.random() < 0.25:
            tags.append("リピーター")
        if rng.random() < 0.3:
            tags.append("メルマガ購読")
        fields = {
            "name": person.name,
            "name_kana": person.kana if rng.random() < 0.92 else "",
            "language": person.language,
            "preferred_channel": _preferred(handles),
            "postal_code": person.postal_code,
            "address": person.address,
            "notes": rng.choice(NOTES) if rng.random() < 0.12 else "",
            "tags": tags,
            "custom_fields": {
                "会員番号": f"M-{number:06d}",
                "会員ランク": "ゴールド" if ref.vip else rng.choice(RANKS),
                "購入回数": rng.randint(1, 40 if ref.vip else 12),
            },
        }
        customer = do_create_customer(agent, fields, _handles(rng, ref))
        ref.pk = customer.pk


def _preferred(handles: dict[str, str]) -> str:
    for kind in ("line", "email", "phone"):
        if handles.get(kind):
            return kind
    return ""


def _handles(rng: random.Random, ref: CustomerRef) -> list[Handle]:
    person, handles = ref.person, ref.handles
    out = []
    if handles.get("email"):
        out.append(Handle("email", handles["email"], handles["email"]))
    if person.mobile:
        out.append(Handle("phone", typed_phone(rng, person.mobile)))
    if person.landline:
        out.append(Handle("phone", typed_phone(rng, person.landline)))
    if person.fax:
        out.append(Handle("fax", typed_phone(rng, person.fax)))
    if handles.get("chat"):
        out.append(Handle("chat", handles["chat"], person.name))
    if handles.get("line"):
        out.append(Handle("line", handles["line"], person.given or person.name))
    if handles.get("meta"):
        out.append(Handle("meta", handles["meta"], handles["meta_display"]))
    if handles.get("x"):
        out.append(Handle("x", handles["x"], handles["x_display"]))
    return out
