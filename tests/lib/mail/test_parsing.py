"""parse_mail over real Japanese and helpdesk fixtures and hand-made edge cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from madoguchi.lib.mail.jis import encode_cp50220
from madoguchi.lib.mail.parsing import parse_mail
from madoguchi.lib.mail.types import MailAddress, MailParseError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "email"
JST = timezone(timedelta(hours=9))


def load(name: str):  # type: ignore[no-untyped-def]
    return parse_mail((FIXTURES / name).read_bytes())


# --- jpmobile: carrier and iPhone mail ------------------------------------------------------


def test_iphone_circled_numbers_in_jis() -> None:
    mail = load("jpmobile/iphone-circled-numbers-in-jis.eml")
    assert mail.subject == "テスト①"
    assert mail.text == "丸数字のテストです②ⅱ"
    assert mail.date == datetime(2014, 12, 29, 13, 2, 7, tzinfo=JST)
    assert mail.sender == MailAddress(name="", address="softbank@i.softbank.jp")


def test_iphone_cp932_body() -> None:
    mail = load("jpmobile/iphone-cp932.eml")
    assert mail.subject == "Re: 【NKSC】test"
    assert mail.text == "テストです。㈱"
    assert mail.message_id == "<3E458B9D-9044-46FE-8A8D-000000000000@ezweb.ne.jp>"
    assert mail.defects == []


def test_iphone_jis_half_width_katakana() -> None:
    assert load("jpmobile/iphone-jis.eml").text == "(=ﾟωﾟ)ﾉ"


def test_docomo_jis_and_sjis() -> None:
    jis = load("jpmobile/docomo-jis.eml")
    assert (jis.subject, jis.text) == ("テスト", "テスト本文")
    sjis = load("jpmobile/docomo-gmail-sjis.eml")
    assert sjis.subject.startswith("テスト") and sjis.text.startswith("テストです")
    assert "\ufffd" not in sjis.subject + sjis.text  # docomo emoji kept as private-use


@pytest.mark.parametrize(
    "name",
    ["jpmobile/au-emoji.eml", "jpmobile/au-attached.eml", "jpmobile/softbank-gmail-sjis.eml"],
)
def test_carrier_emoji_never_replacement_characters(name: str) -> None:
    mail = load(name)
    assert "\ufffd" not in mail.subject + mail.text
    assert "\x1b" not in mail.subject + mail.text
    assert any("\ue000" <= ch <= "\uf8ff" for ch in mail.subject + mail.text)


def test_au_attachment() -> None:
    mail = load("jpmobile/au-attached.eml")
    assert mail.text.startswith("カレンダーだ")
    [image] = mail.attachments
    assert image.filename == "20098calendar01.jpg"
    assert image.content_type == "image/jpeg"
    assert image.data[:3] == b"\xff\xd8\xff" and not image.inline


def test_forwarded_rfc822_keeps_enclosed_text() -> None:
    mail = load("jpmobile/pc-mail-multi.eml")
    assert mail.forwarded
    assert mail.text.startswith("本文です")
    assert "Subject: タイトルの長いメールの場合の対処を実装するためのテストケース" in mail.text
    assert mail.text.count("本文です") == 2


# --- ruby-mail: multi_charset and attachment names ------------------------------------------


def test_ruby_japanese_mails() -> None:
    mail = load("ruby-mail/japanese.eml")
    assert mail.subject == "まみむめも"
    assert mail.to == [MailAddress(name="みける", address="raasdnil@gmail.com")]
    assert mail.text.startswith("かきくえこ")
    assert mail.reply_text == "かきくえこ"  # "-- " signature trimmed
    iso = load("ruby-mail/japanese_iso_2022.eml")
    assert (iso.subject, iso.text) == ("まみむめも", "すみません。")
    sjis = load("ruby-mail/japanese_shift_jis.eml")
    assert sjis.text.startswith("あいうえお\n\nこのメールはテスト用のメールです。")
    assert "今後ともよろしくお願い申し上げます！" in sjis.text


def test_ruby_japanese_attachment_names() -> None:
    [att] = load("ruby-mail/japanese_attachment.eml").attachments
    assert att.filename == "てすと.txt"
    long = load("ruby-mail/japanese_attachment_long_name.eml")
    assert long.subject == "まみむめも" * 10
    [att] = long.attachments
    assert att.filename == "かきくけこ" * 5 + ".txt"  # RFC 2231 filename*0*/filename*1*
    assert att.data.strip() == b"this is the data"


def test_ruby_korean_and_nonascii_name() -> None:
    assert load("ruby-mail/ks_c_5601-1987.eml").text == "스티해"
    [att] = load("ruby-mail/attachment_nonascii_filename.eml").attachments
    assert att.filename == "ciële.txt"


def test_ruby_message_rfc822_attachment_kept() -> None:
    mail = load("ruby-mail/attachment_message_rfc822.eml")
    assert mail.forwarded
    assert [a.filename for a in mail.attachments] == ["broken.pdf"]
    assert "Subject: Another PDF" in mail.text


# --- chatwoot: inline images, quotes, non-UTF-8 ---------------------------------------------


def test_chatwoot_inline_images() -> None:
    mail = load("chatwoot/mail_with_inline_images.eml")
    assert 'src="cid:ii_lm7fuura0"' in mail.html.replace("=\n", "")
    assert [(a.filename, a.content_id, a.inline) for a in mail.attachments] == [
        ("poster (8).jpg", "ii_lm7fuura0", True),
        ("poster (7).jpg", "ii_lm7fuuvm1", True),
        ("poster (1).jpg", "ii_lm7fuuwn2", True),
    ]
    assert mail.text.startswith("HTML content and inline images")


def test_chatwoot_forwarder_inline_images_with_data() -> None:
    mail = load("chatwoot/forwarder_email.eml")
    assert [a.filename for a in mail.attachments] == ["avatar1.jpeg", "avatar2.jpg"]
    assert all(a.inline and a.content_id and len(a.data) > 10_000 for a in mail.attachments)


def test_chatwoot_quote_trimmed() -> None:
    mail = load("chatwoot/mail_with_quote.eml")
    assert "> Any update on this?" in mail.text
    assert mail.reply_text == "Yes, I am providing you step how to reproduce this issue"
    assert mail.in_reply_to == [
        "<0100017b5d8efc70-c7f18809-aa55-48f6-91fd-b626092ed8b3-000000@email.amazonses.com>"
    ]


def test_chatwoot_non_utf8_mail() -> None:
    mail = load("chatwoot/non_utf_encoded_mail.eml")
    assert mail.subject == "أهلين عميلنا الكريم"
    assert mail.sender is not None and mail.sender.name == "متجر سوق نت"
    assert mail.text.startswith("أنظروا")


def test_chatwoot_garbage_headers() -> None:
    assert load("chatwoot/mail_with_no_date.eml").date is None
    invalid = load("chatwoot/mail_with_invalid_to.eml")
    assert [a.address for a in invalid.to] == ["vishnu@chatwoot.com"]


# --- hand-made mails ------------------------------------------------------------------------


def _jis_mail(subject: str, body: str, extra: str = "") -> bytes:
    import base64

    encoded = base64.b64encode(encode_cp50220(subject)).decode()
    head = (
        "From: =?ISO-2022-JP?B?"
        + base64.b64encode(encode_cp50220("髙橋")).decode()
        + "?= <Taka@Example.CO.JP>\r\n"
        f"To: support@shop.test\r\nSubject: =?ISO-2022-JP?B?{encoded}?=\r\n"
        "Date: Tue, 1 Dec 2026 10:00:00 +0900\r\nMessage-ID: <a1@example.co.jp>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n" + extra + "\r\n"
    )
    return head.encode() + encode_cp50220(body).replace(b"\n", b"\r\n")


def test_windows_iso_2022_jp_mail() -> None:
    mail = parse_mail(_jis_mail("【至急】㈱窓口①", "髙橋です。\n～Ⅰ№﨑～\n"))
    assert mail.subject == "【至急】㈱窓口①"
    assert mail.text == "髙橋です。\n～Ⅰ№﨑～"
    assert mail.sender == MailAddress(name="髙橋", address="Taka@example.co.jp")
    assert mail.date == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_message_id_lists_tolerate_garbage() -> None:
    raw = _jis_mail(
        "Re: 件",
        "本文",
        "In-Reply-To: a2@example.co.jp\r\n"
        "References: <r1@x.jp> garbage <r2@x.jp>\r\n <r1@x.jp>\r\n",
    )
    mail = parse_mail(raw)
    assert mail.in_reply_to == ["<a2@example.co.jp>"]
    assert mail.references == ["<r1@x.jp>", "<r2@x.jp>"]


@pytest.mark.parametrize(
    "subject", ["Fwd: 注文", "FW: 注文", "転送: 注文", "Re: Fw: x", "ＦＷ：注文"]
)
def test_forward_subjects(subject: str) -> None:
    assert parse_mail(_jis_mail(subject, "本文")).forwarded


def test_not_forwarded() -> None:
    assert not parse_mail(_jis_mail("Re: 注文の転送について", "本文")).forwarded


def test_html_only_mail_gets_text() -> None:
    raw = (
        b"From: a@b.jp\r\nSubject: html\r\nContent-Type: text/html; charset=Shift_JIS\r\n\r\n"
        + "<p>ご注文①</p><p>ありがとうございます</p>".encode("cp932")
    )
    mail = parse_mail(raw)
    assert mail.html == "<p>ご注文①</p><p>ありがとうございます</p>"
    assert mail.text == "ご注文①\nありがとうございます"


def test_attachment_without_name_gets_one() -> None:
    raw = (
        b"From: a@b.jp\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
        b"--B\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
        b"--B\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"JVBERi0=\r\n--B\r\nContent-Type: application/x-unknown-thing\r\n\r\nzz\r\n--B--\r\n"
    )
    mail = parse_mail(raw)
    assert mail.text == "hello"
    assert [a.filename for a in mail.attachments] == ["attachment-1.pdf", "attachment-2.bin"]
    assert mail.attachments[0].data == b"%PDF-"


def test_raw_8bit_shift_jis_headers_and_undeclared_body() -> None:
    raw = "From: 山田 <yamada@example.jp>\r\nSubject: 返品①について\r\n\r\n返品したいです。".encode(
        "cp932"
    )
    mail = parse_mail(raw)
    assert mail.subject == "返品①について"
    assert mail.sender == MailAddress(name="山田", address="yamada@example.jp")
    assert mail.text == "返品したいです。"
    assert mail.defects  # the missing charset is noted


def test_garbage_addresses_and_date() -> None:
    raw = (
        b"From: <<<>>>\r\nTo: undisclosed-recipients:;\r\nCc: , ,a@@b\r\n"
        b"Date: yesterday-ish\r\nSubject: x\r\n\r\nbody\r\n"
    )
    mail = parse_mail(raw)
    assert mail.sender is not None and mail.sender.address == ""
    assert mail.to == [] and mail.cc == []
    assert mail.date is None
    assert mail.message_id == ""


@pytest.mark.parametrize(
    "raw", [b"", b"   \r\n", b"\x89PNG\r\n\x1a\n\x00\x00binary", b"just some words\nno headers"]
)
def test_not_mail_raises(raw: bytes) -> None:
    with pytest.raises(MailParseError):
        parse_mail(raw)


def test_leading_blank_line_and_obsolete_header_syntax() -> None:
    mail = parse_mail(b"\r\nFrom  : a@b.jp\r\nSubject : hi\r\n\r\nbody\r\n")
    assert mail.subject == "hi"
    assert mail.sender == MailAddress(name="", address="a@b.jp")


def test_html_only_reply_trimmed_for_timeline() -> None:
    html = (
        '<div dir="ltr">ありがとうございます。届きました。</div><br>'
        '<div class="gmail_quote"><div class="gmail_attr">2026年12月1日(火) 10:00 窓口 '
        "&lt;support@shop.test&gt;:<br></div><blockquote>発送しました。</blockquote></div>"
    )
    raw = (
        b"From: a@b.jp\r\nSubject: Re: x\r\nContent-Type: text/html; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + html.encode()
    )
    mail = parse_mail(raw)
    assert "発送しました。" in mail.text  # the whole mail stays readable
    assert mail.reply_text == "ありがとうございます。届きました。"


def test_mutated_fixtures_never_crash() -> None:
    import random

    rnd = random.Random(2026)
    sources = [p.read_bytes() for p in sorted(FIXTURES.rglob("*.eml"))]
    inserts = [b"=?iso-2022-jp?B?", b"?=", b"\x1b$B", b"--", b"\r\n\r\n", b"filename*0*=", b'"']
    for _ in range(300):
        raw = bytearray(rnd.choice(sources))
        for _ in range(rnd.randint(1, 12)):
            pos = rnd.randrange(len(raw))
            if rnd.random() < 0.5:
                raw[pos : pos + 1] = bytes([rnd.randrange(256)])
            else:
                raw[pos:pos] = rnd.choice(inserts)
        try:
            mail = parse_mail(bytes(raw))
        except MailParseError:
            continue
        assert isinstance(mail.text, str) and isinstance(mail.reply_text, str)


def test_html_only_mail_forwarding_an_attached_mail() -> None:
    raw = (
        b"From: a@b.jp\r\nSubject: FW: \xe4\xb8\x8d\xe5\x9c\xa8\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=B\r\n\r\n"
        b"--B\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        + "<p>下記が届きました</p>".encode()
        + b"\r\n--B\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n"
        b"From: ship@example.jp\r\nSubject: =?UTF-8?B?5LiN5Zyo56Wo?=\r\n"
        b"Content-Type: multipart/mixed; boundary=C\r\n\r\n"
        b"--C\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + "再配達をご依頼ください".encode()
        + b"\r\n--C\r\nContent-Type: application/pdf; name=slip.pdf\r\n\r\n%PDF\r\n--C--\r\n"
        b"--B--\r\n"
    )
    mail = parse_mail(raw)
    assert mail.forwarded and mail.subject == "FW: 不在"
    assert mail.text.startswith("下記が届きました\n\n---------- Forwarded message ----------")
    assert "Subject: 不在票" in mail.text and mail.text.endswith("再配達をご依頼ください")
    assert mail.reply_text == mail.text  # forwarded content is never trimmed away
    assert [a.filename for a in mail.attachments] == ["slip.pdf"]
