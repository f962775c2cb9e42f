"""Signing in, languages, the agent-profile requirement, API tokens, outbox and sent mail."""

from __future__ import annotations

import time
import uuid
from email.message import EmailMessage

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from madoguchi.accounts.models import Agent, ApiToken
from madoguchi.accounts.tokens import agent_for_token
from madoguchi.inboxes.models import Outbox, OutboxState
from madoguchi.tickets.actions import do_reply

pytestmark = pytest.mark.django_db


def test_console_requires_login(client, db):
    response = client.get(reverse("web:inbox"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_login_uses_the_agents_saved_language(client, make_agent):
    agent = make_agent("agent", "Emma Clark", language="en")
    response = client.post(
        reverse("web:login"), {"username": agent.user.username, "password": "pass-1234-word"}
    )
    assert response.status_code == 302
    assert client.session["language"] == "en"
    assert '<html lang="en">' in client.get(reverse("web:inbox")).content.decode()


def test_wrong_password_stays_on_the_login_page(client, make_agent):
    agent = make_agent()
    response = client.post(
        reverse("web:login"), {"username": agent.user.username, "password": "wrong"}
    )
    assert response.status_code == 200
    assert "alert-error" in response.content.decode()


def test_language_switch_is_saved_on_the_agent(login, agent):
    client = login(agent, "ja")
    response = client.post(reverse("web:language"), {"language": "en", "next": "/customers/"})
    assert response.status_code == 302 and response["Location"] == "/customers/"
    agent.refresh_from_db()
    assert agent.language == "en"
    bad = client.post(reverse("web:language"), {"language": "xx", "next": "https://evil.example/"})
    assert bad["Location"] == reverse("web:inbox")
    agent.refresh_from_db()
    assert agent.language == "en"


def test_login_without_agent_profile_gets_a_clear_403(client, db):
    user = User.objects.create_user("plain", "plain@shop.test", "pass-1234-word")
    client.force_login(user)
    response = client.get(reverse("web:inbox"))
    assert response.status_code == 403
    assert "data-error-message" in response.content.decode()
    assert not Agent.objects.exists()


def test_logout_needs_post(login, agent):
    client = login(agent)
    client.post(reverse("web:logout"))
    assert client.get(reverse("web:inbox")).status_code == 302


def test_create_and_revoke_tokens(login, agent, make_agent):
    client = login(agent)
    response = client.post(reverse("web:tokens"), {"name": "受注システム"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    raw = (
        response.content.decode()
        .split('id="raw-token" type="text" readonly value="')[1]
        .split('"')[0]
    )
    assert agent_for_token(raw) == agent
    listing = client.get(reverse("web:tokens")).content.decode()
    assert "受注システム" in listing and raw not in listing
    assert client.post(reverse("web:tokens"), {"name": ""}).status_code == 422
    token = ApiToken.objects.get()
    other = login(make_agent())
    assert other.post(reverse("web:token_revoke", args=[token.pk])).status_code == 404
    client = login(agent)
    assert client.post(reverse("web:token_revoke", args=[token.pk])).status_code == 302
    assert agent_for_token(raw) is None


def test_outbox_lists_unsent_rows_in_scope(login, agent, make_agent, make_ticket):
    ticket = make_ticket("email")
    message = do_reply(agent, ticket.pk, "送信待ちの返信")
    Outbox.objects.filter(message=message).update(
        state=OutboxState.DEAD, last_error="Connection refused"
    )
    client = login(agent)
    html = client.get(reverse("web:outbox")).content.decode()
    assert f"#{ticket.number}" in html and "Connection refused" in html
    assert f"#{ticket.number}" in client.get(reverse("web:outbox") + "?state=dead").content.decode()
    assert (
        f"#{ticket.number}"
        not in client.get(reverse("web:outbox") + "?state=retrying").content.decode()
    )
    outsider = login(make_agent("outsourced"))
    assert f"#{ticket.number}" not in outsider.get(reverse("web:outbox")).content.decode()
    outbox = Outbox.objects.get()
    assert outsider.post(reverse("web:outbox_retry", args=[outbox.pk])).status_code == 404
    outbox.refresh_from_db()
    assert outbox.state == OutboxState.DEAD


def _write_mail(folder, subject: str, body: str, *, dashed: bool = False):  # type: ignore[no-untyped-def]
    folder.mkdir(parents=True, exist_ok=True)
    mail = EmailMessage()
    mail["From"] = "さくら雑貨店 <support@shop.test>"
    mail["To"] = "山田 太郎 <taro@example.jp>"
    mail["Subject"] = subject
    mail["Date"] = "Fri, 02 May 2025 10:00:00 +0900"
    mail.set_content(body, charset="iso-2022-jp")
    unique = uuid.uuid4()
    name = f"{time.time_ns()}-{unique if dashed else unique.hex}.eml"
    (folder / name).write_bytes(mail.as_bytes())
    return name


def test_sent_mail_viewer_only_in_demo_or_debug(login, agent, settings, monkeypatch):
    name = _write_mail(
        settings.MAIL_CATCHER_DIR, "【#10001】配送状況のご案内", "山田様\n明日お届けします。"
    )
    client = login(agent)
    settings.DEBUG = False
    monkeypatch.delenv("MADOGUCHI_DEMO", raising=False)
    assert client.get(reverse("web:dev_mail")).status_code == 404
    assert "dev/mail" not in client.get(reverse("web:inbox")).content.decode()
    monkeypatch.setenv("MADOGUCHI_DEMO", "1")
    listing = client.get(reverse("web:dev_mail")).content.decode()
    assert "【#10001】配送状況のご案内" in listing and "taro@example.jp" in listing
    detail = client.get(reverse("web:dev_mail_message", args=[name])).content.decode()
    assert "明日お届けします。" in detail and "2025/05/02 10:00" in detail
    dashed = _write_mail(
        settings.MAIL_CATCHER_DIR, "返品のご案内", "返品伝票を同封します。", dashed=True
    )
    assert "返品のご案内" in client.get(reverse("web:dev_mail")).content.decode()
    assert (
        "返品伝票を同封します。"
        in client.get(reverse("web:dev_mail_message", args=[dashed])).content.decode()
    )
    assert (
        client.get(reverse("web:dev_mail_message", args=["..%2F..%2Fsecret.eml"])).status_code
        == 404
    )
    assert client.get(reverse("web:dev_mail_message", args=["1-not-a-uuid.eml"])).status_code == 404


def test_sent_mail_viewer_needs_login(client, settings):
    settings.DEBUG = True
    response = client.get(reverse("web:dev_mail"))
    assert response.status_code == 302
