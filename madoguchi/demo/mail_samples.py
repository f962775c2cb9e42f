"""Raw customer mails for the demo's email inboxes, as real mail clients write them.

Each builder returns the bytes an MTA would hand over: an iPhone in ISO-2022-JP with NEC
characters, a carrier phone in Shift_JIS, Gmail's HTML with a quote and an inline photo, an
Outlook reply, a vacation responder, a Postfix bounce, a newsletter and a broken mail. Only
the stdlib email package and `lib.mail.jis` build them; the pipeline must read them back.
"""

from __future__ import annotations

import base64
import struct
import zlib
from datetime import datetime
from email.charset import QP, Charset
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

from madoguchi.lib.mail.jis import encode_cp50220

from .faxscan import japanese_pdf_page, pdf_text
from .timing import local_zone


def wire(msg: Message) -> bytes:
    """The bytes as they travel over SMTP: CRLF line ends."""
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def mail_date(at: datetime) -> str:
    return format_datetime(at.astimezone(local_zone()))


def jis_word(text: str) -> str:
    """An RFC 2047 ISO-2022-JP encoded word per short run, as iPhone Mail writes them."""
    words, step = [], 12
    for start in range(0, len(text), step):
        chunk = base64.b64encode(encode_cp50220(text[start : start + step])).decode("ascii")
        words.append(f"=?ISO-2022-JP?B?{chunk}?=")
    return "\r\n ".join(words)


def sjis_word(text: str) -> str:
    return f"=?Shift_JIS?B?{base64.b64encode(text.encode('cp932')).decode('ascii')}?="


def utf8_name(name: str, address: str) -> str:
    return formataddr((str(Header(name, "utf-8")), address))


def tiny_png(width: int = 24, height: int = 16) -> bytes:
    """A small real PNG (a brown stripe on beige): the photo of a chipped mug, in spirit."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b""
    for y in range(height):
        colour = b"\x8b\x5a\x2b" if height // 3 <= y < 2 * height // 3 else b"\xf5\xe6\xc8"
        rows += b"\x00" + colour * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def tiny_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with these lines (Japanese is fine), like a customer's filled-in form."""
    return japanese_pdf_page([pdf_text(72, 760 - 18 * i, 12, line) for i, line in enumerate(lines)])


def _legacy(headers: list[tuple[str, str]], body: bytes, content_type: str, cte: str) -> bytes:
    """A single-part mail whose body bytes are given as is (JIS escapes, 8-bit Shift_JIS)."""
    msg = Message()
    for name, value in headers:
        msg[name] = value
    msg["MIME-Version"] = "1.0"
    msg["Content-Type"] = content_type
    msg["Content-Transfer-Encoding"] = cte
    msg.set_payload(body.replace(b"\r\n", b"\n").decode("ascii", "surrogateescape"))
    return wire(msg)


def iphone_jis(
    *,
    name: str,
    address: str,
    to: str,
    subject: str,
    body: str,
    at: datetime,
    mid: str,
    mailer: str = "iPhone Mail (21G93)",
) -> bytes:
    """iPhone Mail (or an old PC mailer): ISO-2022-JP (CP50220) body, JIS encoded words."""
    headers = [
        ("From", f"{jis_word(name)} <{address}>"),
        ("To", to),
        ("Subject", jis_word(subject)),
        ("Date", mail_date(at)),
        ("Message-ID", mid),
        ("X-Mailer", mailer),
    ]
    return _legacy(headers, encode_cp50220(body), "text/plain; charset=ISO-2022-JP", "7bit")


def docomo_sjis(
    *, name: str, address: str, to: str, subject: str, body: str, at: datetime, mid: str
) -> bytes:
    """A carrier phone's mail: Shift_JIS (CP932) 8-bit body, Shift_JIS encoded words."""
    headers = [
        ("From", f"{sjis_word(name)} <{address}>"),
        ("To", to),
        ("Subject", sjis_word(subject)),
        ("Date", mail_date(at)),
        ("Message-ID", mid),
    ]
    return _legacy(headers, body.encode("cp932"), "text/plain; charset=Shift_JIS", "8bit")


def plain_utf8(
    *,
    name: str,
    address: str,
    to: str,
    subject: str,
    body: str,
    at: datetime,
    mid: str,
    extra: tuple[tuple[str, str], ...] = (),
    cte: str = "base64",
) -> bytes:
    msg = _qp_text(body) if cte == "quoted-printable" else MIMEText(body, "plain", "utf-8")
    msg["From"] = utf8_name(name, address)
    msg["To"] = to
    msg["Subject"] = Header(subject, "utf-8").encode()
    msg["Date"] = mail_date(at)
    msg["Message-ID"] = mid
    for key, value in extra:
        msg[key] = value
    return wire(msg)


