"""What the demo's customers (and machines) write to the shops' email inboxes."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from . import mail_samples as build
from .shop import Shop

if TYPE_CHECKING:
    pass

RECEIPT_SUBJECT = "【{{brand.name}}】お問い合わせを受け付けました（受付番号 {{ticket.number}}）"
RECEIPT_BODY = """{{customer.name}} 様

このたびは{{brand.name}}にお問い合わせいただき、誠にありがとうございます。
下記の受付番号にてお問い合わせを承りました。

受付番号：{{ticket.number}}

担当者より順次ご連絡いたします。通常、1営業日以内（土日祝日・年末年始を除く）にご返信しております。
このメールにご返信いただく場合は、件名の受付番号を消さずにお送りください。

※本メールはシステムより自動でお送りしています。"""

_PLACES = {
    "hinata": "〒150-0001 東京都渋谷区神宮前0-12-3 ひなたビル2F",
    "maruya": "〒390-0811 長野県松本市中央0-4-8",
}


def signature(shop: Shop) -> str:
    place, hours = _PLACES.get(shop.short, ""), "平日 9:00〜18:00／土曜 10:00〜17:00"
    line = "━" * 24
    return "\n".join(
        [
            line,
            f"{shop.name} カスタマーサポート",
            place,
            f"TEL {shop.phone}（{hours}）",
            f"MAIL info@{shop.domain}",
            f"https://{shop.domain}/",
            line,
        ]
    )


def mid(rng: random.Random, domain: str, *, upper: bool = False, prefix: str = "") -> str:
    token = f"{rng.getrandbits(96):024x}"
    return f"<{prefix}{token.upper() if upper else token}@{domain}>"


@dataclass(frozen=True)
class Sample:
    label: str
    shop: str
    builder: Callable[[random.Random, str, datetime], bytes]

    def build(self, rng: random.Random, to: str, at: datetime) -> bytes:
        return self.builder(rng, to, at)


def _iphone(rng: random.Random, to: str, at: datetime) -> bytes:
    return build.iphone_jis(
        name="小川 恵美",
        address="emi.ogawa.0923@icloud.example.com",
        to=to,
        subject="領収書の宛名について（ORD-2026-48213）",
        body=(
            "ひなた雑貨店 ご担当者様\n\nいつもお世話になっております。\n"
            "先日注文した件で、2点お願いがございます。\n\n"
            "① 領収書の宛名を「㈱こもれび設計」でお願いできますでしょうか。\n"
            "② 但し書きは「事務用品代として」でお願いします。\n\n"
            "注文番号は ORD-2026-48213 です。\n"
            "お手数をおかけしますが、よろしくお願いいたします。\n\n小川\n\niPhoneから送信\n"
        ),
        at=at,
        mid=mid(rng, "icloud.example.com", upper=True),
    )


def _docomo(rng: random.Random, to: str, at: datetime) -> bytes:
    return build.docomo_sjis(
        name="髙橋 和子",
        address="kazuko-t.0415@docomo.example.ne.jp",
        to=to,
        subject="サイズ違いの商品が届きました",
        body=(
            "ひなた雑貨店さま\n本日ワイドデニムパンツが届きましたが、"
            "注文したのはMサイズなのにLサイズが入っていました。\n"
            "納品書にはMと書いてあります。\nMサイズと交換していただけますか。\n"
            "送り返す方法を教えてください。\n注文番号 ORD-2026-51877\n髙橋\n"
        ),
        at=at,
        mid=mid(rng, "docomo.example.ne.jp", prefix="dcm"),
    )


def _gmail(rng: random.Random, to: str, at: datetime) -> bytes:
    shipped = "2026年11月28日(土) 10:12"
    notice = (
        "原田 悠斗 様\n\nこのたびはひなた雑貨店をご利用いただき、ありがとうございます。\n"
        "ご注文の商品を本日発送いたしました。\n\n注文番号：ORD-2026-50916\n"
        "商品：陶器のマグカップ ×2\n配送業者：ヤマト運輸\n"
    )
    text = (
        "ひなた雑貨店 ご担当者様\n\n商品を受け取りましたが、箱を開けたら"
        "マグカップの1つの取っ手が欠けていました。写真を添付します。\n"
        "交換をお願いできますでしょうか。\n\n原田\n\n"
        f"{shipped} ひなた雑貨店 <{to}>:\n\n"
        + "".join(f"> {line}\n" for line in notice.split("\n"))
    )
    cid = f"ii_{rng.getrandbits(40):010x}"
    quoted = notice.replace("\n", "<br>\n")
    html = (
        '<div dir="ltr"><div>ひなた雑貨店 ご担当者様</div><div><br></div>'
        "<div>商品を受け取りましたが、箱を開けたらマグカップの1つの取っ手が欠けていました。"
        "写真を添付します。<br>交換をお願いできますでしょうか。</div><div><br></div>"
        f'<div><img src="cid:{cid}" alt="image.png" width="240" height="160"><br></div>'
        "<div><br></div><div>原田</div></div><br>"
        '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
        f"{shipped} ひなた雑貨店 &lt;{to}&gt;:<br></div>"
        '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;'
        'border-left:1px solid rgb(204,204,204);padding-left:1ex">'
        f"{quoted}</blockquote></div>\n"
    )
    return build.gmail_html(
        name="原田 悠斗",
        address="yuto.harada.84@gmail.example.com",
        to=to,
        subject="Re: 【ひなた雑貨店】商品発送のお知らせ",
        text=text,
        html=html,
        at=at,
        mid=f"<CA{rng.getrandbits(200):050x}@mail.gmail.example.com>",
        in_reply_to=mid(rng, "hinata.example.jp", prefix="ship."),
        image_cid=cid,
    )


def _pdf(rng: random.Random, to: str, at: datetime) -> bytes:
    form = build.tiny_pdf(
        [
            "Hinata Zakka - Return Request",
            "Order: ORD-2026-47702",
            "Item: Gathered one-piece (M) x 1",
            "Reason: colour differs from the photo",
            "Name: Sayaka Morimoto",
        ]
    )
    return build.with_attachment(
        name="森本 さやか",
        address="sayaka_morimoto@yahoo.example.co.jp",
        to=to,
        subject="返品申込書を送付します（注文番号 ORD-2026-47702）",
        body=(
            "ひなた雑貨店 御中\n\nお世話になっております。森本と申します。\n"
            "先日購入したギャザーワンピースですが、写真と色味がかなり違ったため返品を希望します。\n"
            "ホームページの返品申込書に記入しましたので添付いたします。\n"
            "返送先と送料の扱いについてご教示ください。\n\n森本 さやか\n"
        ),
        at=at,
        mid=mid(rng, "mail.yahoo.example.co.jp"),
        filename="返品申込書_森本.pdf",
        data=form,
    )


def _thunderbird(rng: random.Random, to: str, at: datetime) -> bytes:
    return build.plain_utf8(
        name="井上 拓也",
        address="t.inoue@mail.example.co.jp",
        to=to,
        subject="キャンバススニーカーのサイズ交換希望",
        body=(
            "ひなた雑貨店 ご担当者様\n\n11月25日に注文したキャンバススニーカー（26.5cm）ですが、"
            "少し大きかったため27.0cmではなく26.0cmへの交換をお願いしたいです。\n"
            "未使用で、箱とタグもそのままです。\n注文番号：ORD-2026-49330\n\n"
            "よろしくお願いいたします。\n\n-- \n井上 拓也\n"
        ),
        at=at,
        mid=f"<{rng.getrandbits(64):016x}-{rng.getrandbits(32):08x}@mail.example.co.jp>",
        extra=(("User-Agent", "Mozilla Thunderbird"), ("Content-Language", "ja")),
        cte="quoted-printable",
    )


def _newsletter(rng: random.Random, to: str, at: datetime) -> bytes:
    return build.plain_utf8(
        name="ネットショップ運営ニュース",
        address="news@ec-news.example.com",
        to=to,
        subject="【ネットショップ運営ニュース】年末の配送遅延と問い合わせ対策 vol.248",
        body=(
            "ネットショップ運営ニュース vol.248\n"
            "━━━━━━━━━━━━━━━━━━━━\n"
            "■ 今号の内容\n1. 年末年始の配送遅延予測\n2. 問い合わせ急増に備えるテンプレート集\n"
            "3. 返品ポリシーの書き方\n\n配信停止はこちら: https://ec-news.example.com/unsubscribe\n"
        ),
        at=at,
        mid=mid(rng, "mailer.ec-news.example.com"),
        extra=(
            ("Precedence", "bulk"),
            ("List-Id", "<news.ec-news.example.com>"),
            ("List-Unsubscribe", "<https://ec-news.example.com/unsubscribe>"),
        ),
    )


def _no_from(rng: random.Random, to: str, at: datetime) -> bytes:
    return build.no_sender(
        to=to,
        subject="[お問い合わせ] 在庫について",
        body="お名前：\nメールアドレス：\nお問い合わせ内容：\nリネンストールの再入荷予定はありますか\n",
        at=at,
        mid=mid(rng, "www.hinata.example.jp", prefix="form."),
    )


def _plain(name: str, address: str, subject: str, body: str, client: str = "") -> Sample:
    def builder(rng: random.Random, to: str, at: datetime) -> bytes:
        extra = (("X-Mailer", client),) if client else ()
        return build.plain_utf8(
            name=name,
            address=address,
            to=to,
            subject=subject,
            body=body,
            at=at,
            mid=mid(rng, address.split("@")[1]),
            extra=extra,
        )

    return Sample(subject, "maruya", builder)


def _becky(rng: random.Random, to: str, at: datetime) -> bytes:
    return build.iphone_jis(
        name="山口 健一",
        address="k-yamaguchi@example.com",
        to=to,
        subject="包丁の研ぎ直しについて",
        body=(
            "台所道具 まるや 御中\n\n"
            "昨年そちらで購入した三徳包丁165mmの研ぎ直しをお願いしたいのですが、\n"
            "料金と送り方を教えていただけますか。\n\n山口 健一\n"
        ),
        at=at,
        mid=f"<20261130{rng.getrandbits(32):08X}.{rng.getrandbits(16):04X}@example.com>",
        mailer="Becky! ver. 2.81.04",
    )


NEW_MAIL = (
    Sample("iphone-jis", "hinata", _iphone),
    Sample("docomo-sjis", "hinata", _docomo),
    Sample("gmail-html", "hinata", _gmail),
    Sample("pdf-rfc2231", "hinata", _pdf),
    Sample("thunderbird", "hinata", _thunderbird),
    Sample("newsletter", "hinata", _newsletter),
    Sample("no-from", "hinata", _no_from),
    Sample("becky-jis", "maruya", _becky),
    _plain(
        "松田 直美",
        "naomi.matsuda@example.jp",
        "注文した土鍋がまだ届きません",
        "台所道具 まるや 様\n\n11月24日に伊賀焼 土鍋 8号を注文しました（ORD-2026-50288）。\n"
        "発送のご連絡はいただいたのですが、追跡番号で調べても「荷物情報が登録されていません」"
        "と出ます。\n週末に使う予定なので、配送状況を確認していただけますか。\n\n松田\n",
    ),
    _plain(
        "佐々木 亮（株式会社みどり食堂 経理部）",
        "sasaki@midori-shokudo.example.co.jp",
        "請求書払いと請求書の発行について",
        "台所道具 まるや ご担当者様\n\n株式会社みどり食堂 経理部の佐々木でございます。\n"
        "店舗用に有田焼 飯碗 ペアを20セット注文したく考えております。\n"
        "法人での請求書払い（月末締め翌月末払い）は可能でしょうか。\n"
        "可能でしたら、請求書の宛名は「株式会社みどり食堂」でお願いいたします。\n\n"
        "何卒よろしくお願い申し上げます。\n\n株式会社みどり食堂 経理部\n佐々木 亮\n",
        client="Microsoft Outlook 16.0",
    ),
    _plain(
        "中島 恭子",
        "kyoko.nakajima@ezweb.example.ne.jp",
        "領収書の再発行をお願いします",
        "まるや様\n先月購入した南部鉄器の急須の領収書を紛失してしまいました。\n"
        "再発行していただくことはできますか。宛名は中島でお願いします。\n"
        "注文番号はORD-2026-43107です。\n中島\n",
    ),
    _plain(
        "岡本 美和",
        "miwa.okamoto@icloud.example.com",
        "南部鉄器の急須に錆が出ています（返品の相談）",
        "台所道具 まるや ご担当者様\n\n届いた南部鉄器 急須 0.6Lの注ぎ口の内側に、"
        "赤い錆のようなものがありました。\nまだ一度も使っていません。\n"
        "返品か交換をお願いできますでしょうか。\n\n岡本 美和\n",
    ),
)
