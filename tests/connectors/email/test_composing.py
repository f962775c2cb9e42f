"""The outgoing mail as a Japanese client sees it: headers, charsets, signature, attachments."""

from __future__ import annotations

import base64
import email
import re
from dataclasses import replace
from email import policy

import pytest

from madoguchi.connectors.email.charsets import encoded_words
from madoguchi.connectors.email.composing import (
    MAX_REFERENCES,
    Draft,
    DraftAttachment,
    build_email,
    mime_message,
    render,
    reply_subject,
    thread_ids,
)
from madoguchi.inboxes.messages import OutboundMessage
from madoguchi.lib.mail import tokens

pytestmark = pytest.mark.django_db


def outbound(**fields) -> OutboundMessage:
    base = OutboundMessage(
        outbox_id=1,
        idempotency_key="0b9f3c1e-5d7a-4c39-9f57-3a2b1c0d9e8f",
        inbox_id=1,
        inbox_kind="email",
        inbox_address="support@shop.test",
        inbox_name="窓口テスト商店",
        transport="email",
        to="taro@example.jp",
        to_name="山田 太郎",
        subject="注文の確認",
        body_text="山田様\n\nご連絡ありがとうございます。\n",
        body_html="",
        ticket_number=10234,
        message_id=9,
        ticket_id=42,
    )
    return replace(base, **fields)


def parsed(mail) -> email.message.EmailMessage:
    return email.message_from_bytes(render(mail), policy=policy.default)


@pytest.mark.parametrize(
    "subject",
    [
        "注文の確認",
        "Re: 注文の確認",
        "RE: Re: 注文の確認",
        "Re[2]: 注文の確認",
        "Re(3): re: 注文の確認",
        "Ｒｅ：注文の確認",
        "ＲＥ： Ｒｅ：注文の確認",
        "返信: 注文の確認",
        "返信：Re: 注文の確認 [#10234]",
        "AW: SV: 注文の確認",
        "Re: 注文の確認 [#10234] [#10234]",
        "Re:[#10234] 注文の確認",
        "  Re:\t注文の確認\r\n",
    ],
)
def test_reply_subject_never_stacks_prefixes_or_tags(subject):
    assert reply_subject(subject, 10234) == "Re: 注文の確認 [#10234]"


def test_reply_subject_keeps_what_is_not_a_prefix():
    assert reply_subject("Fwd: 注文の確認", 7) == "Re: Fwd: 注文の確認 [#7]"
    assert reply_subject("Regarding the order", 7) == "Re: Regarding the order [#7]"
    assert reply_subject("Re: ", 7) == "Re: [#7]"
    assert reply_subject("ご案内 [#8]", 7) == "Re: ご案内 [#8] [#7]"  # another ticket's tag
    assert reply_subject("ご案内", 7, replying=False) == "ご案内 [#7]"


def test_thread_keeps_only_message_ids_and_caps_references():
    ids = tuple(f"<m{i}@mail.example.jp>" for i in range(30))
    out = outbound(references=("line:U123", *ids, "chat-7"), in_reply_to="chat-7")
    last, refs = thread_ids(out)
    assert last == "<m29@mail.example.jp>"
    assert len(refs) == MAX_REFERENCES
    assert refs[0] == "<m0@mail.example.jp>"  # the thread's root stays
    assert refs[-1] == last
    assert thread_ids(outbound(references=("line:U1",), in_reply_to="line:U1")) == ("", ())


