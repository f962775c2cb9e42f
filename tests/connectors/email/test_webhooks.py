"""Provider inbound webhooks (anymail): documented payload shapes, signatures, raw bytes kept.

Payloads follow each provider's documented inbound format (Mailgun forward(), SendGrid
Inbound Parse "Send Raw", Postmark inbound JSON, Amazon SES receipt rule → SNS). SES
messages are signed like SNS signs them (tests/connectors/email/sns_aws.py); the signature
verification itself is tested in test_sns.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from madoguchi.connectors.email import sns, webhooks
from madoguchi.inboxes.models import RawMail
from madoguchi.tickets.models import Ticket
from tests.connectors.email import sns_aws
from tests.connectors.email.mails import mail
from tests.connectors.email.sns_aws import FakeSNS

pytestmark = [
    pytest.mark.django_db,
    # anymail warns that it no longer tests SendGrid, and that a webhook without a secret
    # is open (ours are refused then, see test_basic_auth_providers_are_closed_…).
    pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailNotSupportedWarning"),
    pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailInsecureWebhookWarning"),
]

SECRET = "madoguchi:webhook-pass-1234"
SIGNING_KEY = "key-mailgun-signing-0123456789"


@pytest.fixture(autouse=True)
def _anymail(settings):  # type: ignore[no-untyped-def]
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": [SECRET],
        "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY,
        "AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS": True,
    }


def _auth(secret: str = SECRET) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(secret.encode()).decode()}


def _mailgun_signature(timestamp: str, token: str, key: str = SIGNING_KEY) -> str:
    return hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()


RAW = mail(subject="Webhook経由：商品が破損していました", body="箱を開けたら割れていました。")


# Mailgun ------------------------------------------------------------------------------


def _mailgun_form(raw: bytes = RAW, **overrides: str) -> dict[str, str]:
    timestamp, token = "1764554400", "f1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5"
    form = {
        "recipient": "support@shop.test",
        "sender": "taro@example.jp",
        "from": "山田 太郎 <taro@example.jp>",
        "subject": "Webhook経由：商品が破損していました",
        "body-mime": raw.decode("utf-8"),
        "timestamp": timestamp,
        "token": token,
        "signature": _mailgun_signature(timestamp, token),
    }
    form.update(overrides)
    return form


def test_mailgun_raw_mime_with_valid_signature_becomes_a_ticket(client, inboxes):
    response = client.post("/hooks/email/mailgun/inbound_mime/", _mailgun_form(), headers=_auth())
    assert response.status_code == 200
    raw = RawMail.objects.get()
    assert raw.source == "webhook"
    assert raw.source_ref.startswith("mailgun:f1b2c3d4")
    assert raw.sha256 == hashlib.sha256(RAW).hexdigest()
    assert raw.state == "ingested", raw.error
    assert raw.ticket.subject == "Webhook経由：商品が破損していました"


def test_mailgun_parsed_fields_are_rebuilt_into_a_mail(client, inboxes):
    form = _mailgun_form()
    del form["body-mime"]
    form["message-headers"] = json.dumps(
        [
            ["From", "山田 太郎 <taro@example.jp>"],
            ["To", "support@shop.test"],
            ["Subject", "パース済みの問い合わせ"],
            ["Message-Id", "<parsed-1@example.jp>"],
        ],
        ensure_ascii=False,
    )
    form["body-plain"] = "サイズ交換をお願いします。"
    assert client.post("/hooks/email/mailgun/inbound/", form, headers=_auth()).status_code == 200
    raw = RawMail.objects.get()
    assert raw.state == "ingested", raw.error
    assert raw.ticket.subject == "パース済みの問い合わせ"


@pytest.mark.parametrize(
    "overrides",
    [{"signature": "0" * 64}, {"timestamp": "1764554401"}],
    ids=["wrong-signature", "tampered-timestamp"],
)
def test_mailgun_bad_signature_is_refused(client, inboxes, overrides):
    response = client.post(
        "/hooks/email/mailgun/inbound_mime/", _mailgun_form(**overrides), headers=_auth()
    )
    assert response.status_code == 400
    assert not RawMail.objects.exists()


def test_mailgun_missing_signature_or_key_is_refused(client, inboxes, settings):
    form = _mailgun_form()
    del form["signature"]
    assert (
        client.post("/hooks/email/mailgun/inbound_mime/", form, headers=_auth()).status_code == 400
    )
    settings.ANYMAIL = {"WEBHOOK_SECRET": [SECRET], "MAILGUN_WEBHOOK_SIGNING_KEY": ""}
    assert (
        client.post(
            "/hooks/email/mailgun/inbound_mime/", _mailgun_form(), headers=_auth()
        ).status_code
        == 403
    )
    assert not RawMail.objects.exists()


def test_unknown_recipient_is_acknowledged_and_ignored(client, inboxes):
    raw = mail(to="nobody@elsewhere.test")
    form = _mailgun_form(raw, recipient="nobody@elsewhere.test")
    assert (
        client.post("/hooks/email/mailgun/inbound_mime/", form, headers=_auth()).status_code == 200
    )
    assert not RawMail.objects.exists() and not Ticket.objects.exists()


# SendGrid ------------------------------------------------------------------------------

CP932_RAW = (
    b"From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>\r\n"
    b"To: support@shop.test\r\n"
    b"Subject: =?Shift_JIS?B?gUCCspKNlbaCzJefgsmCwoKigsQ=?=\r\n"
    b"Message-ID: <sjis-1@example.jp>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=Shift_JIS\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\n"
    + "①㈱髙島屋様宛ての荷物が届きません～。".encode("cp932")
    + b"\r\n"
)


def _multipart(fields: dict[str, bytes], boundary: str = "xYzZY") -> bytes:
    out = b""
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def _sendgrid_body(raw: bytes) -> bytes:
    return _multipart(
        {
            "email": raw,
            "to": b"support@shop.test",
            "from": b"yamada@example.jp",
            "envelope": json.dumps(
                {"to": ["support@shop.test"], "from": "yamada@example.jp"}
            ).encode(),
            "charsets": json.dumps({"to": "UTF-8", "from": "UTF-8", "email": "UTF-8"}).encode(),
            "spam_score": b"0.1",
        }
    )


def test_sendgrid_raw_keeps_8bit_shift_jis_bytes(client, inboxes):
    response = client.post(
        "/hooks/email/sendgrid/inbound/",
        _sendgrid_body(CP932_RAW),
        content_type="multipart/form-data; boundary=xYzZY",
        headers=_auth(),
    )
    assert response.status_code == 200
    raw = RawMail.objects.get()
    assert raw.sha256 == hashlib.sha256(CP932_RAW).hexdigest()
    assert raw.source_ref == "sendgrid:"
    assert raw.state == "ingested", raw.error


@pytest.mark.parametrize("headers", [{}, _auth("madoguchi:wrong")], ids=["none", "wrong"])
def test_sendgrid_without_valid_basic_auth_is_refused(client, inboxes, headers):
    response = client.post(
        "/hooks/email/sendgrid/inbound/",
        _sendgrid_body(RAW),
        content_type="multipart/form-data; boundary=xYzZY",
        headers=headers,
    )
    assert response.status_code == 400
    assert not RawMail.objects.exists()


def test_basic_auth_providers_are_closed_without_a_secret(client, inboxes, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": [], "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
    for url in ("sendgrid", "postmark", "amazon_ses"):
        response = client.post(
            f"/hooks/email/{url}/inbound/", b"{}", content_type="application/json"
        )
        assert response.status_code == 403, url
    assert not RawMail.objects.exists()


# Postmark ------------------------------------------------------------------------------


def _postmark(raw: bytes | None = RAW) -> dict[str, object]:
    payload: dict[str, object] = {
        "FromName": "山田 太郎",
        "MessageStream": "inbound",
        "From": "taro@example.jp",
        "FromFull": {"Email": "taro@example.jp", "Name": "山田 太郎", "MailboxHash": ""},
        "To": "support@shop.test",
        "ToFull": [{"Email": "support@shop.test", "Name": "", "MailboxHash": ""}],
        "Cc": "",
        "CcFull": [],
        "OriginalRecipient": "support@shop.test",
        "Subject": "Postmark経由：請求書の宛名変更",
        "MessageID": "22c74902-a0c1-4511-804f-341342852c90",
        "ReplyTo": "",
        "Date": "Tue, 1 Dec 2026 10:00:00 +0900",
        "TextBody": "請求書の宛名を株式会社窓口に変更してください。",
        "HtmlBody": "",
        "StrippedTextReply": "",
        "Tag": "",
        "Headers": [
            {"Name": "Return-Path", "Value": "<taro@example.jp>"},
            {"Name": "Message-ID", "Value": "<postmark-1@example.jp>"},
        ],
        "Attachments": [],
    }
    if raw is not None:
        payload["RawEmail"] = raw.decode("utf-8")
    return payload


def test_postmark_raw_email_is_stored_as_sent(client, inboxes):
    response = client.post(
        "/hooks/email/postmark/inbound/",
        _postmark(),
        content_type="application/json",
        headers=_auth(),
    )
    assert response.status_code == 200
    raw = RawMail.objects.get()
    assert raw.sha256 == hashlib.sha256(RAW).hexdigest()
    assert raw.source_ref == "postmark:22c74902-a0c1-4511-804f-341342852c90"
    assert raw.state == "ingested", raw.error


def test_postmark_without_raw_email_is_rebuilt(client, inboxes):
    response = client.post(
        "/hooks/email/postmark/inbound/",
        _postmark(None),
        content_type="application/json",
        headers=_auth(),
    )
    assert response.status_code == 200
    raw = RawMail.objects.get()
    assert raw.state == "ingested", raw.error
    assert raw.ticket.subject == "Postmark経由：請求書の宛名変更"


def test_postmark_wrong_auth_is_refused(client, inboxes):
    response = client.post(
        "/hooks/email/postmark/inbound/",
        _postmark(),
        content_type="application/json",
        headers=_auth("someone:else"),
    )
    assert response.status_code == 400
    assert not RawMail.objects.exists()


# Amazon SES (receipt rule with an SNS action) ------------------------------------------


@pytest.fixture
def fake_sns(monkeypatch, settings):  # type: ignore[no-untyped-def]
    """AWS's side of SNS: messages signed with a test key whose certificate `sns` fetches."""
    settings.AMAZON_SNS_VERIFY, settings.AMAZON_SES_TOPIC_ARNS = True, []
    aws = FakeSNS()
    sns.clear_cache()
    monkeypatch.setattr(sns, "fetch_certificate", aws.fetch)
    yield aws
    sns.clear_cache()


