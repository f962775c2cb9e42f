"""Amazon SNS signature verification for the SES inbound webhook.

AWS is replaced only at the HTTP boundary: messages are signed with a test RSA key the way
SNS signs them (SignatureVersion 1 = SHA1withRSA, 2 = SHA256withRSA) and the certificate
download (`sns.fetch_certificate`) returns that key's self-signed certificate. The download
function itself is tested against a local HTTP server.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from email.header import Header

import pytest

from madoguchi.connectors.email import sns, webhooks
from madoguchi.inboxes.models import RawMail
from madoguchi.tickets.models import Ticket
from tests.connectors.email import sns_aws
from tests.connectors.email.sns_aws import CERT_URL, TOPIC, FakeSNS

URL = "/hooks/email/amazon_ses/inbound/"
SECRET = "madoguchi:webhook-pass-1234"
AUTH = {"Authorization": "Basic " + base64.b64encode(SECRET.encode()).decode()}

SUBJECT = "【至急】注文番号1234の配送について"
BODY = "お世話になっております。\r\n注文した商品がまだ届きません。ご確認ください。\r\n"
ISO2022JP_RAW = (
    b"From: " + Header("鈴木 一郎", "iso-2022-jp").encode().encode() + b" <suzuki@example.jp>\r\n"
    b"To: support@shop.test\r\n"
    b"Subject: " + Header(SUBJECT, "iso-2022-jp").encode().encode() + b"\r\n"
    b"Date: Tue, 01 Dec 2026 10:00:00 +0900\r\n"
    b"Message-ID: <jis-sns-1@example.jp>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=ISO-2022-JP\r\n"
    b"Content-Transfer-Encoding: 7bit\r\n\r\n" + BODY.encode("iso-2022-jp")
)


def ses_received(raw: bytes = ISO2022JP_RAW, topic: str = TOPIC) -> dict[str, object]:
    """The SES receipt notification of an SNS action with BASE64 encoding (AWS's format)."""
    return {
        "notificationType": "Received",
        "mail": {
            "timestamp": "2026-12-01T01:00:00.000Z",
            "source": "suzuki@example.jp",
            "messageId": "jis0e2ic28trm7dfhrc2v0clambda4nbp0g1sns",
            "destination": ["support@shop.test"],
            "headersTruncated": False,
        },
        "receipt": {
            "timestamp": "2026-12-01T01:00:00.000Z",
            "processingTimeMillis": 420,
            "recipients": ["support@shop.test"],
            "spamVerdict": {"status": "PASS"},
            "virusVerdict": {"status": "PASS"},
            "spfVerdict": {"status": "PASS"},
            "dkimVerdict": {"status": "PASS"},
            "dmarcVerdict": {"status": "PASS"},
            "action": {"type": "SNS", "topicArn": topic, "encoding": "BASE64"},
        },
        "content": base64.b64encode(raw).decode("ascii"),
    }


@pytest.fixture
def fake_sns(monkeypatch, settings) -> Iterator[FakeSNS]:  # type: ignore[no-untyped-def]
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": [SECRET],
        "AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS": True,
    }
    settings.AMAZON_SNS_VERIFY, settings.AMAZON_SES_TOPIC_ARNS = True, []
    aws = FakeSNS()
    sns.clear_cache()
    monkeypatch.setattr(sns, "fetch_certificate", aws.fetch)
    yield aws
    sns.clear_cache()


