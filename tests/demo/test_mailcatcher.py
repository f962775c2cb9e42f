"""The demo's catch-all SMTP server: any mail is accepted and written as one .eml file."""

from __future__ import annotations

import smtplib
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from madoguchi.demo.mailcatcher import MailCatcher


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_catcher_writes_each_mail_as_an_eml_file(tmp_path):
    folder = tmp_path / "caught"  # created by the catcher
    port = free_port()
    with MailCatcher(folder, "127.0.0.1", port):
        mail = EmailMessage()
        mail["From"] = "ひなた雑貨店 <support@hinata.example.jp>"
        mail["To"] = "山田 花子 <hanako@example.jp>"
        mail["Subject"] = "【ひなた雑貨店】配送状況のご案内 [#10001]"
        mail.set_content("山田様\n\nご注文の商品は本日発送いたしました。")
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
            smtp.send_message(mail)
            smtp.sendmail(
                "a@example.com", ["b@example.com", "c@example.net"], b"Subject: plain\r\n\r\nhi\r\n"
            )
    files = sorted(folder.iterdir())
    assert len(files) == 2
    assert all(f.suffix == ".eml" and not f.name.startswith(".") for f in files)
    assert all(f.name.split("-")[0].isdigit() and len(f.stem.split("-")[1]) == 32 for f in files)
    parsed = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    first = next(p for p in parsed if "hinata" in p["From"])
    assert first["Subject"] == "【ひなた雑貨店】配送状況のご案内 [#10001]"
    assert "本日発送いたしました" in first.get_content()
    assert first["X-Envelope-To"] == "<hanako@example.jp>"
    second = next(p for p in parsed if p["Subject"] == "plain")
    assert second.get_all("X-Envelope-To") == ["<b@example.com>", "<c@example.net>"]


def test_catcher_on_a_busy_port_fails_clearly(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises((OSError, RuntimeError)):
            MailCatcher(tmp_path, "127.0.0.1", port).start()
