"""The loop classifier on small hand-written mails: one rule per test, plus the traps."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest

from madoguchi.lib.mail.loops import classify, is_hard
from madoguchi.lib.mail.types import BouncedRecipient, MailKind


def parse(raw: str | bytes) -> EmailMessage:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def mail(headers: str, body: str = "こんにちは。\n") -> EmailMessage:
    base = "From: Yamada Taro <taro@example.jp>\nTo: support@madoguchi.example\n"
    if "Content-Type" not in headers:
        base += "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
    return parse(base + headers.strip() + "\n\n" + body)


# --- OWN ---------------------------------------------------------------------------------


def test_loop_header_is_own_mail():
    result = classify(
        mail("Subject: Re: 注文について\nX-Madoguchi-Loop: support@madoguchi.example")
    )
    assert result.kind == MailKind.OWN
    assert "X-Madoguchi-Loop" in result.why
    assert result.automatic


def test_from_our_own_address_is_own_mail_case_insensitive():
    msg = parse("From: Support <SUPPORT@Madoguchi.example>\nTo: a@example.jp\nSubject: x\n\nx\n")
    result = classify(msg, own_addresses=["support@madoguchi.example"])
    assert result.kind == MailKind.OWN
    assert classify(msg).kind == MailKind.NORMAL  # without own addresses it is just a mail


def test_own_mail_wins_over_auto_reply_headers():
    msg = mail("Subject: x\nAuto-Submitted: auto-replied\nX-Madoguchi-Loop: support@x.example")
    assert classify(msg).kind == MailKind.OWN


# --- AUTO_REPLY ----------------------------------------------------------------------------


def test_japanese_vacation_reply_by_subject():
    result = classify(mail("Subject: 自動返信：お問い合わせありがとうございます"))
    assert result.kind == MailKind.AUTO_REPLY
    assert "自動返信" in result.why


@pytest.mark.parametrize(
    "subject",
    [
        "不在のお知らせ",
        "【休暇のお知らせ】8月13日〜16日",
        "Out of Office: Nyaan",
        "Automatic reply: 注文番号 1234",
        "Auto: Re: invoice",
        "自動応答: ご注文の件",
    ],
)
def test_responder_subjects(subject):
    assert classify(mail(f"Subject: {subject}")).kind == MailKind.AUTO_REPLY


@pytest.mark.parametrize(
    "subject,body",
    [
        ("不在票が入っていた", "昨日不在票が入っていましたが、再配達の依頼方法を教えてください。"),
        ("Re: 自動返信メールが届きません", "問い合わせ後の自動返信メールが届きません。"),
        ("休暇明けに届く商品について", "休暇中に配達されると困るので日時指定したいです。"),
        ("Re: out of office settings", "How do I set up an out of office reply in your app?"),
        ("Undelivered package", "My package was undelivered, please help."),
        ("商品が未配達です", "注文した商品がまだ届きません。配送状況を確認してください。"),
    ],
)
def test_customer_mails_about_absence_or_delivery_stay_normal(subject, body):
    result = classify(mail(f"Subject: {subject}", body))
    assert result.kind == MailKind.NORMAL, result.why


def test_vacation_body_counts_only_with_another_signal():
    body = "I am currently out of the office and will reply when I return.\n"
    assert classify(mail("Subject: Re: your question", body)).kind == MailKind.NORMAL
    result = classify(mail("Subject: Re: your question\nReturn-Path: <>", body))
    assert result.kind == MailKind.AUTO_REPLY
    assert "empty Return-Path" in result.why
    ja = "ただいま休暇を取得しております。8月20日以降に返信いたします。\n"
    assert classify(mail("Subject: Re: ご質問", ja)).kind == MailKind.NORMAL
    assert classify(mail("Subject: Re: ご質問\nReturn-Path: <>", ja)).kind == MailKind.AUTO_REPLY


@pytest.mark.parametrize(
    "header,kind",
    [
        ("Auto-Submitted: auto-replied", MailKind.AUTO_REPLY),
        ("Auto-Submitted: auto-generated", MailKind.AUTO_REPLY),
        ("Auto-Submitted: no", MailKind.NORMAL),
        ("X-Autoreply: yes", MailKind.AUTO_REPLY),
        ("X-Autorespond: vacation", MailKind.AUTO_REPLY),
        ("X-Auto-Response-Suppress: All", MailKind.AUTO_REPLY),
        ("Precedence: auto_reply", MailKind.AUTO_REPLY),
    ],
)
def test_auto_reply_headers(header, kind):
    assert classify(mail(f"Subject: Re: 注文\n{header}")).kind == kind


# --- LIST ------------------------------------------------------------------------------------


def test_list_and_bulk_mail():
    listed = classify(mail("Subject: news\nList-Id: <news.example.jp>\nPrecedence: list"))
    assert listed.kind == MailKind.LIST
    assert "List-Id" in listed.why
    assert classify(mail("Subject: セール\nPrecedence: bulk")).kind == MailKind.LIST
    # A list header alone: a customer writing through a group address is still a person.
    assert classify(mail("Subject: 質問\nList-Id: <team.example.jp>")).kind == MailKind.NORMAL


# --- BOUNCE ----------------------------------------------------------------------------------

DSN = """From: MAILER-DAEMON@mx.madoguchi.example (Mail Delivery System)
To: support@madoguchi.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