@pytest.fixture
def opened(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """SubscribeURLs the webhook opened (the confirmation GET to AWS)."""
    urls: list[str] = []
    monkeypatch.setattr(webhooks, "confirm_sns_subscription", urls.append)
    return urls


def post(client, body: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.post(
        URL,
        json.dumps(body, ensure_ascii=False).encode("utf-8"),
        content_type="text/plain; charset=UTF-8",  # what SNS sends
        headers={**AUTH, **sns_aws.headers(body)},
    )


# The string to sign and the certificate address -----------------------------------------


def test_string_to_sign_is_the_documented_key_value_lines():
    note = sns_aws.notification("本文\nline 2", Subject="件名")
    assert (
        sns.string_to_sign(note)
        == (
            "Message\n本文\nline 2\n"
            "MessageId\n8f2b1c3e-1111-5d2a-9c3b-0123456789ab\n"
            "Subject\n件名\n"
            "Timestamp\n2026-12-01T01:00:00.000Z\n"
            f"TopicArn\n{TOPIC}\n"
            "Type\nNotification\n"
        ).encode()
    )
    signed = sns.string_to_sign(note)
    note["Subject"] = None  # Subject is signed only when present
    assert sns.string_to_sign(note) == signed.replace("Subject\n件名\n".encode(), b"")
    del note["Subject"]
    assert sns.string_to_sign(note) == signed.replace("Subject\n件名\n".encode(), b"")
    confirmation = sns_aws.subscription_confirmation()
    keys = sns.string_to_sign(confirmation).decode().split("\n")
    assert [keys[0], keys[3], keys[5], keys[7], keys[9], keys[11], keys[13]] == [
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ]
    assert sns.string_to_sign(confirmation) == sns_aws.signed_text(confirmation)
    unsubscribe = {**confirmation, "Type": "UnsubscribeConfirmation"}
    assert sns.string_to_sign(unsubscribe) == sns_aws.signed_text(unsubscribe)


@pytest.mark.parametrize(
    "message",
    [
        {"Type": "Bogus"},
        {**sns_aws.subscription_confirmation(), "Token": None},
        {k: v for k, v in sns_aws.notification("x").items() if k != "TopicArn"},
    ],
    ids=["unknown-type", "confirmation-without-token", "notification-without-topic"],
)
def test_string_to_sign_refuses_incomplete_messages(message):
    with pytest.raises(sns.SnsVerificationError):
        sns.string_to_sign(message)


@pytest.mark.parametrize(
    "url",
    [
        CERT_URL,
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem",
        "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-b.pem",
        "https://sns.eu-west-1.amazonaws.com:443/SimpleNotificationService-c.pem",
    ],
)
def test_sns_certificate_urls_are_accepted(url):
    sns.check_certificate_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://sns.ap-northeast-1.amazonaws.com/SimpleNotificationService-x.pem",
        "https://attacker.example/SimpleNotificationService-x.pem",
        "https://sns.ap-northeast-1.amazonaws.com.attacker.example/x.pem",
        "https://sns.amazonaws.com/SimpleNotificationService-x.pem",
        "https://s3.ap-northeast-1.amazonaws.com/bucket/x.pem",
        "https://sns.ap-northeast-1.amazonaws.com@attacker.example/x.pem",
        "https://user@sns.ap-northeast-1.amazonaws.com/x.pem",
        "https://sns.ap-northeast-1.amazonaws.com:8443/x.pem",
        "https://sns.ap-northeast-1.amazonaws.com/x.pem.txt",
        "https://sns.ap-northeast-1.amazonaws.com:99999/x.pem",
        "",
    ],
)
def test_other_certificate_urls_are_refused(url):
    with pytest.raises(sns.SnsVerificationError):
        sns.check_certificate_url(url)


# Verifying ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_signed_message_verifies(fake_sns, version):
    sns.verify(fake_sns.sign(sns_aws.notification(ses_received()), version))
    sns.verify(fake_sns.sign(sns_aws.subscription_confirmation(), version))


def _tampered(aws: FakeSNS) -> dict[str, object]:
    signed = aws.sign(sns_aws.notification(ses_received()))
    return {**signed, "Message": json.dumps(ses_received(b"From: x@example.jp\r\n\r\nforged"))}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_tampered, "does not match"),
        (lambda aws: {**aws.sign(sns_aws.notification("x")), "Subject": "別件"}, "does not match"),
        (lambda aws: {**aws.sign(sns_aws.notification("x")), "Timestamp": "2027"}, "not match"),
        (
            lambda aws: aws.sign(sns_aws.notification("x"), "2", key=sns_aws.rsa_key("other")),
            "does not match",
        ),
        (lambda aws: {**aws.sign(sns_aws.notification("x")), "SignatureVersion": "2"}, "match"),
        (lambda aws: {**aws.sign(sns_aws.notification("x")), "SignatureVersion": "3"}, "Version"),
        (lambda aws: {**aws.sign(sns_aws.notification("x")), "Signature": ""}, "no Signature"),
        (lambda aws: {**aws.sign(sns_aws.notification("x")), "Signature": "***"}, "base64"),
        (lambda aws: sns_aws.notification("x"), "SignatureVersion"),
    ],
    ids=[
        "tampered-message",
        "tampered-subject",
        "tampered-timestamp",
        "wrong-key",
        "wrong-version",
        "unknown-version",
        "empty-signature",
        "not-base64",
        "unsigned",
    ],
)
def test_a_changed_or_foreign_message_is_refused(fake_sns, change, reason):
    with pytest.raises(sns.SnsVerificationError, match=reason):
        sns.verify(change(fake_sns))


