"""Names, addresses, e-mail addresses and phone numbers for generated customers and agents.

Everything is derived from a customer's index and the seed, so any process can rebuild the
same customer without shared state. E-mail domains are reserved example domains.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# (kanji, kana, romaji)
SURNAMES = [
    ("佐藤", "サトウ", "sato"),
    ("鈴木", "スズキ", "suzuki"),
    ("高橋", "タカハシ", "takahashi"),
    ("田中", "タナカ", "tanaka"),
    ("伊藤", "イトウ", "ito"),
    ("渡辺", "ワタナベ", "watanabe"),
    ("山本", "ヤマモト", "yamamoto"),
    ("中村", "ナカムラ", "nakamura"),
    ("小林", "コバヤシ", "kobayashi"),
    ("加藤", "カトウ", "kato"),
    ("吉田", "ヨシダ", "yoshida"),
    ("山田", "ヤマダ", "yamada"),
    ("佐々木", "ササキ", "sasaki"),
    ("山口", "ヤマグチ", "yamaguchi"),
    ("松本", "マツモト", "matsumoto"),
    ("井上", "イノウエ", "inoue"),
    ("木村", "キムラ", "kimura"),
    ("林", "ハヤシ", "hayashi"),
    ("斎藤", "サイトウ", "saito"),
    ("清水", "シミズ", "shimizu"),
    ("山崎", "ヤマザキ", "yamazaki"),
    ("森", "モリ", "mori"),
    ("池田", "イケダ", "ikeda"),
    ("橋本", "ハシモト", "hashimoto"),
    ("阿部", "アベ", "abe"),
    ("石川", "イシカワ", "ishikawa"),
    ("山下", "ヤマシタ", "yamashita"),
    ("中島", "ナカジマ", "nakajima"),
    ("石井", "イシイ", "ishii"),
    ("小川", "オガワ", "ogawa"),
    ("前田", "マエダ", "maeda"),
    ("岡田", "オカダ", "okada"),
    ("長谷川", "ハセガワ", "hasegawa"),
    ("藤田", "フジタ", "fujita"),
    ("後藤", "ゴトウ", "goto"),
    ("近藤", "コンドウ", "kondo"),
    ("村上", "ムラカミ", "murakami"),
    ("遠藤", "エンドウ", "endo"),
    ("青木", "アオキ", "aoki"),
    ("坂本", "サカモト", "sakamoto"),
    ("髙橋", "タカハシ", "takahashi"),
    ("齋藤", "サイトウ", "saito"),
    ("藤井", "フジイ", "fujii"),
    ("西村", "ニシムラ", "nishimura"),
    ("福田", "フクダ", "fukuda"),
    ("太田", "オオタ", "ota"),
    ("三浦", "ミウラ", "miura"),
    ("岡本", "オカモト", "okamoto"),
    ("松田", "マツダ", "matsuda"),
    ("中川", "ナカガワ", "nakagawa"),
]
GIVEN_NAMES = [
    ("太郎", "タロウ", "taro"),
    ("花子", "ハナコ", "hanako"),
    ("健太", "ケンタ", "kenta"),
    ("陽菜", "ヒナ", "hina"),
    ("翔太", "ショウタ", "shota"),
    ("結衣", "ユイ", "yui"),
    ("大輔", "ダイスケ", "daisuke"),
    ("美咲", "ミサキ", "misaki"),
    ("拓也", "タクヤ", "takuya"),
    ("さくら", "サクラ", "sakura"),
    ("直樹", "ナオキ", "naoki"),
    ("愛", "アイ", "ai"),
    ("亮", "リョウ", "ryo"),
    ("真由美", "マユミ", "mayumi"),
    ("誠", "マコト", "makoto"),
    ("恵子", "ケイコ", "keiko"),
    ("浩二", "コウジ", "koji"),
    ("由美子", "ユミコ", "yumiko"),
    ("和也", "カズヤ", "kazuya"),
    ("裕子", "ユウコ", "yuko"),
    ("蓮", "レン", "ren"),
    ("葵", "アオイ", "aoi"),
    ("悠真", "ユウマ", "yuma"),
    ("凛", "リン", "rin"),
    ("隆", "タカシ", "takashi"),
    ("明美", "アケミ", "akemi"),
    ("修", "オサム", "osamu"),
    ("智子", "トモコ", "tomoko"),
    ("剛", "ツヨシ", "tsuyoshi"),
    ("千尋", "チヒロ", "chihiro"),
    ("優子", "ユウコ", "yuko"),
    ("康介", "コウスケ", "kosuke"),
    ("彩", "アヤ", "aya"),
    ("博之", "ヒロユキ", "hiroyuki"),
    ("美穂", "ミホ", "miho"),
    ("俊介", "シュンスケ", "shunsuke"),
    ("舞", "マイ", "mai"),
    ("勇気", "ユウキ", "yuki"),
    ("奈々", "ナナ", "nana"),
    ("一郎", "イチロウ", "ichiro"),
]
EN_FIRST = [
    "Emily",
    "James",
    "Olivia",
    "Michael",
    "Sophia",
    "David",
    "Emma",
    "Daniel",
    "Chloe",
    "Thomas",
    "Grace",
    "Lucas",
    "Hannah",
    "Ethan",
    "Mia",
    "Noah",
    "Ava",
    "Liam",
    "Zoe",
    "Ryan",
    "Wei",
    "Minh",
    "Ji-woo",
    "Priya",
    "Carlos",
    "Anna",
    "Lena",
    "Mateo",
]
EN_LAST = [
    "Smith",
    "Johnson",
    "Brown",
    "Taylor",
    "Wilson",
    "Carter",
    "Nguyen",
    "Chen",
    "Kim",
    "Lee",
    "Garcia",
    "Martin",
    "Walker",
    "Young",
    "Wright",
    "Lopez",
    "Clark",
    "Evans",
    "Baker",
    "Patel",
    "Müller",
    "Rossi",
    "Silva",
    "Kowalski",
]
PLACES = [
    ("東京都", "世田谷区"),
    ("東京都", "杉並区"),
    ("東京都", "練馬区"),
    ("東京都", "八王子市"),
    ("神奈川県", "横浜市港北区"),
    ("神奈川県", "川崎市中原区"),
    ("埼玉県", "さいたま市浦和区"),
    ("千葉県", "船橋市"),
    ("大阪府", "大阪市北区"),
    ("大阪府", "堺市堺区"),
    ("京都府", "京都市左京区"),
    ("兵庫県", "神戸市東灘区"),
    ("愛知県", "名古屋市千種区"),
    ("福岡県", "福岡市中央区"),
    ("北海道", "札幌市中央区"),
    ("宮城県", "仙台市青葉区"),
    ("広島県", "広島市中区"),
    ("静岡県", "浜松市中区"),
    ("新潟県", "新潟市中央区"),
    ("沖縄県", "那覇市"),
]
DOMAINS = ["example.jp", "example.co.jp", "mail.example.jp", "example.ne.jp", "example.com"]
MOBILE_PREFIXES = ["90", "80", "70"]


@dataclass(frozen=True)
class Person:
    """One generated customer."""

    name: str
    name_kana: str
    surname: str  # how replies address them: 山田 / Ms Carter
    language: str
    email: str  # normalised (lower case) or "" when they have none
    phone_e164: str  # or ""
    phone_display: str
    postal_code: str
    address: str
    vip: bool


def person(seed: int, index: int) -> Person:
    """Customer number `index` (0-based); the same inputs give the same person."""
    rng = random.Random(seed * 1_000_003 + index)
    english = rng.random() < 0.12
    if english:
        first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
        name, kana, surname = f"{first} {last}", "", last
        local = f"{first}.{last}".lower().replace("ü", "u").replace("-", "")
    else:
        sur, given = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
        name, kana, surname = f"{sur[0]} {given[0]}", f"{sur[1]} {given[1]}", sur[0]
        local = rng.choice(
            [f"{given[2]}.{sur[2]}", f"{sur[2]}.{given[2]}", f"{given[2]}{sur[2][0]}"]
        )
    email = f"{local}{index}@{rng.choice(DOMAINS)}" if rng.random() < 0.95 else ""
    phone_e164 = phone_display = ""
    if rng.random() < 0.6 or not email:
        # 48271 is coprime with 10**8, so every index gets its own subscriber number.
        digits = f"{(index * 48271 + 12_345_678) % 100_000_000:08d}"
        prefix = MOBILE_PREFIXES[index % 3]
        phone_e164 = f"+81{prefix}{digits}"
        phone_display = f"0{prefix}-{digits[:4]}-{digits[4:]}"
    pref, city = rng.choice(PLACES)
    address = (
        f"{pref}{city}{rng.randint(1, 7)}丁目{rng.randint(1, 30)}-{rng.randint(1, 20)}"
        if not english
        else ""
    )
    postal = f"{rng.randint(100, 999)}-{rng.randint(0, 9999):04d}" if not english else ""
    return Person(
        name=name,
        name_kana=kana,
        surname=surname,
        language="en" if english else "ja",
        email=email,
        phone_e164=phone_e164,
        phone_display=phone_display,
        postal_code=postal,
        address=address,
        vip=rng.random() < 0.02,
    )


def agent_names(count: int, seed: int) -> list[tuple[str, str]]:
    """(display name, surname) for the support team."""
    rng = random.Random(seed + 77)
    names = []
    used: set[str] = set()
    while len(names) < count:
        sur, given = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
        display = f"{sur[0]} {given[0]}"
        if display not in used:
            used.add(display)
            names.append((display, sur[0]))
    return names
