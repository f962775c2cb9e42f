"""Words customers use for the same thing, for the lexical half of search.

A group matches when any of its terms occurs in the text (after NFKC, lower case and
hiragana → katakana), so 取り消し, とりけし and 取消 all light up the same group feature as
キャンセル. The defaults are what any Japanese online shop needs; Synonym rows (global or per
brand) add groups on top.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .text import fold

DEFAULT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("キャンセル", "取り消し", "取消し", "取消", "取りやめ", "取り止め", "cancel"),
    ("代金引換", "代金引き換え", "代引き", "代引", "cash on delivery"),
    ("返品", "返却", "返送", "return"),
    ("返金", "払い戻し", "払戻し", "払戻", "refund"),
    ("交換", "取り替え", "取替え", "取り換え", "exchange"),
    ("送料", "配送料", "送料金", "shipping fee", "shipping cost"),
    ("配送", "配達", "デリバリー", "delivery"),
    ("領収書", "領収証", "レシート", "receipt"),
    ("納品書", "明細書"),
    ("請求書", "インボイス", "invoice"),
    ("会員登録", "新規登録", "アカウント作成", "サインアップ", "sign up"),
    ("退会", "会員削除", "アカウント削除", "delete account"),
    ("ログイン", "サインイン", "ログオン", "login", "log in", "sign in"),
    ("パスワード", "暗証番号", "password"),
    ("メールマガジン", "メルマガ", "ニュースレター", "配信停止", "newsletter", "unsubscribe"),
    ("クーポン", "割引券", "割引コード", "coupon"),
    (
        "コンビニ払い",
        "コンビニ決済",
        "コンビニ支払い",
        "コンビニ支払",
        "ファミマ",
        "ファミリーマート",
        "ローソン",
        "セブンイレブン",
        "ミニストップ",
    ),
    ("後払い", "後払", "あと払い"),
    (
        "クレジットカード",
        "クレカ",
        "credit card",
        "アメックス",
        "amex",
        "jcb",
        "visa",
        "マスターカード",
        "mastercard",
        "ダイナース",
    ),
    ("分割払い", "分割", "リボ払い", "分けて払", "instalment", "installment"),
    ("再配達", "再配送", "不在票", "不在連絡票", "redelivery"),
    ("置き配", "置配", "玄関前"),
    ("配送状況", "追跡", "問い合わせ番号", "伝票番号", "トラッキング", "tracking", "track"),
    ("お届け先", "配送先", "送り先", "届け先"),
    ("メールアドレス", "メアド", "email address"),
    ("再入荷", "入荷", "再販", "restock"),
    ("予約", "予約注文", "先行予約", "pre-order", "preorder"),
    ("ラッピング", "ギフト包装", "プレゼント包装", "包装", "gift wrap"),
    ("のし", "熨斗", "のし紙"),
    ("不良品", "初期不良", "破損", "欠陥", "故障", "defective", "damaged"),
    ("誤配送", "誤発送", "商品違い", "違う商品", "別の商品", "注文と違", "wrong item"),
    ("二重注文", "重複注文", "2回注文", "二回注文", "double order"),
    ("問い合わせ", "問合せ", "お問合せ", "問合わせ", "contact"),
    ("営業時間", "受付時間", "business hours"),
    (
        "海外発送",
        "海外配送",
        "国際配送",
        "海外",
        "アメリカ",
        "米国",
        "台湾",
        "韓国",
        "中国",
        "香港",
        "overseas",
        "abroad",
        "international shipping",
    ),
    ("店舗受け取り", "店頭受け取り", "店舗受取", "店頭受取", "店舗で受け取", "store pickup"),
    ("注文履歴", "購入履歴", "order history"),
    ("注文", "ポチ", "order"),
    ("確認メール", "注文確認メール", "受付メール", "自動返信メール", "confirmation email"),
    ("届かない", "未着", "届いていない", "届いてない", "来ない"),
    ("日時指定", "配達日指定", "時間指定", "お届け日"),
    ("同梱", "まとめて発送", "一緒に送"),
    ("個人情報", "プライバシー", "privacy"),
    ("お手入れ", "洗濯", "手入れ", "care"),
    ("法人", "企業", "会社名", "business"),
    ("見積もり", "見積り", "見積書", "見積", "quote"),
    ("支払い期限", "支払期限", "払込期限", "payment deadline"),
    ("ポイント", "points"),
)


@dataclass(frozen=True)
class SynonymSet:
    """Compiled groups: (folded term, group number) pairs, longest term first."""

    terms: tuple[tuple[str, int], ...]

    def groups_in(self, *texts: str) -> set[int]:
        """The groups whose terms occur in any of the (already folded) texts."""
        found: set[int] = set()
        for term, group in self.terms:
            if group in found:
                continue
            for text in texts:
                if term in text:
                    found.add(group)
                    break
        return found


def compile_groups(extra: Iterable[Sequence[str]] = ()) -> SynonymSet:
    """Defaults plus `extra` groups; groups sharing a term merge (union-find)."""
    groups = [list(g) for g in DEFAULT_GROUPS] + [list(g) for g in extra]
    parent = list(range(len(groups)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, group in enumerate(groups):
        for term in group:
            key = fold(term).strip()
            if len(key) < 2:  # one character matches everywhere
                continue
            if key in owner:
                parent[find(i)] = find(owner[key])
            else:
                owner[key] = i
    pairs = sorted(((t, find(g)) for t, g in owner.items()), key=lambda p: -len(p[0]))
    return SynonymSet(terms=tuple(pairs))