def _ses_received(raw: bytes) -> dict[str, object]:
    return {
        "notificationType": "Received",
        "mail": {
            "timestamp": "2026-12-01T01:00:00.000Z",
            "source": "taro@example.jp",
            "messageId": "o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1",
            "destination": ["support@shop.test"],
        },
        "receipt": {
            "recipients": ["support@shop.test"],
            "spamVerdict": {"status": "PASS"},
            "action": {
                "type": "SNS",
                "topicArn": "arn:aws:sns:ap-northeast-1:123456789012:madoguchi-inbound",
                "encoding": "BASE64",
            },
        },
        "content": base64.b64encode(raw).decode("ascii"),
    }


def test_ses_sns_notification_keeps_the_exact_bytes(client, inboxes, fake_sns):
    body = fake_sns.sign(sns_aws.notification(_ses_received(CP932_RAW)))
    response = client.post(
        "/hooks/email/amazon_ses/inbound/",
        json.dumps(body),
        content_type="text/plain; charset=UTF-8",  # what SNS sends
        headers={**_auth(), **sns_aws.headers(body)},
    )
    assert response.status_code == 200
    raw = RawMail.objects.get()
    assert raw.sha256 == hashlib.sha256(CP932_RAW).hexdigest()
    assert raw.source_ref == "amazon_ses:o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1"
    assert raw.state == "ingested", raw.error


