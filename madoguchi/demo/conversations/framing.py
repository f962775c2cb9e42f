"""How a message is framed on each channel: business mail etiquette on email and forms,
short lines on chat and LINE, a call summary on the phone, English for English speakers."""

from __future__ import annotations

import random
from collections.abc import Mapping

CASUAL_CHANNELS = frozenset({"chat", "line", "meta", "x", "sms"})

_CUSTOMER_GREETINGS = (
    "{brand} ご担当者様\n\n",
    "{brand} カスタマーサポート御中\n\n",
    "お世話になっております。\n",
    "いつもお世話になっております。\n",
    "",
)
_CUSTOMER_INTROS = (
    "{full}と申します。\n",
    "{family}です。\n",
    "",
    "以前も購入させていただいた{family}です。\n",
)
_CUSTOMER_CLOSINGS = (
    "\n\nお手数ですが、よろしくお願いいたします。",
    "\n\nご確認のほど、よろしくお願いいたします。",
    "\n\nよろしくお願いします。",
    "\n\n以上、よろしくお願いいたします。",
)
_CUSTOMER_SIGNATURES = (
    "\n\n{full}",
    "\n\n{full}\n{phone}",
    "\n\n--\n{full}\n{email}",
    "\n\n{family}",
    "",
)

_AGENT_OPENERS = (
    "この度は{brand}をご利用いただき、誠にありがとうございます。",
    "お問い合わせいただき、誠にありがとうございます。",
    "いつも{brand}をご利用いただき、ありがとうございます。",
    "ご連絡いただき、ありがとうございます。",
)
_AGENT_APOLOGIES = (
    "この度はご不便をおかけしており、誠に申し訳ございません。",
    "ご迷惑をおかけしておりますこと、心よりお詫び申し上げます。",
)
_AGENT_CLOSINGS = (
    "ご不明な点がございましたら、お気軽にお問い合わせください。",
    "今後とも{brand}をよろしくお願いいたします。",
    "引き続きどうぞよろしくお願いいたします。",
    "何卒よろしくお願い申し上げます。",
)
_THANKS_FORMAL = (
    "ご丁寧にありがとうございました。助かりました。",
    "迅速にご対応いただき、ありがとうございました。",
    "承知しました。ありがとうございました。",
    "分かりやすいご説明をありがとうございました。また利用させていただきます。",
)
_THANKS_CASUAL = (
    "ありがとうございます！",
    "了解です、助かりました🙏",
    "ありがとうございました〜",
    "わかりました！",
)
_THANKS_EN = ("Thank you so much!", "Great, thanks for your help.", "Perfect, thank you.")

HOLD_REPLIES = (
    "ただいま物流センターに確認しております。確認が取れ次第、改めてご連絡いたします。\n恐れ入りますが、今しばらくお待ちください。",
    "メーカーに確認中でございます。回答まで2〜3営業日ほどお時間をいただけますでしょうか。",
    "担当部署にて調査しております。分かり次第すぐにご連絡いたしますので、少々お待ちください。",
)
GENERIC_NOTES = (
    "@{other_agent}さん、こちら返金処理の確認をお願いできますか？",
    "過去にも同様のお問い合わせあり。丁寧にご対応ください。",
    "電話がつながらなかったため、メールで連絡済み。",
    "お客様から折り返し希望：平日{time_slot}。",
    "VIP顧客。送料は当店負担で対応してOK（店長確認済み）。",
    "物流センターに確認依頼済み。回答待ち。",
)


def pick(rng: random.Random, options: tuple[str, ...], values: Mapping[str, str]) -> str:
    return rng.choice(options).format_map(values) if options else ""


def customer_formal(
    rng: random.Random, body: str, values: Mapping[str, str], *, email: bool
) -> str:
    """A customer's first mail or form message: greeting, introduction, body, closing."""
    if values.get("language") == "en":
        sign = f"\n\nBest regards,\n{values['full']}" if email else ""
        return f"Hello,\n\n{body}{sign}"
    head = pick(rng, _CUSTOMER_GREETINGS, values) + pick(rng, _CUSTOMER_INTROS, values)
    tail = pick(rng, _CUSTOMER_CLOSINGS, values)
    if email:
        tail += pick(rng, _CUSTOMER_SIGNATURES, values)
    return (head + body + tail).strip()


def customer_reply(
    rng: random.Random, body: str, values: Mapping[str, str], *, casual: bool
) -> str:
    """A customer's later message in the same thread."""
    if casual or values.get("language") == "en":
        return body
    head = rng.choice(
        ("お世話になっております。{family}です。\n\n", "ご連絡ありがとうございます。\n\n", "")
    )
    return (head.format_map(values) + body + pick(rng, _CUSTOMER_CLOSINGS[:3], values)).strip()


def customer_thanks(rng: random.Random, values: Mapping[str, str], *, casual: bool) -> str:
    if values.get("language") == "en":
        return rng.choice(_THANKS_EN)
    if casual:
        return rng.choice(_THANKS_CASUAL)
    return customer_reply(rng, rng.choice(_THANKS_FORMAL), values, casual=False)


def casual_opening(rng: random.Random, body: str, values: Mapping[str, str], channel: str) -> str:
    if channel == "x":
        return f"DMで失礼します。{body}"
    if channel == "sms" and rng.random() < 0.5:
        return f"{body}（{values['family']}）"
    return body


def agent_reply(
    rng: random.Random,
    body: str,
    values: Mapping[str, str],
    *,
    channel: str,
    apologetic: bool = False,
    first: bool = True,
) -> str:
    """An agent's public reply with the etiquette of the channel."""
    if values.get("language") == "en":
        if channel in CASUAL_CHANNELS:
            return f"Hi {values['given']}!\n{body}"
        opener = f"Thank you for contacting {values['brand']}. " if first else ""
        return f"Hello {values['full']},\n\n{opener}{body}\n\nBest regards,\n{values['agent']}"
    if channel in CASUAL_CHANNELS:
        head = (
            "{family}様、お問い合わせありがとうございます。{brand}の{agent_family}です。\n"
            if first
            else ""
        )
        if apologetic and first:
            head += "ご不便をおかけして申し訳ございません。\n"
        return (head.format_map(values) + body).strip()
    opener = pick(rng, _AGENT_APOLOGIES if apologetic else _AGENT_OPENERS, values)
    closing = pick(rng, _AGENT_CLOSINGS, values)
    lines = [f"{values['family']}様", ""]
    if first:
        lines += [
            opener,
            f"{values['brand']} カスタマーサポートの{values['agent_family']}でございます。",
        ]
    else:
        lines.append("ご返信いただき、ありがとうございます。")
    lines += ["", body, "", closing, "", "――――――――――"]
    lines += [f"{values['brand']} カスタマーサポート", values["agent"], "――――――――――"]
    return "\n".join(lines)


def call_log(summary: str, outcome: str, *, follow_up: bool) -> str:
    """What an agent writes into the call log after hanging up."""
    if follow_up:
        return f"【着信】{summary}\n→ 確認のうえ折り返しとお伝えした。"
    return f"【着信】{summary}\n→ {outcome}"


def callback_log(values: Mapping[str, str], outcome: str) -> str:
    return f"【発信】{values['family']}様へ折り返し。{outcome}"
