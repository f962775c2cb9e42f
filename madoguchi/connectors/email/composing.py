"""Building the outgoing mail: headers that thread in every client, Japanese that old clients read.

One `Draft` (what the mail says) feeds two writers: `build_email` makes the MIME message that
SMTP sends, `providers` hands the same parts to an ESP's HTTP API. The Message-ID comes from the
outbox idempotency key, so a retry carries the same id and clients drop the duplicate.
"""

from __future__ import annotations

import base64
import logging
import re
from dataclasses import dataclass, field
from email import policy
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from html import escape
from io import BytesIO

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from madoguchi.inboxes.messages import OutboundMessage
from madoguchi.lib.mail import tokens

from ..base import PermanentDeliveryError
from .charsets import encode_jis, encoded_words

logger = logging.getLogger(__name__)

# Headers we write ourselves (ISO-2022-JP words, pre-folded) must reach the wire untouched.
MAIL_POLICY = policy.default.clone(refold_source="none")
# References: the first mail of the thread and the latest ones (RFC 5322 §3.6.4 leaves the
# choice to us; long headers get truncated or rejected by some servers).
MAX_REFERENCES = 10
JIS = "iso-2022-jp"

# "Re:", "RE:", "Re[2]:", "Re(2):", "AW:", "SV:", "返信:", and their full-width forms "Ｒｅ：".
_REPLY_PREFIX = re.compile(
    r"^[\s\u3000]*(?:(?:[RrＲｒ][EeＥｅ]|[AaＡａ][WwＷｗ]|[SsＳｓ][VvＶｖ])[\s\u3000]*"
    r"(?:[\[［(（][0-9０-９]+[\]］)）])?|返信)[\s\u3000]*[:：][\s\u3000]*"
)


@dataclass(frozen=True)
class DraftAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Draft:
    """Everything the mail says, independent of how it travels."""

    sender: tuple[str, str]  # (display name, address)
    to: tuple[str, str]
    cc: tuple[str, ...]
    bcc: tuple[str, ...]
    reply_to: str
    subject: str
    text: str
    html: str
    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    extra_headers: dict[str, str]
    attachments: tuple[DraftAttachment, ...] = field(default_factory=tuple)
    charset: str = "utf-8"


def _one_line(value: str) -> str:
    """CR/LF in a subject or name must never become a header break."""
    return " ".join((value or "").split())


def sender_address(outbound: OutboundMessage) -> str:
    if "@" in outbound.inbox_address:
        return outbound.inbox_address.strip()
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "support@madoguchi.localhost"


def reply_subject(subject: str, ticket_number: int, *, replying: bool = True) -> str:
    """`Re: <subject> [#N]` however many Re:/RE:/Ｒｅ：/返信: and tags the thread piled up."""
    tag = f"[#{ticket_number}]"
    text = _one_line(subject).replace(tag, " ")
    while True:
        stripped = _REPLY_PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    text = _one_line(text)
    parts = [p for p in ("Re:" if replying else "", text, tag) if p]
    return " ".join(parts)


def thread_ids(outbound: OutboundMessage) -> tuple[str, tuple[str, ...]]:
    """(In-Reply-To, References): real Message-IDs only; other channels' ids are dropped."""
    ids = [
        v.strip()
        for v in (*outbound.references, outbound.in_reply_to)
        if v and v.strip().startswith("<") and v.strip().endswith(">") and "@" in v
    ]
    ids = [v for v in dict.fromkeys(ids) if " " not in v and len(v) <= 250]
    if not ids:
        return "", ()
    last = outbound.in_reply_to if outbound.in_reply_to in ids else ids[-1]
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
    return last, tuple(ids)


def with_signature(text: str, signature: str) -> str:
    signature = (signature or "").strip("\r\n")
    if not signature.strip():
        return text
    return f"{text.rstrip()}\n\n-- \n{signature}\n"