def test_an_expired_or_non_rsa_certificate_is_refused(fake_sns):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    fake_sns.pem = sns_aws.certificate_pem(fake_sns.key, days=10, start_days=-20)
    with pytest.raises(sns.SnsVerificationError, match="not valid now"):
        sns.verify(fake_sns.sign(sns_aws.notification("x")))
    ec_key = ec.generate_private_key(ec.SECP256R1())
    fake_sns.pem = sns_aws.certificate_pem(ec_key)  # type: ignore[arg-type]
    with pytest.raises(sns.SnsVerificationError, match="no RSA key"):
        sns.verify(fake_sns.sign(sns_aws.notification("x")))
    fake_sns.pem = ec_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(sns.SnsVerificationError, match="not a PEM certificate"):
        sns.verify(fake_sns.sign(sns_aws.notification("x")))


def test_certificates_are_cached_per_url_for_an_hour(fake_sns, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(sns.time, "monotonic", lambda: clock[0])
    message = fake_sns.sign(sns_aws.notification("x"))
    sns.verify(message)
    sns.verify(message)
    assert fake_sns.fetched == [CERT_URL]
    clock[0] += sns.CACHE_SECONDS - 1
    sns.verify(message)
    assert len(fake_sns.fetched) == 1
    clock[0] += 2
    sns.verify(message)
    assert fake_sns.fetched == [CERT_URL, CERT_URL]


def test_the_certificate_cache_is_bounded(monkeypatch):
    aws = FakeSNS()
    sns.clear_cache()
    monkeypatch.setattr(sns, "fetch_certificate", lambda url: aws.pem)
    urls = [
        f"https://sns.ap-northeast-1.amazonaws.com/SimpleNotificationService-{n}.pem"
        for n in range(sns.CACHE_SIZE + 5)
    ]
    for url in urls:
        sns.signing_key(url)
    assert len(sns._cache) == sns.CACHE_SIZE
    assert urls[-1] in sns._cache and urls[0] not in sns._cache
    sns.clear_cache()


# The certificate download (a local HTTP server stands in for AWS's) ----------------------


@pytest.fixture
def cert_server() -> Iterator[tuple[str, dict[str, tuple[int, bytes]]]]:
    routes: dict[str, tuple[int, bytes]] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = routes.get(self.path, (404, b"not found"))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", routes
    server.shutdown()
    server.server_close()


def test_fetch_certificate_reads_the_pem_and_maps_failures(cert_server):
    base, routes = cert_server
    pem = FakeSNS().pem
    routes["/ok.pem"] = (200, pem)
    routes["/big.pem"] = (200, b"x" * (sns.MAX_CERTIFICATE_BYTES + 1))
    routes["/down.pem"] = (503, b"busy")
    routes["/moved.pem"] = (301, b"")
    assert sns.fetch_certificate(f"{base}/ok.pem") == pem
    with pytest.raises(sns.SnsVerificationError, match="404"):
        sns.fetch_certificate(f"{base}/missing.pem")
    with pytest.raises(sns.SnsVerificationError, match="too large"):
        sns.fetch_certificate(f"{base}/big.pem")
    with pytest.raises(sns.CertificateUnavailable):
        sns.fetch_certificate(f"{base}/down.pem")
    with pytest.raises(sns.CertificateUnavailable):  # redirects are not followed
        sns.fetch_certificate(f"{base}/moved.pem")
    with pytest.raises(sns.CertificateUnavailable):
        sns.fetch_certificate("http://127.0.0.1:9/nothing-listens.pem")


# The webhook ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["1", "2"])
def test_signed_ses_notification_with_a_japanese_mail_becomes_a_ticket(
    client, inboxes, fake_sns, version
):
    response = post(client, fake_sns.sign(sns_aws.notification(ses_received()), version))
    assert response.status_code == 200
    raw = RawMail.objects.get()
    assert raw.sha256 == hashlib.sha256(ISO2022JP_RAW).hexdigest()
    assert raw.source_ref == "amazon_ses:jis0e2ic28trm7dfhrc2v0clambda4nbp0g1sns"
    assert raw.state == "ingested", raw.error
    assert raw.ticket.subject == SUBJECT
    assert fake_sns.fetched == [CERT_URL]


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["1", "2"])
def test_signed_subscription_confirmation_is_confirmed(client, inboxes, fake_sns, opened, version):
    body = fake_sns.sign(sns_aws.subscription_confirmation(), version)
    assert post(client, body).status_code == 200
    assert opened == [body["SubscribeURL"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "forge",
    [
        lambda aws: {**aws.sign(sns_aws.subscription_confirmation()), "Token": "f" * 64},
        lambda aws: sns_aws.subscription_confirmation(),
        lambda aws: aws.sign(sns_aws.subscription_confirmation(), key=sns_aws.rsa_key("other")),
    ],
    ids=["tampered", "unsigned", "wrong-key"],
)
def test_unverified_subscription_confirmation_is_not_confirmed(
    client, inboxes, fake_sns, opened, forge
):
    assert post(client, forge(fake_sns)).status_code == 400
    assert opened == []


def _signed(aws: FakeSNS, **fields: object) -> dict[str, object]:
    return aws.sign({**sns_aws.notification(ses_received()), **fields}, "2")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("forge", "fetches"),
    [
        (lambda aws: {**_signed(aws), "Message": json.dumps(ses_received(b"forged"))}, 1),
        (lambda aws: aws.sign(sns_aws.notification(ses_received()), "2", sns_aws.rsa_key("x")), 1),
        (lambda aws: {k: v for k, v in _signed(aws).items() if k != "Signature"}, 0),
        (lambda aws: _signed(aws, SigningCertURL=CERT_URL.replace("https:", "http:")), 0),
        (lambda aws: _signed(aws, SigningCertURL="https://attacker.example/sns.pem"), 0),
        (lambda aws: _signed(aws, SigningCertURL=CERT_URL.replace("1136", "0000")), 1),
    ],
    ids=["tampered-body", "wrong-key", "no-signature", "http-cert", "foreign-host", "no-cert"],
)
def test_forged_ses_notifications_are_refused_and_nothing_stored(
    client, inboxes, fake_sns, forge, fetches
):
    response = post(client, forge(fake_sns))
    assert response.status_code == 400
    assert not RawMail.objects.exists() and not Ticket.objects.exists()
    assert len(fake_sns.fetched) == fetches


