"""Email inbox admin: settings with selects, connection tests from the form, the received-mail
page (status, filters, re-process, .eml) and the original-mail view on the ticket page."""

from __future__ import annotations

import pytest

from madoguchi.accounts.models import AuditEntry
from madoguchi.connectors.email.inbound import raw_bytes, receive
from madoguchi.core.errors import ValidationFailed
from madoguchi.inboxes.admin_actions import do_create_inbox
from madoguchi.inboxes.models import Inbox, MailFolderState, RawMail, RawMailState
from tests.connectors.email.test_connection_test import PASSWORD, smtp_auth  # noqa: F401
from tests.inboxes.smtp import SmtpServer, smtp_down, smtp_server  # noqa: F401
from tests.mailserver.dovecot import DovecotServer, dovecot, imap_user  # noqa: F401

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _mail(n: int = 1, subject: str = "配送について", quoted: bool = False) -> bytes:
    body = "商品はいつ届きますか。"
    if quoted:
        body += (
            "\r\n\r\n2026年12月1日 10:00 サポート <support@shop.test>:\r\n"
            "> ご注文ありがとうございます。"
        )
    return (
        f"From: 山田 太郎 <taro{n}@example.jp>\r\nTo: support@shop.test\r\n"
        f"Subject: {subject}\r\nMessage-ID: <m{n}@example.jp>\r\n"
        "Date: Tue, 01 Dec 2026 10:00:00 +0900\r\nX-Shop-Trace: 追跡-123\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def _form(inbox: Inbox, **values: str) -> dict[str, str]:
    return {"name": inbox.name, "brand": str(inbox.brand_id), "address": inbox.address,
            "is_active": "on", **values}  # fmt: skip


# Settings ----------------------------------------------------------------------------------


def test_email_form_has_groups_selects_and_test_buttons(login, admin, inboxes):
    client = login(admin, "en")
    for url in ("/settings/inboxes/new/email/", f"/settings/inboxes/{inboxes['email'].pk}/"):
        page = client.get(url).text
        for text in ("Receiving (IMAP)", "Sending", "Replies", "Test IMAP", "Test SMTP",
                     '<select name="imap_security"', '<option value="iso-2022-jp"',
                     "{{ticket.number}}"):  # fmt: skip
            assert text in page, (url, text)


def test_selects_save_and_unknown_choice_is_a_field_error(login, admin, inboxes):
    inbox = inboxes["email"]
    client = login(admin, "en")
    bad = client.post(f"/settings/inboxes/{inbox.pk}/", _form(inbox, imap_security="telnet"))
    assert bad.status_code == 422 and "Select a valid choice" in bad.text
    move = client.post(f"/settings/inboxes/{inbox.pk}/", _form(inbox, imap_after="move"))
    assert move.status_code == 422
    assert "Enter the folder to move fetched mail to." in move.text
    inbox.refresh_from_db()
    assert inbox.settings == {}
    ok = client.post(
        f"/settings/inboxes/{inbox.pk}/",
        _form(inbox, imap_security="starttls", imap_after="move", imap_move_to="Done",
              outbound_charset="iso-2022-jp", auto_reply="on", auto_reply_body="{{ticket.number}}"),
    )  # fmt: skip
    assert ok.status_code == 302
    inbox.refresh_from_db()
    assert inbox.settings == {
        "imap_security": "starttls", "imap_after": "move", "imap_move_to": "Done",
        "outbound_charset": "iso-2022-jp", "auto_reply": "on",
        "auto_reply_body": "{{ticket.number}}",
    }  # fmt: skip
    page = client.get(f"/settings/inboxes/{inbox.pk}/").text
    assert '<option value="starttls" selected>' in page


def test_action_refuses_unknown_choice_and_writes_nothing(admin, brand):
    with pytest.raises(ValidationFailed) as exc:
        do_create_inbox(admin, kind="email", name="x", slug="x", brand_id=brand.pk,
                        address="a@shop.test", values={"sending": "pigeon"})  # fmt: skip
    assert exc.value.details == {"field": "sending"}
    assert not Inbox.objects.filter(slug="x").exists() and not AuditEntry.objects.exists()


def test_secrets_are_write_only(login, admin, inboxes):
    inbox = inboxes["email"]
    client = login(admin, "en")
    response = client.post(
        f"/settings/inboxes/{inbox.pk}/",
        _form(inbox, smtp_password="smtp-Secret-77", provider_api_key="key-Secret-88"),
    )
    assert response.status_code == 302
    inbox.refresh_from_db()
    assert inbox.credentials == {
        "smtp_password": "smtp-Secret-77",
        "provider_api_key": "key-Secret-88",
    }
    page = client.get(f"/settings/inboxes/{inbox.pk}/").text
    assert "smtp-Secret-77" not in page and "key-Secret-88" not in page
    assert page.count("Set. Leave empty to keep it.") == 2


# Connection tests from the form --------------------------------------------------------------


def test_smtp_test_uses_the_stored_password_when_left_blank(login, admin, inboxes, smtp_auth):  # noqa: F811
    inbox = inboxes["email"]
    inbox.credentials = {"smtp_password": PASSWORD}
    inbox.save()
    client = login(admin, "en")
    values = {"smtp_host": "127.0.0.1", "smtp_port": str(smtp_auth), "smtp_security": "none",
              "smtp_username": "shop", "smtp_password": ""}  # fmt: skip
    response = client.post(f"/settings/inboxes/{inbox.pk}/test/smtp/", values, **HX)
    assert response.status_code == 200
    assert 'data-code="ok"' in response.text
    assert "Connected and signed in to the SMTP server." in response.text
    assert PASSWORD not in response.text
    cleared = client.post(
        f"/settings/inboxes/{inbox.pk}/test/smtp/", {**values, "clear_smtp_password": "on"}, **HX
    )
    assert 'data-code="config"' in cleared.text
    wrong = client.post(
        f"/settings/inboxes/{inbox.pk}/test/smtp/",
        {**values, "smtp_password": "typed-Wrong-1"},
        **HX,
    )
    assert 'data-code="auth"' in wrong.text and "typed-Wrong-1" not in wrong.text
    entry = AuditEntry.objects.filter(action="inbox.connection_test").order_by("id").first()
    assert entry is not None and entry.data["test"] == "smtp" and entry.data["ok"] is True
    assert PASSWORD not in str(entry.data)
    inbox.refresh_from_db()
    assert inbox.settings == {}  # nothing saved by a test


def test_imap_test_of_a_new_inbox_against_dovecot(login, admin, dovecot: DovecotServer, imap_user):  # noqa: F811
    client = login(admin, "en")
    values = {"imap_host": dovecot.host, "imap_port": str(dovecot.port),
              "imap_security": "none", "imap_username": imap_user,
              "imap_password": dovecot.passwords[imap_user]}  # fmt: skip
    response = client.post("/settings/inboxes/new/email/test/imap/", values, **HX)
    assert response.status_code == 200 and 'data-code="ok"' in response.text
    assert "Folder INBOX" in response.text
    assert dovecot.passwords[imap_user] not in response.text
    plain = client.post("/settings/inboxes/new/email/test/imap/", values)  # without JS: a page
    assert plain.status_code == 200 and "IMAP connection test" in plain.text


def test_connection_test_bad_input_permissions_and_rate_limit(login, make_agent, inboxes):
    inbox = inboxes["email"]
    agent_client = login(make_agent("agent"), "en")
    url = f"/settings/inboxes/{inbox.pk}/test/imap/"
    assert agent_client.post(url, {"imap_host": "127.0.0.1"}, **HX).status_code == 403
    client = login(make_agent("lead"), "en")
    bad = client.post(url, {"imap_host": "127.0.0.1", "imap_port": "99999"}, **HX)
    assert bad.status_code == 422 and "Enter a port number between 1 and 65535." in bad.text
    assert client.post(f"/settings/inboxes/{inbox.pk}/test/pop3/", {}, **HX).status_code == 404
    assert (
        client.post(f"/settings/inboxes/{inboxes['form'].pk}/test/imap/", {}, **HX).status_code
        == 404
    )
    assert client.get(url).status_code == 405
    for _ in range(10):
        assert client.post(url, {}, **HX).status_code == 200  # config error, still counted
    limited = client.post(url, {}, **HX)
    assert limited.status_code == 429
    assert "Too many connection tests" in limited.text


# Received mail ---------------------------------------------------------------------------


def test_mail_status_page(login, make_agent, inboxes):
    inbox = inboxes["email"]
    ok = receive(inbox.pk, _mail(1), source="imap")
    broken = receive(inbox.pk, b"garbage without any header", source="smtp")
    MailFolderState.objects.create(
        inbox=inbox, folder="INBOX", uidvalidity=7, last_uid=41, fetched=41, backlog=3,
        failures=2, last_error="LOGIN failed\nsecond line",
    )  # fmt: skip
    assert (
        login(make_agent("agent"), "en").get(f"/settings/inboxes/{inbox.pk}/mail/").status_code
        == 403
    )
    client = login(make_agent("lead"), "en")
    page = client.get(f"/settings/inboxes/{inbox.pk}/mail/")
    assert page.status_code == 200
    text = page.text
    assert 'data-folder="INBOX"' in text
    assert ">LOGIN failed</code>" in text  # the first line shown, the whole error in the title
    assert f'data-raw-mail-id="{ok.pk}"' in text and f'data-raw-mail-id="{broken.pk}"' in text
    assert f"#{ok.ticket.number}" in text
    assert "no header at the start of the message" in text
    week = text.split('data-state="failed">', 1)[1]
    assert week.startswith('<span class="mail-week-count num">1</span>')
    failed = client.get(f"/settings/inboxes/{inbox.pk}/mail/?state=failed").text
    assert (
        f'data-raw-mail-id="{broken.pk}"' in failed and f'data-raw-mail-id="{ok.pk}"' not in failed
    )
    assert client.get(f"/settings/inboxes/{inbox.pk}/mail/?state=nope").status_code == 422
    assert client.get(f"/settings/inboxes/{inboxes['form'].pk}/mail/").status_code == 404


def test_mail_list_pages_newest_first(login, admin, inboxes, monkeypatch):
    from madoguchi.web.views.settings import mail as mail_views

    monkeypatch.setattr(mail_views, "PAGE_SIZE", 2)
    inbox = inboxes["email"]
    ids = [receive(inbox.pk, _mail(n), source="import").pk for n in range(5)]
    client = login(admin, "en")
    seen: list[int] = []
    url = f"/settings/inboxes/{inbox.pk}/mail/"
    while url:
        response = client.get(url)
        rows = [r.pk for r in response.context["rows"]]
        seen += rows
        cursor = response.context["next_cursor"]
        url = f"/settings/inboxes/{inbox.pk}/mail/?cursor={cursor}" if cursor else ""
    assert seen == sorted(ids, reverse=True)
    assert client.get(f"/settings/inboxes/{inbox.pk}/mail/?cursor=xx").status_code == 422


def test_reprocess_permissions_audit_and_new_state(login, make_agent, inboxes):
    inbox = inboxes["email"]
    raw = receive(inbox.pk, _mail(3), source="imap")
    # As if the parser had failed on it at the time (the bug since fixed).
    RawMail.objects.filter(pk=raw.pk).update(state=RawMailState.FAILED, error="KeyError: x")
    url = f"/settings/inboxes/{inbox.pk}/mail/{raw.pk}/reprocess/"
    assert login(make_agent("agent"), "en").post(url, **HX).status_code == 403
    assert login(make_agent("outsourced"), "en").post(url, **HX).status_code == 403
    client = login(make_agent("lead"), "en")
    other = f"/settings/inboxes/{inboxes['form'].pk}/mail/{raw.pk}/reprocess/"
    assert client.post(other, **HX).status_code == 404
    response = client.post(url, **HX)
    assert response.status_code == 200
    assert f'data-raw-mail-id="{raw.pk}" data-state="ingested"' in response.text
    assert "Processed again" in response.text
    raw.refresh_from_db()
    assert raw.state == RawMailState.INGESTED and raw.error == "" and raw.attempts == 2
    entry = AuditEntry.objects.get(action="raw_mail.reprocess")
    assert entry.data["changes"] == {"state": ["failed", "ingested"]}
    assert entry.target_id == str(raw.pk)
    plain = client.post(url)
    assert plain.status_code == 302 and plain["Location"] == f"/settings/inboxes/{inbox.pk}/mail/"
    assert raw.ticket.messages.count() == 1  # re-processing never duplicates the message


def test_download_eml(login, make_agent, inboxes):
    inbox = inboxes["email"]
    raw = receive(inbox.pk, _mail(4), source="imap")
    url = f"/settings/inboxes/{inbox.pk}/mail/{raw.pk}/eml/"
    assert login(make_agent("agent"), "en").get(url).status_code == 403
    response = login(make_agent("admin"), "en").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="mail-{raw.pk}.eml"'
    assert response.content == _mail(4) == raw_bytes(raw)


# The original mail on the ticket page -----------------------------------------------------


def test_original_mail_view_and_ticket_link(login, make_agent, inboxes):
    inbox = inboxes["email"]
    raw = receive(inbox.pk, _mail(5, subject="返品の件", quoted=True), source="imap")
    ticket, message_id = raw.ticket, raw.message_id
    agent_client = login(make_agent("agent"), "en")
    ticket_page = agent_client.get(f"/tickets/{ticket.pk}/").text
    url = f"/tickets/{ticket.pk}/messages/{message_id}/original/"
    assert url in ticket_page and "Show the original mail" in ticket_page
    page = agent_client.get(url)
    assert page.status_code == 200
    assert "X-Shop-Trace" in page.text and "追跡-123" in page.text
    assert "&gt; ご注文ありがとうございます。" in page.text  # the quoted part is kept
    assert "Download .eml" not in page.text  # agents do not get the raw file
    outsider = make_agent("outsourced")
    assert login(outsider, "en").get(url).status_code == 404
    outsider.granted_inboxes.set([inbox])
    assert login(outsider, "en").get(url).status_code == 200
    assert (
        agent_client.get(f"/tickets/{ticket.pk}/messages/{message_id + 999}/original/").status_code
        == 404
    )


def test_message_without_a_stored_mail_has_no_link(login, agent, make_ticket):
    ticket = make_ticket("email")
    message = ticket.messages.get()
    client = login(agent, "en")
    assert "Show the original mail" not in client.get(f"/tickets/{ticket.pk}/").text
    assert client.get(f"/tickets/{ticket.pk}/messages/{message.pk}/original/").status_code == 404


def test_html_part_is_sanitised_in_a_sandbox(login, agent, inboxes):
    raw = (
        "From: a@example.jp\r\nTo: support@shop.test\r\nSubject: html\r\n"
        "Message-ID: <h1@example.jp>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        '<p>本文</p><script>alert(1)</script><img src="https://tracker.example/p.gif">\r\n'
    ).encode()
    stored = receive(inboxes["email"].pk, raw, source="imap")
    page = login(agent, "en").get(
        f"/tickets/{stored.ticket_id}/messages/{stored.message_id}/original/"
    )
    assert page.status_code == 200
    frame = page.text.split('<iframe class="original-html"', 1)[1].split("</iframe>", 1)[0]
    assert "sandbox" in frame and "img-src data:" in frame
    body = frame.split("<body", 1)[1]
    assert "&lt;p&gt;本文&lt;/p&gt;" in body
    assert "script" not in body and "alert" not in body


def test_inbox_settings_page_summarises_fetching(login, admin, inboxes):
    inbox = inboxes["email"]
    receive(inbox.pk, b"not a mail at all", source="smtp")
    MailFolderState.objects.create(inbox=inbox, folder="INBOX", backlog=4, failures=3)
    page = login(admin, "en").get(f"/settings/inboxes/{inbox.pk}/").text
    summary = page.split("data-mail-summary", 1)[1].split("</div>", 1)[0]
    assert "4 waiting" in summary and "3 failures in a row" in summary
    assert "1 mail failed in the last 7 days" in summary
    assert f"/settings/inboxes/{inbox.pk}/mail/" in summary