def html_with_signature(html: str, signature: str) -> str:
    signature = (signature or "").strip("\r\n")
    if not signature.strip():
        return html
    lines = "<br>\n".join(escape(line) for line in signature.splitlines())
    return f'{html}\n<div class="signature">-- <br>\n{lines}</div>'


def _attachment_data(outbound: OutboundMessage) -> tuple[DraftAttachment, ...]:
    out = []
    for att in outbound.attachments:
        try:
            with default_storage.open(att.path, "rb") as fh:
                data = fh.read()
        except FileNotFoundError as exc:
            raise PermanentDeliveryError(f"attachment missing from storage: {att.path}") from exc
        out.append(DraftAttachment(att.filename, att.content_type, data))
    return tuple(out)


def draft_for(outbound: OutboundMessage) -> Draft:
    address = sender_address(outbound)
    domain = address.rsplit("@", 1)[-1] or "madoguchi.localhost"
    from_name = _one_line(str(outbound.settings.get("from_name") or "")) or _one_line(
        outbound.inbox_name
    )
    in_reply_to, references = thread_ids(outbound)
    headers = {
        "X-Madoguchi-Loop": address,
        "X-Madoguchi-Ticket": str(outbound.ticket_number),
    }
    if outbound.automatic:
        # RFC 3834 §5; the other two are what Exchange and older robots look at.
        headers["Auto-Submitted"] = "auto-replied"
        headers["Precedence"] = "auto_reply"
        headers["X-Auto-Response-Suppress"] = "All"
    charset = str(outbound.settings.get("outbound_charset") or "utf-8").lower()
    cc = tuple(a for a in outbound.cc if a.lower() != outbound.to.lower())
    return Draft(
        sender=(from_name, address),
        to=(_one_line(outbound.to_name), outbound.to.strip()),
        cc=cc,
        bcc=tuple(
            a for a in outbound.bcc if a.lower() not in {outbound.to.lower(), *map(str.lower, cc)}
        ),
        reply_to=tokens.reply_address(address, outbound.ticket_id)
        if outbound.ticket_id
        else address,
        subject=reply_subject(outbound.subject, outbound.ticket_number, replying=outbound.replying),
        text=with_signature(outbound.body_text, outbound.signature),
        html=html_with_signature(outbound.body_html, outbound.signature)
        if outbound.body_html
        else "",
        message_id=tokens.message_id(domain, outbound.ticket_id, outbound.idempotency_key),
        in_reply_to=in_reply_to,
        references=references,
        extra_headers=headers,
        attachments=_attachment_data(outbound),
        charset=JIS if charset in (JIS, "iso2022jp", "jis") else "utf-8",
    )


def build_email(outbound: OutboundMessage) -> EmailMessage:
    """The MIME message for SMTP; ISO-2022-JP when the inbox asks and the text allows it."""
    draft = draft_for(outbound)
    if draft.charset == JIS:
        try:
            return mime_message(draft, jis=True)
        except UnicodeEncodeError as exc:
            logger.info(
                "outbox %s: text outside ISO-2022-JP (%s); sending UTF-8",
                outbound.outbox_id,
                exc.reason,
            )
    return mime_message(draft, jis=False)


