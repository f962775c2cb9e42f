"""Reply trimming: the quoted earlier mail and the signature go, the customer's words stay."""

from __future__ import annotations

import pytest

from madoguchi.lib.mail.quoting import trim_reply

SIGNATURE_JA = """━━━━━━━━━━━━━━━━━━━━
株式会社サンプル商事 営業部
山田 太郎
TEL: 03-1234-5678
Mail: yamada@example.co.jp
━━━━━━━━━━━━━━━━━━━━"""


@pytest.mark.parametrize(
    "attribution",
    [
        "2026年12月1日(火) 10:00 山田太郎 <taro@example.jp>:",
        "2026/12/01 10:00、窓口サポート さんは書きました:",
        "山田様 wrote:",
        "On Mon, Dec 1, 2026 at 10:00 AM Taro Yamada <taro@example.com> wrote:",
        "On 2026/12/01 10:00, support@shop.test wrote:",
    ],
)
def test_attribution_and_quote_removed(attribution: str) -> None:
    text = (
        "返品の件、了解しました。\nよろしくお願いします。\n\n"
        f"{attribution}\n> 前回のメール\n> 2行目\n"
    )
    assert trim_reply(text) == "返品の件、了解しました。\nよろしくお願いします。"


def test_gmail_wrapped_attribution() -> None:
    text = (
        "Yes, here are the steps.\n\nOn Thu, Aug 19, 2021 at 2:07 PM Support Team <\n"
        "support@example.com> wrote:\n\n> Any update on this?\n>\n"
    )
    assert trim_reply(text) == "Yes, here are the steps."


@pytest.mark.parametrize(
    "block",
    [
        "-----Original Message-----\nFrom: Support <s@shop.test>\nSent: Monday\n"
        "Subject: Re: x\n\nold",
        "-----元のメッセージ-----\n差出人: サポート <s@shop.test>\n"
        "送信日時: 2026年12月1日\n件名: x\n\n旧",
        "差出人: サポート <s@shop.test>\n送信日時: 2026年12月1日 10:00\n"
        "宛先: 山田\n件名: Re: 注文\n\n旧本文",
        "________________________________\nFrom: Support <s@shop.test>\n"
        "Sent: Monday\nTo: me\n\nold",
        "From: Support <s@shop.test>\nDate: Mon, 1 Dec 2026\nSubject: Re: x\nTo: a@b.jp\n\nold",
    ],
)
def test_outlook_blocks_removed(block: str) -> None:
    assert trim_reply(f"届きました。ありがとうございます。\n\n{block}\n") == (
        "届きました。ありがとうございます。"
    )


def test_japanese_signature_removed() -> None:
    text = f"注文番号 1234 の配送状況を教えてください。\n\n{SIGNATURE_JA}\n"
    assert trim_reply(text) == "注文番号 1234 の配送状況を教えてください。"


def test_dash_dash_signature_and_mobile_footer() -> None:
    assert trim_reply("Thanks!\n\n-- \nTaro\nhttps://taro.example\n") == "Thanks!"
    assert trim_reply("了解です\n\niPhoneから送信\n") == "了解です"


def test_signature_then_quote() -> None:
    text = (
        "サイズ交換をお願いします。\n\n"
        f"{SIGNATURE_JA}\n\n"
        "2026年12月1日(火) 10:00 窓口 <support@shop.test>:\n> ご連絡ありがとうございます。\n"
    )
    assert trim_reply(text) == "サイズ交換をお願いします。"


def test_inline_reply_is_kept_whole() -> None:
    text = (
        "On Mon, Dec 1, 2026 at 10:00 AM Support <s@shop.test> wrote:\n"
        "> ご注文番号を教えてください。\n1234 です。\n> 住所は?\n東京都です。\n"
    )
    assert trim_reply(text) == text.strip("\n")


def test_customer_text_with_date_colon_is_not_cut() -> None:
    text = "2026年12月1日に注文した件について:\n商品が届いていません。\n至急確認をお願いします。"
    assert trim_reply(text) == text


def test_rule_lines_inside_customer_text_are_kept() -> None:
    text = "注文内容\n----------\nTシャツ M 2枚\nパーカー L 1枚\n----------\n以上です。"
    assert trim_reply(text) == text


def test_forwarded_message_is_kept() -> None:
    text = (
        "下のメールが届きました。\n\n---------- Forwarded message ----------\n"
        "From: 配送センター <ship@example.jp>\nDate: 2026/12/01\nSubject: 不在\n"
        "To: me\n\n不在票です"
    )
    assert trim_reply(text) == text


def test_only_quote_falls_back_to_full_text() -> None:
    text = "> 前回のメール\n> 2行目"
    assert trim_reply(text) == text
    assert trim_reply("") == ""
    assert trim_reply("   \n") == "   \n"


def test_trailing_quote_without_attribution() -> None:
    assert trim_reply("OKです\n\n> 以前の内容\n> 続き") == "OKです"


def test_html_quote_markers_cut() -> None:
    from madoguchi.lib.mail.quoting import cut_html_quote

    gmail = (
        '<div dir="ltr">届きました。</div><br><div class="gmail_quote">'
        '<div class="gmail_attr">2026年12月1日(火) 10:00 窓口:</div>'
        "<blockquote>旧</blockquote></div>"
    )
    assert cut_html_quote(gmail) == '<div dir="ltr">届きました。</div><br>'
    outlook = '<p>OKです</p><div id="divRplyFwdMsg"><b>差出人:</b> 窓口</div><p>旧</p>'
    assert cut_html_quote(outlook) == "<p>OKです</p>"
    apple = '<div>了解</div><blockquote type="cite">旧</blockquote>'
    assert cut_html_quote(apple) == "<div>了解</div>"


def test_html_quote_kept_when_nothing_before_or_forwarded() -> None:
    from madoguchi.lib.mail.quoting import cut_html_quote

    only = '<div class="gmail_quote">旧</div>'
    assert cut_html_quote(only) == only
    forward = (
        '<div>見てください</div><div class="gmail_quote">---------- Forwarded message '
        "---------<br>From: 配送</div>"
    )
    assert cut_html_quote(forward) == forward