def test_ses_without_auth_gets_401_and_mismatched_headers_400(client, inboxes, fake_sns):
    body = fake_sns.sign(sns_aws.notification(_ses_received(RAW)))
    url = "/hooks/email/amazon_ses/inbound/"
    response = client.post(
        url, body, content_type="application/json", headers=sns_aws.headers(body)
    )
    assert response.status_code == 401
    wrong = {**sns_aws.headers(body), "x-amz-sns-message-id": "another-id", **_auth()}
    assert client.post(url, body, content_type="application/json", headers=wrong).status_code == 400
    assert not RawMail.objects.exists()
    assert fake_sns.fetched == []  # refused before any certificate is fetched


def test_ses_subscription_is_confirmed_only_for_aws_addresses(
    client, inboxes, monkeypatch, fake_sns
):
    opened: list[str] = []
    monkeypatch.setattr(webhooks, "confirm_sns_subscription", opened.append)
    body = fake_sns.sign(sns_aws.subscription_confirmation(), "2")
    headers = {**_auth(), **sns_aws.headers(body)}
    url = "/hooks/email/amazon_ses/inbound/"
    assert (
        client.post(url, body, content_type="application/json", headers=headers).status_code == 200
    )
    assert opened == [body["SubscribeURL"]]
    # Even correctly signed (AWS would never sign it), a foreign SubscribeURL is not opened.
    body = sns_aws.subscription_confirmation()
    body["SubscribeURL"] = "https://attacker.example/?Action=ConfirmSubscription"
    body = fake_sns.sign(body, "2")
    assert (
        client.post(url, body, content_type="application/json", headers=headers).status_code == 400
    )
    assert len(opened) == 1


