"""Believable Japanese customers: names with matching フリガナ, addresses, phones, emails.

Everything is drawn from a `random.Random`, so the same seed gives the same shop. Phone numbers
are written the many ways people type them (hyphens, none, full-width digits, +81 …) so the
demo exercises identity normalisation; emails use reserved example domains only.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field


def _pairs(text: str) -> list[tuple[str, str]]:
    """`佐藤:サトウ 鈴木:スズキ …` → [("佐藤", "サトウ"), …]."""
    return [(k, v) for k, _, v in (item.partition(":") for item in text.split())]


# (kanji, katakana). 髙 and 﨑 are the variant characters real customers use.
FAMILY_NAMES = _pairs(
    """
佐藤:サトウ 鈴木:スズキ 高橋:タカハシ 田中:タナカ 伊藤:イトウ 渡辺:ワタナベ
山本:ヤマモト 中村:ナカムラ 小林:コバヤシ 加藤:カトウ 吉田:ヨシダ 山田:ヤマダ
佐々木:ササキ 山口:ヤマグチ 松本:マツモト 井上:イノウエ 木村:キムラ 林:ハヤシ
斎藤:サイトウ 清水:シミズ 山崎:ヤマザキ 森:モリ 池田:イケダ 橋本:ハシモト 阿部:アベ
石川:イシカワ 山下:ヤマシタ 中島:ナカジマ 石井:イシイ 小川:オガワ 前田:マエダ
岡田:オカダ 長谷川:ハセガワ 藤田:フジタ 後藤:ゴトウ 近藤:コンドウ 村上:ムラカミ
遠藤:エンドウ 青木:アオキ 坂本:サカモト 福田:フクダ 太田:オオタ 西村:ニシムラ
藤井:フジイ 金子:カネコ 岡本:オカモト 藤原:フジワラ 中野:ナカノ 三浦:ミウラ
原田:ハラダ 中川:ナカガワ 松田:マツダ 竹内:タケウチ 小野:オノ 田村:タムラ
中山:ナカヤマ 和田:ワダ 石田:イシダ 森田:モリタ 上田:ウエダ 内田:ウチダ 柴田:シバタ
酒井:サカイ 宮崎:ミヤザキ 横山:ヨコヤマ 高木:タカギ 安藤:アンドウ 宮本:ミヤモト
大野:オオノ 小島:コジマ 谷口:タニグチ 今井:イマイ 工藤:クドウ 増田:マスダ
丸山:マルヤマ 杉山:スギヤマ 村田:ムラタ 大塚:オオツカ 新井:アライ 平野:ヒラノ
河野:コウノ 野口:ノグチ 武田:タケダ 千葉:チバ 菅原:スガワラ 木下:キノシタ 久保:クボ
野村:ノムラ 菊地:キクチ 髙橋:タカハシ 山﨑:ヤマザキ 東海林:ショウジ 小鳥遊:タカナシ
上野:ウエノ 松井:マツイ
"""
)
FEMALE_NAMES = _pairs(
    """
陽子:ヨウコ 恵子:ケイコ 美穂:ミホ 由美:ユミ 直美:ナオミ 裕子:ユウコ 久美子:クミコ
真由美:マユミ 智子:トモコ 明美:アケミ 愛:アイ 彩:アヤ 美咲:ミサキ 陽菜:ヒナ
結衣:ユイ さくら:サクラ 葵:アオイ 七海:ナナミ 優花:ユウカ 麻衣:マイ 千尋:チヒロ
菜々子:ナナコ 里美:サトミ 香織:カオリ 沙織:サオリ 綾香:アヤカ 真紀:マキ 由香:ユカ
和子:カズコ 幸子:サチコ 節子:セツコ 京子:キョウコ 美香:ミカ 瞳:ヒトミ 恵:メグミ
奈緒:ナオ 莉子:リコ 凛:リン 芽依:メイ 琴音:コトネ 早紀:サキ 理恵:リエ 加奈子:カナコ
紀子:ノリコ 春香:ハルカ
"""
)
MALE_NAMES = _pairs(
    """