This is the mail system at host mx.madoguchi.example.

<{rcpt}>: host mx.example.jp[192.0.2.1] said: {diag}

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.madoguchi.example

Final-Recipient: rfc822; {rcpt}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {diag}

--b1
Content-Type: text/rfc822-headers

From: Support <support@madoguchi.example>
To: {rcpt}
Subject: Re: ご注文について
Message-ID: <t.42.abc@madoguchi.example>

--b1--
"""


def test_rfc3464_hard_bounce_with_original_message_id():
    raw = DSN.format(
        rcpt="nobody@example.jp",
        action="failed",
        status="5.1.1",
        diag="550 5.1.1 <nobody@example.jp>: Recipient address rejected: User unknown",
    )
    result = classify(parse(raw), own_addresses=["support@madoguchi.example"])
    assert result.kind == MailKind.BOUNCE
    assert result.recipients == [
        BouncedRecipient("nobody@example.jp", "5.1.1", "userunknown", True)
    ]
    assert result.original_message_id == "<t.42.abc@madoguchi.example>"
    assert is_hard(result.recipients)


def test_delayed_dsn_is_soft():
    raw = DSN.format(
        rcpt="busy@example.jp",
        action="delayed",
        status="4.4.1",
        diag="connect to mx.example.jp[192.0.2.1]:25: Connection timed out",
    )
    result = classify(parse(raw))
    assert result.kind == MailKind.BOUNCE
    (rcpt,) = result.recipients
    assert (rcpt.status, rcpt.hard) == ("4.4.1", False)
    assert not is_hard(result.recipients)


def test_success_dsn_is_automatic_but_never_hard():
    raw = DSN.format(
        rcpt="ok@example.jp", action="delivered", status="2.0.0", diag="250 2.0.0 OK queued"
    )
    result = classify(parse(raw))
    assert result.kind == MailKind.BOUNCE  # a machine notice: never answered
    assert [(r.reason, r.hard) for r in result.recipients] == [("delivered", False)]


def test_mailbox_full_is_soft_even_when_permanent():
    raw = DSN.format(
        rcpt="full@example.jp", action="failed", status="5.2.2", diag="552 5.2.2 Mailbox full"
    )
    (rcpt,) = classify(parse(raw)).recipients
    assert (rcpt.reason, rcpt.hard) == ("mailboxfull", False)


def test_japanese_carrier_text_bounce():
    raw = (
        "From: MAILER-DAEMON@mail.example.ne.jp\nTo: support@madoguchi.example\n"
        "Subject: =?UTF-8?B?44Oh44O844Or6YCB5L+h44Ko44Op44O8?=\n"  # メール送信エラー
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
        "以下の宛先にメールを配信できませんでした。\n\n"
        "<hanako@example.ne.jp>\n550 宛先不明 (user unknown)\n\n"
        "------ 元のメッセージのヘッダ ------\n"
        "Message-ID: <t.7.xyz@madoguchi.example>\nTo: hanako@example.ne.jp\n"
    )
    result = classify(parse(raw))
    assert result.kind == MailKind.BOUNCE
    assert "メール送信エラー" in result.why
    assert [(r.address, r.reason, r.hard) for r in result.recipients] == [
        ("hanako@example.ne.jp", "userunknown", True)
    ]


def test_person_forwarding_a_bounce_is_normal():
    raw = (
        "From: Taro <taro@example.jp>\nTo: support@madoguchi.example\n"
        "Subject: Fwd: Undelivered Mail Returned to Sender\n\n"
        "御社宛のメールが戻ってきました。\n\n"
        "This is the mail system at host mx.example.jp.\n"
    )
    assert classify(parse(raw)).kind == MailKind.NORMAL


def test_customer_attaching_the_returned_mail_is_normal():
    raw = (
        "From: Taro <taro@example.jp>\nTo: support@madoguchi.example\n"
        # Subject: メールが届きませんでした
        "Subject: =?UTF-8?B?44Oh44O844Or44GM5bGK44GN44G+44Gb44KT44Gn44GX44Gf?=\n"
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=x\n\n"
        "--x\nContent-Type: text/plain; charset=utf-8\n\n添付のメールが戻ってきました。\n"
        "--x\nContent-Type: message/rfc822\n\nFrom: taro@example.jp\nSubject: 注文\n\n本文\n--x--\n"
    )
    assert classify(parse(raw)).kind == MailKind.NORMAL


def test_ses_json_pasted_by_a_person_is_normal():
    body = (
        '{"notificationType":"Bounce","bounce":{"bouncedRecipients":[{"emailAddress":"a@b.jp"}]}}'
    )
    assert classify(mail("Subject: SESの設定について", body)).kind == MailKind.NORMAL


def test_arf_complaint():
    raw = """From: abuse@isp.example