@pytest.mark.django_db
def test_topic_allow_list(client, inboxes, fake_sns, opened, settings):
    other = "arn:aws:sns:ap-northeast-1:999999999999:someone-else"
    settings.AMAZON_SES_TOPIC_ARNS = [TOPIC, "arn:aws:sns:us-east-1:123456789012:backup"]
    response = post(client, fake_sns.sign(sns_aws.notification(ses_received(), topic=other)))
    assert response.status_code == 403
    response = post(client, fake_sns.sign(sns_aws.subscription_confirmation(topic=other)))
    assert response.status_code == 403
    assert not RawMail.objects.exists() and opened == []
    assert post(client, fake_sns.sign(sns_aws.notification(ses_received()))).status_code == 200
    assert RawMail.objects.get().state == "ingested"


@pytest.mark.django_db
def test_topic_allow_list_from_settings(client, inboxes, fake_sns, settings):
    settings.AMAZON_SES_TOPIC_ARNS = [f" {TOPIC} ", "arn:aws:sns:x:1:y", ""]
    assert sns.allowed_topics() == [TOPIC, "arn:aws:sns:x:1:y"]
    other = sns_aws.notification(ses_received(), topic="arn:aws:sns:x:1:z")
    assert post(client, other).status_code == 403
    assert not RawMail.objects.exists()


@pytest.mark.django_db
def test_verification_can_be_turned_off(client, inboxes, fake_sns, settings):
    settings.AMAZON_SNS_VERIFY = False
    assert post(client, sns_aws.notification(ses_received())).status_code == 200
    assert RawMail.objects.get().state == "ingested"
    assert fake_sns.fetched == []


@pytest.mark.django_db
def test_unreachable_certificate_answers_503_so_sns_retries(client, inboxes, fake_sns, monkeypatch):
    def down(url: str) -> bytes:
        raise sns.CertificateUnavailable("connection timed out")

    monkeypatch.setattr(sns, "fetch_certificate", down)
    assert post(client, fake_sns.sign(sns_aws.notification(ses_received()))).status_code == 503
    assert not RawMail.objects.exists()