def test_database_failure_answers_500_so_the_provider_retries(inboxes, monkeypatch):
    from django.db import OperationalError
    from django.test import Client

    from madoguchi.connectors.email import inbound

    def broken(*args: object, **kwargs: object) -> None:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(inbound, "store_raw", broken)
    response = Client(raise_request_exception=False).post(
        "/hooks/email/postmark/inbound/",
        _postmark(),
        content_type="application/json",
        headers=_auth(),
    )
    assert response.status_code == 500
    assert not RawMail.objects.exists()


def test_mails_larger_than_the_form_limit_are_taken(client, inboxes, settings):
    """A mail with a photo is bigger than Django's 2 MB form limit; it must still arrive."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    photo = base64.encodebytes(bytes(range(256)) * 400).decode("ascii")  # ~140 KB in base64
    big = mail(subject="写真付きのお問い合わせ", body="破損した商品の写真です。\n" + photo)
    assert len(big) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = client.post(
        "/hooks/email/mailgun/inbound_mime/", _mailgun_form(big), headers=_auth()
    )
    assert response.status_code == 200
    response = client.post(
        "/hooks/email/postmark/inbound/",
        {
            **_postmark(big.replace(b"Message-ID", b"X-Copy: 1\nMessage-ID", 1)),
            "MessageID": "big-2",
        },
        content_type="application/json",
        headers=_auth(),
    )
    assert response.status_code == 200
    stored = list(RawMail.objects.order_by("pk"))
    assert stored[0].sha256 == hashlib.sha256(big).hexdigest()
    assert [r.state for r in stored] == ["ingested", "ingested"], [r.error for r in stored]
