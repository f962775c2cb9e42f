"""The reference rows of the benchmark shop: brands, teams, agents, inboxes, grants, tags.

Created through the ORM (a few dozen rows) and idempotent, so a second run reuses them.
"""

from __future__ import annotations

from conversation import Desk
from people import agent_names
from topics import JA_TOPICS
from topics_en import EN_TOPICS

BRANDS = [("bench-madoguchi", "窓口商店", 0.7), ("bench-outdoor", "まどぐちアウトドア", 0.3)]
TEAMS = ["一次対応", "配送・物流", "返品・交換", "決済・会員", "外部委託"]
OUTSOURCED_TEAM = "外部委託"
CHANNEL_WEIGHTS = [
    ("email", 40.0),
    ("form", 18.0),
    ("chat", 10.0),
    ("line", 12.0),
    ("phone", 8.0),
    ("fax", 2.0),
    ("meta", 4.0),
    ("x", 2.0),
    ("sms", 2.0),
    ("api", 2.0),
]
# (role, how many, teams by index into TEAMS)
STAFF = [
    ("admin", 1, []),
    ("lead", 3, [0, 1]),
    ("agent", 8, [0]),
    ("agent", 5, [1]),
    ("agent", 5, [2]),
    ("agent", 5, [3]),
    ("agent", 3, [0, 2]),
    ("outsourced", 4, [4]),
    ("viewer", 2, []),
]
# The outsourced agents work these inboxes of the second brand (and their team's tickets).
OUTSOURCED_INBOXES = ("line", "chat")


def build_desk(seed: int) -> tuple[Desk, dict[int, str], dict[str, list[int]]]:
    """(desk, agent id -> display name, role -> agent ids)."""
    from django.contrib.auth.models import User

    from madoguchi.accounts.models import Agent, Brand, Team
    from madoguchi.inboxes.models import Inbox
    from madoguchi.tickets.models import Tag

    brands = []
    for slug, name, share in BRANDS:
        brand, _ = Brand.objects.get_or_create(
            slug=slug, defaults={"name": name, "support_email": f"support@{slug}.example.jp"}
        )
        brands.append((brand.pk, name, share))
    teams = {name: Team.objects.get_or_create(name=name)[0].pk for name in TEAMS}

    names = agent_names(sum(count for _, count, _ in STAFF), seed)
    by_role: dict[str, list[int]] = {}
    members: dict[int, list[int]] = {}
    display: dict[int, str] = {}
    n = 0
    for role, count, team_idx in STAFF:
        for _ in range(count):
            full, _surname = names[n]
            n += 1
            user, created = User.objects.get_or_create(
                username=f"bench-{n:02d}", defaults={"email": f"bench-{n:02d}@staff.example.jp"}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            agent, _ = Agent.objects.get_or_create(
                user=user, defaults={"display_name": full, "role": role}
            )
            agent.teams.set([teams[TEAMS[i]] for i in team_idx])
            by_role.setdefault(agent.role, []).append(agent.pk)
            display[agent.pk] = agent.display_name
            if agent.role in ("agent", "lead", "outsourced"):
                for i in team_idx:
                    members.setdefault(teams[TEAMS[i]], []).append(agent.pk)

    inboxes: dict[tuple[int, str], tuple[int, int | None]] = {}
    for b, (brand_id, brand_name, _share) in enumerate(brands):
        for kind, _weight in CHANNEL_WEIGHTS:
            outsourced = b == 1 and kind in OUTSOURCED_INBOXES
            inbox, _ = Inbox.objects.get_or_create(
                slug=f"{BRANDS[b][0]}-{kind}",
                defaults={
                    "brand_id": brand_id,
                    "kind": kind,
                    "name": f"{brand_name} {kind}",
                    "address": f"support@{BRANDS[b][0]}.example.jp"
                    if kind in ("email", "form")
                    else "",
                    "default_team_id": teams[OUTSOURCED_TEAM] if outsourced else None,
                },
            )
            if outsourced:
                inbox.granted_agents.set(by_role.get("outsourced", []))
            inboxes[(brand_id, kind)] = (inbox.pk, inbox.default_team_id)

    tag_names = {t for topic in JA_TOPICS + EN_TOPICS for t in topic.tags}
    tag_names |= {
        "VIP",
        "要折り返し",
        "エスカレーション",
        "クレーム",
        "ギフト",
        "リピーター",
        "初回購入",
    }
    tags = {name: Tag.objects.get_or_create(name=name)[0].pk for name in sorted(tag_names)}
    desk = Desk(
        brands=brands,
        inboxes=inboxes,
        channel_weights=CHANNEL_WEIGHTS,
        teams=teams,
        members=members,
        tags=tags,
    )
    return desk, display, by_role