def _qp_text(body: str) -> MIMEText:
    """text/plain in quoted-printable UTF-8 (Thunderbird, many web mailers)."""
    utf8 = Charset("utf-8")
    utf8.body_encoding = QP
    return MIMEText(body, "plain", utf8)  # type: ignore[arg-type]


def gmail_html(
    *,
    name: str,
    address: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    at: datetime,
    mid: str,
    in_reply_to: str,
    image_cid: str,
) -> bytes:
    """Gmail: multipart/related (alternative text + HTML) with an inline photo by cid."""
    related = MIMEMultipart("related")
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText(text, "plain", "utf-8"))
    alternative.attach(MIMEText(html, "html", "utf-8"))
    related.attach(alternative)
    image = MIMEBase("image", "png", name="image.png")
    image.set_payload(base64.encodebytes(tiny_png()).decode("ascii"))
    image["Content-Transfer-Encoding"] = "base64"
    image["Content-Disposition"] = 'inline; filename="image.png"'
    image["Content-ID"] = f"<{image_cid}>"
    image["X-Attachment-Id"] = image_cid
    related.attach(image)
    related["From"] = utf8_name(name, address)
    related["To"] = to
    related["Subject"] = Header(subject, "utf-8").encode()
    related["Date"] = mail_date(at)
    related["Message-ID"] = mid
    related["In-Reply-To"] = in_reply_to
    related["References"] = in_reply_to
    return wire(related)


def with_attachment(
    *,
    name: str,
    address: str,
    to: str,
    subject: str,
    body: str,
    at: datetime,
    mid: str,
    filename: str,
    data: bytes,
) -> bytes:
    """A mail with a Japanese-named PDF: the stdlib writes the name per RFC 2231."""
    msg = EmailMessage()
    msg["From"] = utf8_name(name, address)
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = mail_date(at)
    msg["Message-ID"] = mid
    msg["X-Mailer"] = "Yahoo Mail"
    msg.set_content(body, charset="utf-8", cte="base64")
    msg.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return wire(msg)


def postfix_dsn(
    *,
    host: str,
    to: str,
    recipient: str,
    remote: str,
    at: datetime,
    mid: str,
    queue_id: str,
    original_headers: str,
) -> bytes:
    """Postfix's RFC 3464 report: notice, delivery-status, and the returned headers."""
    diagnostic = (
        f"550 5.1.1 <{recipient}>: Recipient address rejected: User unknown in virtual"
        " mailbox table"
    )
    notice = (
        f"This is the mail system at host {host}.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.\n\n"
        "For further assistance, please send mail to postmaster.\n\n"
        "If you do so, please include this problem report. You can\n"
        "delete your own text from the attached returned message.\n\n"
        "                   The mail system\n\n"
        f"<{recipient}>: host {remote}[192.0.2.25] said: {diagnostic} (in reply to RCPT TO"
        " command)\n"
    )
    report = MIMEMultipart("report", report_type="delivery-status")
    report.attach(MIMEText(notice, "plain", "us-ascii"))
    per_message = Message()
    per_message["Reporting-MTA"] = f"dns; {host}"
    per_message["X-Postfix-Queue-ID"] = queue_id
    per_message["X-Postfix-Sender"] = f"rfc822; {to}"
    per_message["Arrival-Date"] = mail_date(at)
    per_recipient = Message()
    per_recipient["Final-Recipient"] = f"rfc822; {recipient}"
    per_recipient["Original-Recipient"] = f"rfc822;{recipient}"
    per_recipient["Action"] = "failed"
    per_recipient["Status"] = "5.1.1"
    per_recipient["Remote-MTA"] = f"dns; {remote}"
    per_recipient["Diagnostic-Code"] = f"smtp; {diagnostic}"
    status = MIMEBase("message", "delivery-status")
    status.set_payload([per_message, per_recipient])
    status["Content-Description"] = "Delivery report"
    report.attach(status)
    returned = MIMEText(original_headers, "rfc822-headers", "us-ascii")
    returned["Content-Description"] = "Undelivered Message Headers"
    report.attach(returned)
    report["From"] = f"MAILER-DAEMON@{host} (Mail Delivery System)"
    report["To"] = to
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Date"] = mail_date(at)
    report["Message-ID"] = mid
    report["Auto-Submitted"] = "auto-replied"
    report["Return-Path"] = "<>"
    report.preamble = "This is a MIME-encapsulated message.\n"
    return wire(report)


def no_sender(*, to: str, subject: str, body: str, at: datetime, mid: str) -> bytes:
    """What a broken form script or a misconfigured device sends: no From, no Reply-To."""
    msg = MIMEText(body, "plain", "utf-8")
    msg["To"] = to
    msg["Subject"] = Header(subject, "utf-8").encode()
    msg["Date"] = mail_date(at)
    msg["Message-ID"] = mid
    msg["X-Mailer"] = "PHP/7.4.33"
    return wire(msg)
