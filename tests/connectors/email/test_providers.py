"""Sending through ESP HTTP APIs (anymail) against a local HTTP server that records requests.

The server answers with the providers' documented responses; the requests are checked against
the documented shapes (Postmark /email JSON, Mailgun /<domain>/messages form, SendGrid
/v3/mail/send JSON). Each inbox brings its own key and API URL.
"""

from __future__ import annotations

import base64
import email
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from madoguchi.inboxes.delivery import deliver
from madoguchi.inboxes.messages import SenderHandle
from madoguchi.inboxes.models import Outbox, OutboxState
from madoguchi.lib.mail import tokens
from madoguchi.tickets.actions import do_reply
from madoguchi.tickets.actions.replies import NewAttachment
from madoguchi.tickets.models import Message, Ticket
from tests.inboxes.factories import receive
from tests.inboxes.smtp import free_port

CUSTOMER_ID = "<CAF1234@mail.example.jp>"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> list[tuple[str, str | bytes, str]]:
        """multipart/form-data as (name, value, filename)."""
        head = f"Content-Type: {self.headers['content-type']}\r\n\r\n".encode()
        parsed = email.message_from_bytes(head + self.body, policy=policy.default)
        out = []
        for part in parsed.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename() or ""
            value = part.get_payload(decode=True)
            out.append((name, value if filename else value.decode(), filename))
        return out