To: support@madoguchi.example
Subject: FW: complaint
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="b"

--b
Content-Type: text/plain

This is an abuse report.
--b
Content-Type: message/feedback-report

Feedback-Type: abuse
Original-Rcpt-To: <user@isp.example>

--b
Content-Type: message/rfc822

From: support@madoguchi.example
To: user@isp.example
Message-ID: <t.9.q@madoguchi.example>
Subject: hi

hi
--b--
"""
    result = classify(parse(raw))
    assert result.kind == MailKind.COMPLAINT
    assert result.recipients[0].address == "user@isp.example"
    assert result.recipients[0].reason == "feedback"
    assert result.original_message_id == "<t.9.q@madoguchi.example>"


# --- robustness ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"From: =?utf-8?B?!!!?= <<<@@>\nSubject: =?iso-2022-jp?B?GyRC?=\nContent-Type: multipart/"
        b"report; report-type=delivery-status; boundary=\n\n--\n",
        b"From: MAILER-DAEMON\nSubject: \xff\xfe undelivered\nContent-Type: message/delivery-status"
        b"\n\nFinal-Recipient: rfc822;\nStatus: 9.9\n",
        b"Auto-Submitted:\nPrecedence:\nReturn-Path: <>\n\n\x1b$B$\n",
    ],
)
def test_broken_mail_never_raises(raw):
    result = classify(parse(raw))
    assert result.kind in {MailKind.NORMAL, MailKind.BOUNCE, MailKind.AUTO_REPLY, MailKind.LIST}
    assert result.why


def test_is_hard():
    assert not is_hard([])
    assert is_hard(
        [
            BouncedRecipient("a@x.jp", "4.2.2", "mailboxfull", False),
            BouncedRecipient("b@x.jp", "5.1.1", "userunknown", True),
        ]
    )
