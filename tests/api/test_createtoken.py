"""`madoguchi createtoken`: prints a working token once; clear errors otherwise."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from madoguchi.accounts.models import ApiToken, AuditEntry

from .client import ApiClient


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("createtoken", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_prints_a_token_that_works(agent):
    raw, note = run(agent.user.username, "--name", "EC連携")
    assert raw.startswith("mdg_") and "\n" not in raw
    assert "EC連携" in note
    token = ApiToken.objects.get()
    assert token.name == "EC連携" and token.agent == agent and raw not in token.key_hash
    assert AuditEntry.objects.get().action == "token.create"
    assert ApiClient(raw).get("/me").json()["id"] == agent.pk


def test_default_name(agent):
    run(agent.user.username)
    assert ApiToken.objects.get().name == "cli"


def test_unknown_user(db):
    with pytest.raises(CommandError, match="nobody"):
        run("nobody")
    assert not ApiToken.objects.exists()


def test_user_without_agent_profile(db):
    User.objects.create_user("shopowner", "o@example.jp", "pass-1234-word")
    with pytest.raises(CommandError, match="shopowner"):
        run("shopowner")
    assert not ApiToken.objects.exists()


def test_deactivated_user(agent):
    agent.user.is_active = False
    agent.user.save()
    with pytest.raises(CommandError):
        run(agent.user.username)
    assert not ApiToken.objects.exists()


def test_name_too_long(agent):
    with pytest.raises(CommandError):
        run(agent.user.username, "--name", "x" * 121)
    assert not ApiToken.objects.exists()
