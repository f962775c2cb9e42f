"""The demo's macros: reply templates agents reach for every day, with field changes."""

from __future__ import annotations

from dataclasses import dataclass

from madoguchi.accounts.models import Agent
from madoguchi.tickets.models import Macro

_HEAD = (
    "{{customer.name}} 様\n\n"
    "お問い合わせいただき、誠にありがとうございます。\n"
    "{{brand.name}} カスタマーサポートの{{agent.name}}でございます。\n\n"
)
_TAIL = (
    "\n\nお問い合わせ番号：{{ticket.number}}\n"
    "ご不明な点がございましたら、本メールにそのままご返信ください。\n\n"
    "――――――――――\n{{brand.name}} カスタマーサポート\n{{agent.name}}\n――――――――――"
)


@dataclass(frozen=True)
class MacroSpec:
    name: str
    body: str
    status: str = ""
    priority: str = ""
    tags: tuple[str, ...] = ()
    owner: str = ""  # a username: a personal macro


MACROS = (
    MacroSpec(
        "配送遅延のお詫び",
        "ご注文の商品のお届けが遅れており、大変申し訳ございません。\n"
        "現在、配送業者の輸送に遅れが生じており、通常より1〜2日ほどお時間をいただいております。\n"
        "発送が完了しましたら、お問い合わせ伝票番号をメールにてお知らせいたします。\n"
        "ご迷惑をおかけいたしますが、何卒よろしくお願い申し上げます。",
        status="pending",
        tags=("配送遅延",),
    ),
    MacroSpec(
        "返品手続きのご案内",
        "返品のご連絡をいただき、ありがとうございます。\n"
        "商品到着後8日以内・未使用のものに限り、返品を承っております。\n\n"
        "1. マイページの「注文履歴」から「返品申請」を選択してください。\n"
        "2. 返品理由をご入力のうえ、申請を完了してください。\n"
        "3. 折り返しお送りする返送先へ、商品をご返送ください。\n\n"
        "商品の到着・検品後、5営業日以内にご返金いたします。",
        status="pending",
        tags=("返品",),
    ),
    MacroSpec(
        "住所変更の承り",
        "お届け先のご住所変更を承りました。\n"
        "変更後のご住所へお届けいたします。会員情報のご住所もあわせて更新しております。\n"
        "すでに発送済みの場合は、配送業者に転送を依頼いたします。",
        status="solved",
        tags=("住所変更",),
    ),
    MacroSpec(
        "不良品交換のご案内",
        "このたびは不良品をお届けしてしまい、誠に申し訳ございません。\n"
        "新しい商品を本日手配いたします。お手元の商品は、交換品に同封の着払い伝票にてご返送ください。\n"
        "返送の際の送料は当店が負担いたします。",
        status="pending",
        priority="high",
        tags=("不良品", "交換"),
    ),
    MacroSpec(
        "お支払い方法のご案内",
        "当店では、以下のお支払い方法をご利用いただけます。\n\n"
        "・クレジットカード（VISA / Mastercard / JCB / AMEX）\n・コンビニ払い（前払い）\n"
        "・代金引換（手数料330円）\n・銀行振込（前払い）\n・NP後払い\n\n"
        "クレジットカードでエラーになる場合は、カード会社の本人認証設定をご確認ください。",
        status="solved",
        tags=("支払い",),
    ),
    MacroSpec(
        "ログインできない場合",
        "マイページにログインできない場合は、以下をお試しください。\n\n"
        "1. ログイン画面の「パスワードをお忘れの方」から再設定メールを送信\n"
        "2. 迷惑メールフォルダ、ドメイン指定受信の設定を確認\n"
        "3. それでも届かない場合は、ご登録のお名前とお電話番号を本メールにご返信ください",
        status="pending",
        tags=("ログイン",),
    ),
    MacroSpec(
        "領収書の発行について",
        "領収書は、マイページの注文履歴から宛名を入力してPDFでダウンロードいただけます。\n"
        "当店は適格請求書発行事業者です（登録番号 T1234567890123）。",
        status="solved",
        tags=("領収書",),
    ),
    MacroSpec(
        "ご注文キャンセルの承り",
        "ご注文のキャンセルを承りました。\n"
        "クレジットカードでお支払いの場合、カード会社からのご請求は発生いたしません。\n"
        "またのご利用を心よりお待ちしております。",
        status="solved",
        tags=("キャンセル",),
    ),
    MacroSpec(
        "ギフト包装・のしについて",
        "ギフト包装（税込330円）・のし（無料）を承っております。\n"
        "ご注文時に「ギフト設定」を選択し、表書き・名入れを備考欄にご記入ください。\n"
        "ギフト設定のご注文には、金額入りの納品書は同梱いたしません。",
        status="solved",
        tags=("ギフト",),
    ),
    MacroSpec(
        "サイズ交換のご案内",
        "サイズ交換を承ります。\n"
        "交換ご希望のサイズの在庫を確保いたしましたので、お手元の商品を着払いにてご返送ください。\n"
        "返送品の到着を確認後、交換品を発送いたします。",
        status="pending",
        tags=("交換", "サイズ交換"),
    ),
    MacroSpec(
        "再入荷のお知らせ登録",
        "お問い合わせの商品は、現在入荷待ちとなっております。\n"
        "商品ページの「再入荷お知らせ」にご登録いただくと、入荷時にメールでご案内いたします。",
        status="solved",
        tags=("在庫",),
    ),
    MacroSpec(
        "お礼（解決済み）",
        "ご丁寧にご連絡いただき、ありがとうございます。\nまたのご利用を心よりお待ちしております。",
        status="solved",
        owner="lead",
    ),
)


def create_macros(agents: dict[str, Agent]) -> dict[str, Macro]:
    """Shared macros (every brand) and one personal macro of the lead."""
    created = {}
    for spec in MACROS:
        created[spec.name] = Macro.objects.create(
            name=spec.name,
            body=_HEAD + spec.body + _TAIL,
            set_status=spec.status,
            set_priority=spec.priority,
            add_tags=list(spec.tags),
            owner=agents[spec.owner] if spec.owner else None,
        )
    return created