def test_utf8_mail_headers():
    out = outbound(
        in_reply_to="<CAF1@mail.example.jp>",
        references=("<root@mail.example.jp>", "<CAF1@mail.example.jp>"),
        cc=("hanako@example.jp",),
        bcc=("boss@shop.test",),
    )
    mail = parsed(build_email(out))
    assert str(mail["From"]) == "窓口テスト商店 <support@shop.test>"
    assert mail["To"].addresses[0].display_name == "山田 太郎"
    assert mail["Cc"] == "hanako@example.jp"
    assert mail["Bcc"] is None and b"boss@shop.test" not in render(build_email(out))
    assert mail["Reply-To"] == tokens.reply_address("support@shop.test", 42)
    assert tokens.ticket_from_token(mail["Reply-To"]) == 42
    assert mail["Message-ID"] == f"<{out.idempotency_key}.{tokens.ticket_token(42)}@shop.test>"
    assert tokens.ticket_from_token(mail["Message-ID"]) == 42
    assert mail["In-Reply-To"] == "<CAF1@mail.example.jp>"
    assert mail["References"] == "<root@mail.example.jp> <CAF1@mail.example.jp>"
    assert mail["Subject"] == "Re: 注文の確認 [#10234]"
    assert mail["X-Madoguchi-Loop"] == "support@shop.test"
    assert mail["X-Madoguchi-Ticket"] == "10234"
    assert mail["Auto-Submitted"] is None and mail["Precedence"] is None
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"
    # A retry builds the same Message-ID.
    assert parsed(build_email(out))["Message-ID"] == mail["Message-ID"]


def test_from_name_setting_and_automatic_mail_headers():
    out = outbound(settings={"from_name": "サポート窓口"}, automatic=True)
    mail = parsed(build_email(out))
    assert mail["From"].addresses[0].display_name == "サポート窓口"
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["Precedence"] == "auto_reply"
    assert mail["X-Auto-Response-Suppress"] == "All"


def test_signature_below_dash_dash_in_text_and_html():
    out = outbound(body_html="<p>山田様</p>", signature="窓口テスト商店\nサポート係 <佐藤>")
    mail = parsed(build_email(out))
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.endswith("ご連絡ありがとうございます。\n\n-- \n窓口テスト商店\nサポート係 <佐藤>\n")
    html = mail.get_body(("html",)).get_content()
    assert html.startswith("<p>山田様</p>")
    assert "-- <br>" in html and "サポート係 &lt;佐藤&gt;" in html
    assert mail.get_body(("html",)).get_content_charset() == "utf-8"


def test_iso_2022_jp_mail_is_seven_bit_and_reads_back():
    out = outbound(
        settings={"outbound_charset": "iso-2022-jp"},
        subject="長い件名：ご注文いただいた商品の配送日とお届け先の変更について",
        body_text="山田様\n\n配送日を変更しました。\nよろしくお願いいたします。",
        signature="窓口テスト商店",
    )
    raw = render(build_email(out))
    assert all(byte < 0x80 for byte in raw), "ISO-2022-JP mail must be 7-bit"
    assert b"\x1b$B" in raw and b"\x1b(B" in raw
    assert b'charset="ISO-2022-JP"' in raw and b"Content-Transfer-Encoding: 7bit" in raw
    for line in raw.split(b"\r\n"):
        assert len(line) <= 78, line
        if line.startswith(b"\x1b$B"):  # every body line returns to ASCII before its end
            assert line.endswith(b"\x1b(B")
    mail = email.message_from_bytes(raw, policy=policy.default)
    assert mail["Subject"] == f"Re: {out.subject} [#10234]"
    assert mail["From"].addresses[0].display_name == "窓口テスト商店"
    assert mail["To"].addresses[0].display_name == "山田 太郎"
    body = mail.get_body(("plain",))
    assert body.get_content_charset() == "iso-2022-jp"
    assert body.get_content().replace("\r\n", "\n") == (
        "山田様\n\n配送日を変更しました。\nよろしくお願いいたします。\n\n-- \n窓口テスト商店\n"
    )
    # Each encoded-word is at most 75 characters, starts and ends in ASCII mode.
    words = re.findall(rb"=\?ISO-2022-JP\?B\?([A-Za-z0-9+/=]+)\?=", raw)
    assert len(words) >= 4
    for word in words:
        assert len(word) + len("=?ISO-2022-JP?B??=") <= 75
        data = base64.b64decode(word)
        data.decode("iso2022_jp")  # each word decodes on its own: no split character
        assert data.rfind(b"\x1b(B") > data.rfind(b"\x1b$B")  # ends in ASCII mode


def test_iso_2022_jp_html_part_stays_utf8():
    out = outbound(settings={"outbound_charset": "iso-2022-jp"}, body_html="<p>山田様</p>")
    mail = parsed(build_email(out))
    assert mail.get_body(("plain",)).get_content_charset() == "iso-2022-jp"
    html = mail.get_body(("html",))
    assert html.get_content_charset() == "utf-8" and html.get_content().strip() == "<p>山田様</p>"


