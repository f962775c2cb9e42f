"""The audit log page: newest first, keyset pages, filters, what changed (secrets never)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from madoguchi.accounts.agent_admin import do_update_agent
from madoguchi.accounts.audit import record_audit
from madoguchi.accounts.models import AuditEntry
from madoguchi.inboxes.admin_actions import do_update_inbox
from madoguchi.web.views.settings import audit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ja", "en"])
def test_shows_what_changed(login, admin, agent, language):
    do_update_agent(
        admin,
        agent.pk,
        display_name=agent.display_name,
        email="",
        role="lead",
        team_ids=[],
        language="ja",
        time_zone="Asia/Tokyo",
    )
    page = login(admin, language).get("/settings/audit/")
    assert page.status_code == 200
    with translation.override(language):
        label = translation.gettext("Role")
    assert f"<strong>{label}</strong>: <del>agent</del> → <ins>lead</ins>" in page.text
    if language == "en":
        assert "Agent changed" in page.text


def test_secret_changes_show_state_not_value(login, admin, inboxes):
    inbox = inboxes["line"]
    do_update_inbox(
        admin,
        inbox.pk,
        name=inbox.name,
        brand_id=inbox.brand_id,
        default_team_id=None,
        is_active=True,
        address="",
        values={"channel_secret": "hidden-value-42"},
    )
    page = login(admin, "en").get("/settings/audit/")
    assert "hidden-value-42" not in page.text
    assert "<strong>channel_secret</strong>: <del>not set</del> → <ins>set</ins>" in page.text


def test_keyset_pages_and_filters(login, admin, agent, monkeypatch):
    monkeypatch.setattr(audit, "PAGE_SIZE", 3)
    base = timezone.now()
    for i in range(7):
        entry = record_audit(admin if i % 2 else agent, "team.create", "team", i, {"name": f"t{i}"})
        AuditEntry.objects.filter(pk=entry.pk).update(created_at=base - timedelta(minutes=i))
    record_audit(admin, "tag.delete", "tag", 1, {"name": "x"})
    client = login(admin, "en")
    seen: list[str] = []
    url = "/settings/audit/?action=team"
    while url:
        page = client.get(url)
        assert page.status_code == 200
        seen += [part.split('"')[0] for part in page.text.split('data-audit-id="')[1:]]
        nxt = page.text.split('rel="next" href="')
        url = (
            "/settings/audit/" + nxt[1].split('"')[0].replace("&amp;", "&") if len(nxt) > 1 else ""
        )
    expected = [
        str(pk)
        for pk in AuditEntry.objects.filter(action="team.create")
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    ]
    assert seen == expected and len(seen) == 7
    mine = client.get(f"/settings/audit/?actor={agent.pk}")
    assert mine.text.count('data-audit-id="') == 3  # page size; agent made 4
    assert client.get("/settings/audit/?cursor=nonsense").status_code == 422
    assert client.get("/settings/audit/?action=explode").status_code == 422
    assert client.get("/settings/audit/?actor=x").status_code == 422