太郎:タロウ 一郎:イチロウ 健太:ケンタ 翔太:ショウタ 大輔:ダイスケ 拓也:タクヤ
直樹:ナオキ 誠:マコト 浩:ヒロシ 隆:タカシ 健一:ケンイチ 和也:カズヤ 達也:タツヤ
亮:リョウ 悠斗:ユウト 蓮:レン 大翔:ヒロト 陽翔:ハルト 湊:ミナト 翼:ツバサ 修:オサム
茂:シゲル 勇:イサム 博之:ヒロユキ 正樹:マサキ 秀樹:ヒデキ 哲也:テツヤ 智也:トモヤ
雄一:ユウイチ 康弘:ヤスヒロ 隼人:ハヤト 慎一:シンイチ 航:ワタル 颯太:ソウタ
光:ヒカル 悠真:ユウマ 俊介:シュンスケ 大樹:ダイキ 信也:シンヤ 剛:ツヨシ
"""
)
# Foreign residents who write in English; the en agent answers them.
ENGLISH_NAMES = [
    ("Smith", "Olivia"), ("Brown", "James"), ("Nguyen", "Linh"), ("Garcia", "Sofia"),
    ("Wilson", "Liam"), ("Kim", "Minji"), ("Martin", "Chloe"), ("Taylor", "Noah"),
]  # fmt: skip

# (prefecture, city, postal prefix, landline area code, towns)
PLACES = [
    ("東京都", "世田谷区", "154", "03", ["太子堂", "三軒茶屋", "若林", "池尻"]),
    ("東京都", "杉並区", "166", "03", ["高円寺南", "阿佐谷北", "荻窪"]),
    ("東京都", "練馬区", "176", "03", ["豊玉北", "練馬", "桜台"]),
    ("東京都", "江東区", "135", "03", ["豊洲", "木場", "東陽"]),
    ("東京都", "八王子市", "192", "042", ["旭町", "横山町", "元本郷町"]),
    ("神奈川県", "横浜市港北区", "222", "045", ["日吉", "綱島西", "大倉山"]),
    ("神奈川県", "川崎市中原区", "211", "044", ["小杉町", "木月", "新丸子町"]),
    ("神奈川県", "藤沢市", "251", "0466", ["鵠沼海岸", "辻堂", "片瀬"]),
    ("埼玉県", "さいたま市浦和区", "330", "048", ["高砂", "常盤", "岸町"]),
    ("埼玉県", "川越市", "350", "049", ["新富町", "脇田町", "仲町"]),
    ("千葉県", "船橋市", "273", "047", ["本町", "前原西", "夏見"]),
    ("千葉県", "千葉市中央区", "260", "043", ["中央", "富士見", "新町"]),
    ("大阪府", "大阪市北区", "530", "06", ["梅田", "天神橋", "中之島"]),
    ("大阪府", "豊中市", "560", "06", ["岡町", "上野坂", "曽根東町"]),
    ("大阪府", "堺市堺区", "590", "072", ["中瓦町", "熊野町東"]),
    ("京都府", "京都市中京区", "604", "075", ["河原町通", "西ノ京", "烏丸通"]),
    ("兵庫県", "神戸市中央区", "650", "078", ["元町通", "三宮町", "北野町"]),
    ("愛知県", "名古屋市中区", "460", "052", ["栄", "大須", "丸の内"]),
    ("愛知県", "豊田市", "471", "0565", ["小坂本町", "若宮町"]),
    ("北海道", "札幌市中央区", "060", "011", ["北一条西", "南三条西", "大通西"]),
    ("宮城県", "仙台市青葉区", "980", "022", ["一番町", "国分町", "本町"]),
    ("福岡県", "福岡市中央区", "810", "092", ["天神", "大名", "薬院"]),
    ("福岡県", "北九州市小倉北区", "802", "093", ["魚町", "京町"]),
    ("広島県", "広島市中区", "730", "082", ["紙屋町", "八丁堀", "本通"]),
    ("静岡県", "静岡市葵区", "420", "054", ["呉服町", "紺屋町"]),
    ("新潟県", "新潟市中央区", "951", "025", ["古町通", "東堀通"]),
    ("長野県", "松本市", "390", "0263", ["中央", "大手"]),
    ("石川県", "金沢市", "920", "076", ["香林坊", "片町", "武蔵町"]),
    ("岡山県", "岡山市北区", "700", "086", ["表町", "駅前町"]),
    ("熊本県", "熊本市中央区", "860", "096", ["上通町", "下通"]),
    ("沖縄県", "那覇市", "900", "098", ["久茂地", "牧志", "おもろまち"]),
    ("鹿児島県", "鹿児島市", "892", "099", ["千日町", "山之口町"]),
    ("茨城県", "つくば市", "305", "029", ["吾妻", "竹園"]),
    ("岐阜県", "岐阜市", "500", "058", ["柳ケ瀬通", "神田町"]),
    ("愛媛県", "松山市", "790", "089", ["大街道", "湊町"]),
]
BUILDINGS = [
    "コーポ",
    "パークハイツ",
    "グランメゾン",
    "サンライズマンション",
    "メゾン",
    "レジデンス",
]
MAIL_DOMAINS = [
    "example.jp", "example.com", "mail.example.co.jp", "docomo.example.ne.jp",
    "ezweb.example.ne.jp", "icloud.example.com", "yahoo.example.co.jp", "gmail.example.com",
]  # fmt: skip

_KANA = dict(
    zip(
        "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
        "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴ",
        "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no"
        " ha hi fu he ho ma mi mu me mo ya yu yo ra ri ru re ro wa o n"
        " ga gi gu ge go za ji zu ze zo da ji zu de do ba bi bu be bo pa pi pu pe po vu".split(),
        strict=True,
    )
)
_SMALL = {"ャ": "ya", "ュ": "yu", "ョ": "yo"}


def romaji(kana: str) -> str:
    """Simplified Hepburn the way people spell their names in mail addresses (サトウ → sato)."""
    out: list[str] = []
    double_next = False
    for ch in kana:
        if ch == "ッ":
            double_next = True
            continue
        if ch == "ー":
            continue
        if ch in _SMALL and out:
            prev = out.pop()
            vowel = _SMALL[ch][1]
            out.append(prev[:-1] + (vowel if prev.endswith(("shi", "chi", "ji")) else "y" + vowel))
            continue
        syllable = _KANA.get(ch, "")
        if double_next and syllable:
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
            double_next = False
        out.append(syllable)
    text = "".join(out)
    text = re.sub(r"ou(?![aeiou])", "o", text)
    text = re.sub(r"oo(?![aeiou])", "o", text)
    return re.sub(r"uu(?![aeiou])", "u", text)


@dataclass
class Person:
    family: str
    given: str
    family_kana: str
    given_kana: str
    language: str = "ja"
    email: str = ""  # as typed (case kept)
    mobile: str = ""  # national digits (typed_phone() writes them the ways people do)
    landline: str = ""
    fax: str = ""
    postal_code: str = ""
    address: str = ""
    handles: dict[str, str] = field(default_factory=dict)  # line / meta / x / chat ids

    @property
    def name(self) -> str:
        if self.language == "en":
            return f"{self.given} {self.family}".strip()
        return f"{self.family} {self.given}".strip()

    @property
    def kana(self) -> str:
        return f"{self.family_kana} {self.given_kana}".strip()

    @property
    def phone(self) -> str:
        return self.mobile or self.landline


class People:
    """Draws unique people; remembers handles so no two customers share one."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make) -> str:  # type: ignore[no-untyped-def]
        for _ in range(500):
            value = make()
            if value.lower() not in self.used and handle_key(value) not in self.used:
                self.used.add(handle_key(value))
                return str(value)
        raise RuntimeError("could not draw a unique handle")

    def person(self, *, english: bool = False, elderly: bool = False, fax: bool = False) -> Person:
        rng = self.rng
        if english:
            family, given = rng.choice(ENGLISH_NAMES)
            person = Person(family, given, "", "", language="en")
        else:
            family, family_kana = rng.choice(FAMILY_NAMES)
            given, given_kana = rng.choice(FEMALE_NAMES if rng.random() < 0.62 else MALE_NAMES)
            person = Person(family, given, family_kana, given_kana)
        place = rng.choice(PLACES)
        person.postal_code = f"{place[2]}-{rng.randint(0, 9999):04d}"
        person.address = self._street(place)
        person.email = self._unique(lambda: self._email(person, elderly))
        if elderly or rng.random() < 0.2:
            person.landline = self._unique(lambda: self._landline(place[3]))
        if not elderly or rng.random() < 0.3:
            person.mobile = self._unique(self._mobile)
        if fax or (elderly and rng.random() < 0.6):
            person.fax = self._unique(lambda: self._landline(place[3]))
        return person

    def _street(self, place: tuple) -> str:  # type: ignore[type-arg]
        rng = self.rng
        pref, city, _prefix, _area, towns = place
        town = rng.choice(towns)
        if rng.random() < 0.6:
            street = f"{town}{rng.randint(1, 5)}丁目{rng.randint(1, 30)}-{rng.randint(1, 20)}"
        else:
            street = f"{town}{rng.randint(1, 999)}-{rng.randint(1, 30)}"
        if rng.random() < 0.5:
            name = rng.choice(BUILDINGS) + rng.choice([town, "", "東", "第2"])
            street += f" {name} {rng.randint(1, 9)}0{rng.randint(1, 9)}号室"
        return f"{pref}{city}{street}"

    def _email(self, person: Person, elderly: bool) -> str:
        rng = self.rng
        fam = romaji(person.family_kana) if person.family_kana else person.family.lower()
        giv = romaji(person.given_kana) if person.given_kana else person.given.lower()
        local = rng.choice(
            [
                f"{giv}.{fam}",
                f"{fam}.{giv}",
                f"{fam}{giv[0]}{rng.randint(10, 99)}",
                f"{giv}{rng.randint(1960, 2005)}",
                f"{fam}_{giv}",
                f"{giv[:3]}{fam[:3]}{rng.randint(1, 999)}",
            ]
        )
        domain = rng.choice(MAIL_DOMAINS[3:5] if elderly else MAIL_DOMAINS)
        if rng.random() < 0.08:  # some type capitals; the identity is lower-cased
            local = local.capitalize()
        return f"{local}@{domain}"

    def _mobile(self) -> str:
        rng = self.rng
        return (
            rng.choice(["090", "080", "070"])
            + str(rng.randint(1, 9))
            + f"{rng.randint(0, 9999999):07d}"
        )

    def _landline(self, area: str) -> str:
        rng = self.rng
        rest = 10 - len(area)
        return (
            area + str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(rest - 1))
        )