def mime_message(draft: Draft, *, jis: bool) -> EmailMessage:
    mail = EmailMessage(policy=MAIL_POLICY)
    if jis:
        mail.set_raw("From", _jis_address(*draft.sender, "From"))
        mail.set_raw("To", _jis_address(*draft.to, "To"))
    else:
        mail["From"] = Address(display_name=draft.sender[0], addr_spec=draft.sender[1])
        mail["To"] = Address(display_name=draft.to[0], addr_spec=draft.to[1])
    if draft.cc:
        mail["Cc"] = ", ".join(draft.cc)
    mail["Reply-To"] = draft.reply_to
    if jis:
        mail.set_raw("Subject", _jis_header(draft.subject, "Subject"))
    else:
        mail["Subject"] = draft.subject
    mail["Date"] = format_datetime(timezone.localtime())
    mail["Message-ID"] = draft.message_id
    if draft.in_reply_to:
        mail["In-Reply-To"] = draft.in_reply_to
        mail.set_raw("References", "\n ".join(draft.references))
    for name, value in draft.extra_headers.items():
        mail[name] = value
    _set_text(mail, draft.text, jis=jis)
    if draft.html:
        mail.add_alternative(draft.html, subtype="html", charset="utf-8", cte="base64")
        for part in mail.iter_parts():
            del part["MIME-Version"]  # the stdlib adds it to parts it makes; only the top needs it
    for att in draft.attachments:
        _attach(mail, att, jis=jis)
    if "MIME-Version" not in mail:
        mail["MIME-Version"] = "1.0"
    return mail


def _set_text(mail: EmailMessage, text: str, *, jis: bool) -> None:
    text = text.replace("\r\n", "\n")
    if not jis:
        cte = "7bit" if text.isascii() and max(map(len, text.split("\n"))) < 900 else "base64"
        mail.set_content(text, charset="utf-8", cte=cte)
        return
    # Encoded line by line: each line starts and ends in ASCII mode, as RFC 1468 wants.
    lines = [encode_jis(line).decode("ascii") for line in text.split("\n")]
    body = "\r\n".join(lines) + ("" if lines[-1] == "" else "\r\n")
    mail.set_raw("Content-Type", 'text/plain; charset="ISO-2022-JP"')
    if max(map(len, lines)) <= 990:
        mail.set_raw("Content-Transfer-Encoding", "7bit")
        mail.set_payload(body)
    else:  # a paragraph too long for one SMTP line: still ISO-2022-JP, base64 on the wire
        mail.set_raw("Content-Transfer-Encoding", "base64")
        mail.set_payload(base64.encodebytes(body.encode("ascii")).decode("ascii"))


def _attach(mail: EmailMessage, att: DraftAttachment, *, jis: bool) -> None:
    maintype, _, subtype = (att.content_type or "application/octet-stream").partition("/")
    mail.add_attachment(
        att.data, maintype=maintype, subtype=subtype or "octet-stream", filename=att.filename
    )
    part = list(mail.iter_attachments())[-1]
    del part["MIME-Version"]  # the stdlib adds it to every part it makes; only the top needs it
    if maintype == "text" and _is_utf8(att.data):
        part.set_param("charset", "utf-8")
    if att.filename.isascii():
        part.set_param("name", att.filename)
        return
    # Content-Disposition carries RFC 2231 (filename*=utf-8''…), which Outlook 2010+, Gmail and
    # Thunderbird read; Content-Type gets the encoded-word `name=` that older Outlook and many
    # Japanese clients (Becky!, Shuriken, feature phones) read instead — what Thunderbird sends.
    words = encoded_words(att.filename, JIS if jis else "utf-8", width=60)
    params = "".join(f"; {k}={v}" for k, v in part["Content-Type"].params.items() if k != "name")
    value = f'{part.get_content_type()}{params};\n name="' + "\n ".join(words) + '"'
    del part["Content-Type"]
    part.set_raw("Content-Type", value)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _jis_header(value: str, name: str) -> str:
    return "\n ".join(encoded_words(value, JIS, width=76 - len(name) - 2))


def _jis_address(display: str, address: str, name: str) -> str:
    if not display:
        return address
    if display.isascii():
        return formataddr((display, address))
    words = encoded_words(display, JIS, width=76 - len(name) - 2)
    return "\n ".join([*words, f"<{address}>"])


def render(mail: EmailMessage) -> bytes:
    """The bytes that go on the wire (CRLF), as smtplib would send them."""
    out = BytesIO()
    BytesGenerator(out, policy=mail.policy).flatten(mail, linesep="\r\n")
    return out.getvalue()