@dataclass
class ApiServer:
    port: int
    requests: list[Recorded] = field(default_factory=list)
    status: int = 200
    answer: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def api_server() -> Iterator[ApiServer]:
    state = ApiServer(free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            state.requests.append(
                Recorded(
                    "POST",
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
            )
            body = b"" if state.answer is None else json.dumps(state.answer).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", state.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def email_ticket(inboxes) -> Ticket:
    result = receive(
        inboxes["email"],
        external_id=CUSTOMER_ID,
        sender=SenderHandle("email", "hanako@example.jp"),
        sender_name="佐々木 花子",
        subject="注文の確認",
    )
    return Ticket.objects.get(pk=result.ticket_id)


def configure(inbox, sending: str, api_url: str, key: str = "key-1234") -> None:
    inbox.settings = {"sending": sending, "provider_api_url": api_url}
    inbox.credentials = {"provider_api_key": key}
    inbox.save()


def send_reply(agent, ticket, **kw) -> tuple[str, Outbox]:
    message = do_reply(
        agent,
        ticket.pk,
        "配送日は明日です。",
        cc=["kazuki@example.jp"],
        attachments=[NewAttachment("納品書.pdf", "application/pdf", b"%PDF-1.4 invoice")],
    )
    meta = {**message.meta, "route": {**message.meta["route"], "bcc": ["manager@shop.test"]}}
    Message.objects.filter(pk=message.pk).update(meta=meta)
    outbox = Outbox.objects.get(message=message)
    result = deliver(outbox.pk)
    outbox.refresh_from_db()
    return result, outbox


def our_message_id(outbox: Outbox, ticket: Ticket) -> str:
    return tokens.message_id("shop.test", ticket.pk, str(outbox.idempotency_key))


def test_postmark_request_and_our_message_id(email_ticket, agent, api_server):
    configure(email_ticket.inbox, "postmark", api_server.url, key="pm-server-token")
    api_server.answer = {
        "To": "hanako@example.jp",
        "SubmittedAt": "2026-12-02T04:00:00.0000000Z",
        "MessageID": "0a129aee-e1cd-480d-b08d-4f48548ff48d",
        "ErrorCode": 0,
        "Message": "OK",
    }
    result, outbox = send_reply(agent, email_ticket)
    assert result == "sent"
    [req] = api_server.requests
    assert req.path == "/email"
    assert req.headers["x-postmark-server-token"] == "pm-server-token"
    data = req.json()
    assert data["From"] == "窓口テスト商店 <support@shop.test>"
    assert data["To"] == "佐々木 花子 <hanako@example.jp>"
    assert data["Cc"] == "kazuki@example.jp" and data["Bcc"] == "manager@shop.test"
    assert data["Subject"] == f"Re: 注文の確認 [#{email_ticket.number}]"
    assert data["ReplyTo"] == tokens.reply_address("support@shop.test", email_ticket.pk)
    assert data["TextBody"].startswith("配送日は明日です。")
    assert "配送日は明日です。" in data["HtmlBody"]
    headers = {h["Name"]: h["Value"] for h in data["Headers"]}
    assert headers["Message-ID"] == our_message_id(outbox, email_ticket)
    assert headers["In-Reply-To"] == CUSTOMER_ID and headers["References"] == CUSTOMER_ID
    assert headers["X-Madoguchi-Loop"] == "support@shop.test"
    [att] = data["Attachments"]
    assert att["Name"] == "納品書.pdf" and att["ContentType"] == "application/pdf"
    assert base64.b64decode(att["Content"]) == b"%PDF-1.4 invoice"
    # Our Message-ID, not Postmark's id, is what the customer's answer refers to.
    assert outbox.provider_message_id == our_message_id(outbox, email_ticket)
    assert Message.objects.get(pk=outbox.message_id).external_id == outbox.provider_message_id


def test_mailgun_request(email_ticket, agent, api_server):
    configure(email_ticket.inbox, "mailgun", f"{api_server.url}/v3", key="mg-key")
    api_server.answer = {"id": "<20261202.1@shop.test>", "message": "Queued. Thank you."}
    result, outbox = send_reply(agent, email_ticket)
    assert result == "sent"
    [req] = api_server.requests
    assert req.path == "/v3/shop.test/messages"
    assert req.headers["authorization"] == "Basic " + base64.b64encode(b"api:mg-key").decode()
    form = req.form()
    fields = {name: value for name, value, filename in form if not filename}
    assert fields["from"] == "窓口テスト商店 <support@shop.test>"
    assert fields["to"] == "佐々木 花子 <hanako@example.jp>"
    assert fields["cc"] == "kazuki@example.jp" and fields["bcc"] == "manager@shop.test"
    assert fields["subject"] == f"Re: 注文の確認 [#{email_ticket.number}]"
    assert fields["h:Message-Id"] == our_message_id(outbox, email_ticket)
    assert fields["h:In-Reply-To"] == CUSTOMER_ID
    assert fields["h:Reply-To"] == tokens.reply_address("support@shop.test", email_ticket.pk)
    assert fields["text"].startswith("配送日は明日です。")
    [(name, data, filename)] = [f for f in form if f[2]]
    assert (name, data, filename) == ("attachment", b"%PDF-1.4 invoice", "納品書.pdf")


def test_sendgrid_request(email_ticket, agent, api_server):
    configure(email_ticket.inbox, "sendgrid", f"{api_server.url}/v3/", key="SG.key")
    api_server.status = 202
    result, outbox = send_reply(agent, email_ticket)
    assert result == "sent"
    [req] = api_server.requests
    assert req.path == "/v3/mail/send"
    assert req.headers["authorization"] == "Bearer SG.key"
    data = req.json()
    [person] = data["personalizations"]
    assert person["to"] == [{"email": "hanako@example.jp", "name": "佐々木 花子"}]
    assert person["cc"] == [{"email": "kazuki@example.jp"}]
    assert person["bcc"] == [{"email": "manager@shop.test"}]
    assert data["from"] == {"email": "support@shop.test", "name": "窓口テスト商店"}
    assert data["headers"]["Message-ID"] == our_message_id(outbox, email_ticket)
    assert data["headers"]["References"] == CUSTOMER_ID
    assert [c["type"] for c in data["content"]] == ["text/plain", "text/html"]
    assert data["attachments"][0]["filename"] == "納品書.pdf"


@pytest.mark.parametrize(
    ("status", "answer", "outcome", "kind"),
    [
        (422, {"ErrorCode": 406, "Message": (
            "You tried to send to a recipient that has been marked as inactive.\n"
            "Found inactive addresses: hanako@example.jp.\n"
            "Inactive recipients are ones that have generated a hard bounce or a spam complaint."
        )}, "dead", "permanent"),
        (422, {"ErrorCode": 300, "Message": "Invalid 'From' address: 'support@shop.test'."},
         "dead", "permanent"),
        (401, {"ErrorCode": 10, "Message": "Bad or missing Server API token."},
         "retrying", "retryable"),
        (429, {"ErrorCode": 429, "Message": "Rate limit exceeded"}, "retrying", "retryable"),
        (500, {"ErrorCode": 500, "Message": "Internal server error"}, "retrying", "retryable"),
    ],
)  # fmt: skip
def test_postmark_errors_are_sorted(email_ticket, agent, api_server, status, answer, outcome, kind):
    configure(email_ticket.inbox, "postmark", api_server.url)
    api_server.status, api_server.answer = status, answer
    result, outbox = send_reply(agent, email_ticket)
    assert (result, outbox.last_error_kind) == (outcome, kind)
    assert outbox.last_error.startswith("postmark: ")
    assert (outbox.state == OutboxState.DEAD) == (outcome == "dead")


def test_mailgun_bad_request_is_permanent(email_ticket, agent, api_server):
    configure(email_ticket.inbox, "mailgun", f"{api_server.url}/v3")
    api_server.status, api_server.answer = 400, {"message": "to parameter is not a valid address"}
    result, outbox = send_reply(agent, email_ticket)
    assert result == "dead" and "400" in outbox.last_error
    assert "not a valid address" in outbox.last_error


def test_provider_unreachable_is_retried(email_ticket, agent):
    configure(email_ticket.inbox, "postmark", f"http://127.0.0.1:{free_port()}/")
    result, outbox = send_reply(agent, email_ticket)
    assert result == "retrying" and outbox.last_error_kind == "retryable"
    assert "Error posting to" in outbox.last_error


def test_missing_api_key_and_amazon_ses_without_boto3(email_ticket, agent, api_server):
    configure(email_ticket.inbox, "postmark", api_server.url, key="")
    result, outbox = send_reply(agent, email_ticket)
    assert result == "retrying" and "no provider API key" in outbox.last_error
    configure(email_ticket.inbox, "amazon_ses", "")
    result, outbox = send_reply(agent, email_ticket)
    assert result == "retrying" and outbox.last_error.startswith("amazon_ses cannot be used")
    assert "boto3" in outbox.last_error
    assert api_server.requests == []