def test_text_outside_iso_2022_jp_falls_back_to_utf8():
    out = outbound(settings={"outbound_charset": "iso-2022-jp"}, body_text="𠮷野家のご予約 😀")
    mail = parsed(build_email(out))
    assert mail.get_content_charset() == "utf-8"
    assert mail.get_content().strip() == "𠮷野家のご予約 😀"


def test_nec_and_ibm_characters_go_out_as_cp50220():
    from madoguchi.lib.mail.jis import decode_cp50220

    out = outbound(
        settings={"outbound_charset": "iso-2022-jp"},
        subject="①㈱髙島屋の件",
        body_text="①ご注文 ㈱窓口 髙橋様 Ⅲ ～",
    )
    raw = render(build_email(out))
    assert all(byte < 0x80 for byte in raw)
    mail = email.message_from_bytes(raw, policy=policy.default)
    payload = mail.get_body(("plain",)).get_payload(decode=True)
    assert decode_cp50220(payload).rstrip("\r\n") == "①ご注文 ㈱窓口 髙橋様 Ⅲ ～"
    subject_words = re.findall(
        rb"=\?ISO-2022-JP\?B\?([A-Za-z0-9+/=]+)\?=", raw.split(b"\r\n\r\n")[0]
    )
    decoded = "".join(decode_cp50220(base64.b64decode(w)) for w in subject_words)
    assert "①㈱髙島屋の件" in decoded


def test_encoded_words_split_on_character_boundaries():
    text = "あ" * 40 + "abc" + "い" * 40
    for charset in ("utf-8", "iso-2022-jp"):
        words = encoded_words(text, charset, width=75)
        assert all(len(w) <= 75 for w in words)
        codec = "utf-8" if charset == "utf-8" else "iso2022_jp"
        pieces = [
            base64.b64decode(w.split("?")[3]).decode(codec)  # raises on a split character
            for w in words
        ]
        assert "".join(pieces) == text
    assert encoded_words("plain ascii", "iso-2022-jp") == ["plain ascii"]


def draft(attachments, **fields) -> Draft:
    values = dict(
        sender=("窓口", "support@shop.test"),
        to=("", "taro@example.jp"),
        cc=(),
        bcc=(),
        reply_to="support@shop.test",
        subject="見積書",
        text="添付します。",
        html="",
        message_id="<x.t.1-abc@shop.test>",
        in_reply_to="",
        references=(),
        extra_headers={},
        attachments=tuple(attachments),
    )
    values.update(fields)
    return Draft(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("jis", [False, True])
def test_japanese_attachment_names_for_every_client(jis):
    long_name = "御見積書_2024年度_株式会社窓口テスト商店様向け_最終版.pdf"
    mail = mime_message(
        draft(
            [
                DraftAttachment(long_name, "application/pdf", b"%PDF-1.4"),
                DraftAttachment("メモ.txt", "text/plain", "メモです".encode()),
                DraftAttachment("photo.jpg", "image/jpeg", b"\xff\xd8\xff"),
            ]
        ),
        jis=jis,
    )
    raw = render(mail)
    assert all(byte < 0x80 for byte in raw)
    parts = list(email.message_from_bytes(raw, policy=policy.default).iter_attachments())
    assert [p.get_filename() for p in parts] == [long_name, "メモ.txt", "photo.jpg"]
    assert parts[0].get_content() == b"%PDF-1.4"
    assert parts[1].get_content() == "メモです"
    # RFC 2231 in Content-Disposition (modern clients) …
    assert b"filename*0*=utf-8''%E5%BE%A1" in raw
    # … and the encoded-word name= on Content-Type (older Outlook, Japanese clients).
    charset = b"ISO-2022-JP" if jis else b"UTF-8"
    assert b'name="=?' + charset + b"?B?" in raw
    assert parts[0]["Content-Type"].params["name"] == long_name
    assert parts[2]["Content-Type"].params["name"] == "photo.jpg"
    assert b"MIME-Version" not in raw.split(b"\r\n\r\n", 1)[1]