def handle_key(value: str) -> str:
    """Emails compare lower-cased, phone numbers by their last nine digits however typed."""
    if "@" in value:
        return value.lower()
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", value))
    return digits[-9:]


_AREA_CODES = sorted({place[3] for place in PLACES}, key=len, reverse=True)


def typed_phone(rng: random.Random, digits: str) -> str:
    """A national number (10 or 11 digits) the way a customer might type it."""
    if digits[:3] in ("090", "080", "070", "050"):
        parts = [digits[:3], digits[3:7], digits[7:]]
    else:
        area = next((a for a in _AREA_CODES if digits.startswith(a)), digits[:2])
        local = {2: 4, 3: 3, 4: 2, 5: 1}.get(len(area), 3)
        parts = [area, digits[len(area) : len(area) + local], digits[len(area) + local :]]
    style = rng.random()
    if style < 0.45:
        return "-".join(parts)
    if style < 0.62:
        return digits
    if style < 0.72:
        return " ".join(parts)
    if style < 0.82:
        return "+81 " + parts[0][1:] + "-" + parts[1] + "-" + parts[2]
    if style < 0.92:  # full-width digits and a long-vowel mark as the hyphen
        return "ー".join(parts).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return f"({parts[0]}) {parts[1]}-{parts[2]}"
