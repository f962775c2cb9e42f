"""The demo's two shops: brands, inboxes, teams, agents and what they sell.

These are settings-type rows (no action module creates brands, inboxes, teams or agents yet),
so they are written directly; everything a customer or agent does goes through the actions.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User

from madoguchi.accounts.models import Agent, Brand, Role, Team
from madoguchi.inboxes.models import Inbox, InboxKind


@dataclass(frozen=True)
class Product:
    name: str
    price: int
    kind: str  # apparel, shoes, goods, device, ceramic, metal, food


@dataclass(frozen=True)
class Shop:
    slug: str
    short: str
    name: str
    domain: str
    kinds: tuple[str, ...]  # inbox kinds this shop runs
    share: float  # share of the tickets
    products: tuple[Product, ...]
    phone: str
    fax: str


ALL_KINDS = tuple(InboxKind.values)
SHOPS = (
    Shop(
        slug="hinata-zakka",
        short="hinata",
        name="ひなた雑貨店",
        domain="hinata.example.jp",
        kinds=ALL_KINDS,
        share=0.6,
        phone="0120-480-123",
        fax="03-5432-1099",
        products=(
            Product("リネン混シャツ", 6980, "apparel"),
            Product("オーガニックコットンTシャツ", 3980, "apparel"),
            Product("ワイドデニムパンツ", 8800, "apparel"),
            Product("ウールカーディガン", 9900, "apparel"),
            Product("ギャザーワンピース", 11000, "apparel"),
            Product("キャンバススニーカー", 7700, "shoes"),
            Product("帆布トートバッグ", 4400, "goods"),
            Product("今治タオル フェイスタオル3枚組", 3300, "goods"),
            Product("本革ミニ財布", 12100, "goods"),
            Product("アロマディフューザー", 5500, "device"),
            Product("陶器のマグカップ", 2420, "ceramic"),
            Product("リネンストール", 4950, "apparel"),
        ),
    ),
    Shop(
        slug="maruya-kitchen",
        short="maruya",
        name="台所道具 まるや",
        domain="maruya.example.jp",
        kinds=("email", "form", "chat", "api", "phone", "fax", "line", "meta"),
        share=0.4,
        phone="0120-223-860",
        fax="0263-33-1208",
        products=(
            Product("南部鉄器 急須 0.6L", 9680, "metal"),
            Product("有田焼 飯碗 ペア", 5500, "ceramic"),
            Product("伊賀焼 土鍋 8号", 13200, "ceramic"),
            Product("三徳包丁 165mm", 14300, "metal"),
            Product("ひのき まな板", 4620, "goods"),
            Product("銅製 卵焼き器", 8250, "metal"),
            Product("あご入り出汁パック 30包", 2980, "food"),
            Product("有機 深蒸し煎茶 100g", 1620, "food"),
            Product("紀州南高梅 はちみつ梅 500g", 3240, "food"),
            Product("木桶仕込み 醤油 3本セット", 4180, "food"),
            Product("曲げわっぱ 弁当箱", 6600, "goods"),
            Product("ステンレス 片手鍋 18cm", 5280, "metal"),
        ),
    ),
)

INBOX_LABELS = {
    "email": "メール",
    "form": "お問い合わせフォーム",
    "chat": "チャット",
    "api": "マイページ連携 (API)",
    "phone": "電話窓口",
    "fax": "FAX",
    "line": "LINE公式アカウント",
    "meta": "Instagram",
    "x": "X",
    "sms": "SMS",
}

TEAMS = {"first": "一次対応", "returns": "返品・交換", "vip": "VIPサポート"}


@dataclass(frozen=True)
class Staff:
    username: str
    display_name: str
    family: str  # how replies are signed (佐藤でございます)
    role: str
    language: str
    teams: tuple[str, ...]
    grants: tuple[str, ...] = ()  # inbox slugs an outsourced agent may work

    @property
    def signature(self) -> str:
        """The name under a reply: outsourced staff sign without the （委託） marker."""
        return self.display_name.split("（")[0]

    @property
    def password(self) -> str:
        # Deterministic so a re-run can print it again; the demo banner says to change them.
        return f"madoguchi-{self.username}"


STAFF = (
    Staff("admin", "高橋 誠", "高橋", Role.ADMIN, "ja", ()),
    Staff("lead", "田中 美咲", "田中", Role.LEAD, "ja", ("first", "returns", "vip")),
    Staff("sato", "佐藤 健太", "佐藤", Role.AGENT, "ja", ("first", "vip")),
    Staff("suzuki", "鈴木 彩", "鈴木", Role.AGENT, "ja", ("first", "returns")),
    Staff("ito", "伊藤 翔", "伊藤", Role.AGENT, "ja", ("returns",)),
    Staff("emily", "Emily Carter", "Carter", Role.AGENT, "en", ("first", "vip")),
    Staff(
        "bpo-yamamoto",
        "山本 由香（委託）",
        "山本",
        Role.OUTSOURCED,
        "ja",
        ("returns",),
        grants=("hinata-chat", "hinata-line", "hinata-meta", "hinata-x", "hinata-sms"),
    ),
    Staff(
        "bpo-nakamura",
        "中村 大輔（委託）",
        "中村",
        Role.OUTSOURCED,
        "ja",
        ("returns",),
        grants=("hinata-phone", "hinata-fax", "maruya-phone", "maruya-fax", "maruya-chat"),
    ),
)


def inbox_address(shop: Shop, kind: str) -> str:
    return {
        "email": f"info@{shop.domain}",
        "form": f"support@{shop.domain}",
        "phone": shop.phone,
        "fax": shop.fax,
        "line": f"@{shop.short}-official",
        "meta": f"@{shop.short}.{shop.slug.split('-')[1]}",
        "x": f"@{shop.short}_{shop.slug.split('-')[1]}",
        "sms": "050-3188-0123",
    }.get(kind, "")


def create_setup() -> tuple[dict[str, Brand], dict[str, Inbox], dict[str, Team], dict[str, Agent]]:
    """Brands, teams, inboxes and agents; returns them keyed by slug / key / username."""
    teams = {key: Team.objects.get_or_create(name=name)[0] for key, name in TEAMS.items()}
    brands: dict[str, Brand] = {}
    inboxes: dict[str, Inbox] = {}
    for shop in SHOPS:
        brand = Brand.objects.create(
            name=shop.name,
            slug=shop.slug,
            support_email=f"support@{shop.domain}",
            default_language="ja",
        )
        brands[shop.slug] = brand
        for kind in shop.kinds:
            slug = f"{shop.short}-{kind}"
            inboxes[slug] = Inbox.objects.create(
                brand=brand,
                kind=kind,
                name=f"{shop.name} {INBOX_LABELS[kind]}",
                slug=slug,
                address=inbox_address(shop, kind),
                default_team=teams["first"],
            )
    # Password hashing is deliberately slow (PBKDF2); hash the logins in parallel threads
    # (hashlib releases the GIL), then create the users with the finished hashes.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        hashes = list(pool.map(make_password, [staff.password for staff in STAFF]))
    agents: dict[str, Agent] = {}
    for staff, password_hash in zip(STAFF, hashes, strict=True):
        user = User.objects.create(
            username=staff.username,
            email=f"{staff.username}@madoguchi.example.jp",
            password=password_hash,
        )
        agent = Agent.objects.create(
            user=user, display_name=staff.display_name, role=staff.role, language=staff.language
        )
        agent.teams.set([teams[key] for key in staff.teams])
        for slug in staff.grants:
            inboxes[slug].granted_agents.add(agent)
        agents[staff.username] = agent
    return brands, inboxes, teams, agents
