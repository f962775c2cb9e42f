"""The demo's sent-mail viewer: what the catch-all SMTP server received, read from its folder.

Only on when settings.DEBUG or MADOGUCHI_DEMO=1; otherwise the pages do not exist (404).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from madoguchi.accounts.models import Agent
from madoguchi.core.errors import NotFound

from .base import console_view

MAX_LISTED = 200
# `<unix-ns>-<uuid>.eml` (uuid4 as 32 hex digits or in its dashed form), as the catch-all
# server names its files; nothing else in the folder is ever opened.
FILE_NAME = re.compile(
    r"^\d{1,20}-(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.eml$"
)
MAX_HEADER_BYTES = 64 * 1024


def mail_viewer_enabled() -> bool:
    return bool(settings.DEBUG) or os.environ.get("MADOGUCHI_DEMO", "") == "1"


@dataclass
class SentMail:
    name: str
    sender: str
    to: str
    subject: str
    date: datetime | None
    body: str = ""
    attachments: tuple[str, ...] = ()


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, "") or "")
    except (ValueError, TypeError, IndexError):  # a broken header must not break the list
        raw = message.get_all(name) or []
        return " ".join(str(v) for v in raw)


def _date(message: EmailMessage, path: Path) -> datetime | None:
    try:
        value = parsedate_to_datetime(_header(message, "Date"))
    except (TypeError, ValueError, IndexError):
        value = None
    if value is None:
        nanos = path.name.split("-", 1)[0]
        value = datetime.fromtimestamp(int(nanos) / 1e9, tz=UTC) if nanos.isdigit() else None
    return value


def _text_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return str(content)


def read_mail(path: Path, *, with_body: bool) -> SentMail:
    """Headers decoded (MIME words, ISO-2022-JP …); the text body only when asked."""
    with path.open("rb") as handle:
        data = handle.read() if with_body else handle.read(MAX_HEADER_BYTES)
    parser = BytesParser(policy=policy.default)
    message = parser.parsebytes(data, headersonly=not with_body)
    assert isinstance(message, EmailMessage)
    mail = SentMail(
        name=path.name,
        sender=_header(message, "From"),
        to=", ".join(v for v in (_header(message, "To"), _header(message, "Cc")) if v),
        subject=_header(message, "Subject"),
        date=_date(message, path),
    )
    if with_body:
        mail.body = _text_body(message)
        mail.attachments = tuple(
            part.get_filename() or _("(unnamed)") for part in message.iter_attachments()
        )
    return mail


def _folder() -> Path:
    return Path(settings.MAIL_CATCHER_DIR)


@require_GET
@console_view
def mail_list(request: HttpRequest, agent: Agent) -> HttpResponse:
    if not mail_viewer_enabled():
        raise NotFound(_("The sent-mail viewer is only available in the demo."), code="not_found")
    folder = _folder()
    names = sorted(
        (p.name for p in folder.iterdir() if FILE_NAME.match(p.name)) if folder.is_dir() else [],
        reverse=True,
    )
    mails = [read_mail(folder / name, with_body=False) for name in names[:MAX_LISTED]]
    return render(
        request,
        "web/devmail/list.html",
        {"mails": mails, "total": len(names), "nav_active": "mail"},
    )


@require_GET
@console_view
def mail_detail(request: HttpRequest, agent: Agent, name: str) -> HttpResponse:
    if not mail_viewer_enabled() or not FILE_NAME.match(name):
        raise NotFound(_("Message not found."), code="not_found")
    path = _folder() / name
    if not path.is_file():
        raise NotFound(_("Message not found."), code="not_found")
    return render(
        request,
        "web/devmail/detail.html",
        {"mail": read_mail(path, with_body=True), "nav_active": "mail"},
    )
