"""Inbox settings: each kind created with its fields; secrets encrypted, write-only, audited."""

from __future__ import annotations

import pytest
from django.db import connection

from madoguchi.accounts.models import AuditEntry, Team
from madoguchi.core.errors import Forbidden, ValidationFailed
from madoguchi.inboxes.admin_actions import do_create_inbox, do_update_inbox
from madoguchi.inboxes.channel_fields import SPECS
from madoguchi.inboxes.models import Inbox, InboxKind

pytestmark = pytest.mark.django_db


def _base(inbox: Inbox, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": inbox.name,
        "brand_id": inbox.brand_id,
        "default_team_id": inbox.default_team_id,
        "is_active": inbox.is_active,
        "address": inbox.address,
        "values": {},
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("kind", InboxKind.values)
def test_every_kind_can_be_created(make_agent, brand, kind):
    lead = make_agent("lead")
    address = "help@shop.test" if SPECS[kind].address_required else ""
    inbox = do_create_inbox(
        lead, kind=kind, name=f"{kind} 窓口", slug=f"new-{kind}", brand_id=brand.pk, address=address
    )
    assert inbox.kind == kind and inbox.brand == brand
    assert AuditEntry.objects.get(action="inbox.create").data["kind"] == kind


def test_email_inbox_stores_imap_secret_encrypted_and_never_in_audit(admin, brand):
    inbox = do_create_inbox(
        admin,
        kind="email",
        name="サポート",
        slug="support-mail",
        brand_id=brand.pk,
        address="support@shop.test",
        values={"imap_host": "imap.shop.test", "imap_port": "993", "imap_password": "s3cret-pw"},
    )
    inbox.refresh_from_db()
    assert inbox.settings == {"imap_host": "imap.shop.test", "imap_port": "993"}
    assert inbox.credentials == {"imap_password": "s3cret-pw"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM inboxes_inbox WHERE id = %s", [inbox.pk])
        raw = cursor.fetchone()[0]
    assert "s3cret-pw" not in raw
    entry = AuditEntry.objects.get(action="inbox.create")
    assert entry.data["secrets"] == ["imap_password"] and "s3cret-pw" not in str(entry.data)


def test_blank_secret_keeps_stored_value_and_replacing_is_audited(admin, inboxes):
    inbox = inboxes["line"]
    do_update_inbox(admin, inbox.pk, **_base(inbox, values={"channel_secret": "one"}))  # type: ignore[arg-type]
    do_update_inbox(admin, inbox.pk, **_base(inbox, values={"channel_secret": ""}))  # type: ignore[arg-type]
    inbox.refresh_from_db()
    assert inbox.credentials == {"channel_secret": "one"}
    do_update_inbox(admin, inbox.pk, **_base(inbox, values={"channel_secret": "two"}))  # type: ignore[arg-type]
    do_update_inbox(admin, inbox.pk, **_base(inbox, clear_secrets=["channel_secret"]))  # type: ignore[arg-type]
    inbox.refresh_from_db()
    assert inbox.credentials == {}
    changes = [
        e.data["changes"]["secrets"]
        for e in AuditEntry.objects.filter(action="inbox.update").order_by("id")
    ]
    assert changes == [
        {"channel_secret": ["not set", "set"]},
        {"channel_secret": ["set", "replaced"]},
        {"channel_secret": ["set", "removed"]},
    ]
    assert "one" not in str(changes) and "two" not in str(changes)


def test_update_records_changes_and_grants(admin, inboxes, make_agent):
    outsider = make_agent("outsourced", "外部 次郎")
    team = Team.objects.create(name="一次対応")
    inbox = inboxes["form"]
    do_update_inbox(
        admin,
        inbox.pk,
        **_base(  # type: ignore[arg-type]
            inbox,
            name="お問い合わせ",
            default_team_id=team.pk,
            is_active=False,
            values={"accent_color": "#112233"},
            granted_agent_ids=[outsider.pk],
        ),
    )
    inbox.refresh_from_db()
    assert (inbox.name, inbox.default_team, inbox.is_active) == ("お問い合わせ", team, False)
    assert inbox.settings == {"accent_color": "#112233"}
    assert list(inbox.granted_agents.all()) == [outsider]
    changes = AuditEntry.objects.get(action="inbox.update").data["changes"]
    assert changes["granted_agents"] == [[], ["外部 次郎"]]
    assert changes["active"] == [True, False]


@pytest.mark.parametrize(
    ("kind", "values", "address", "field"),
    [
        ("form", {"accent_color": "red"}, "", "accent_color"),
        ("email", {"imap_port": "99999"}, "a@shop.test", "imap_port"),
        ("email", {"imap_host": "bad host/"}, "a@shop.test", "imap_host"),
        ("email", {}, "", "address"),
        ("email", {}, "not-an-address", "address"),
    ],
)
def test_bad_channel_values_are_refused(admin, brand, kind, values, address, field):
    with pytest.raises(ValidationFailed) as exc:
        do_create_inbox(
            admin, kind=kind, name="x", slug="x", brand_id=brand.pk, address=address, values=values
        )
    assert exc.value.details == {"field": field}
    assert not Inbox.objects.exists() and not AuditEntry.objects.exists()


def test_slug_brand_and_grant_checks(admin, brand, inboxes, agent):
    with pytest.raises(ValidationFailed):
        do_create_inbox(admin, kind="api", name="x", slug="test-api", brand_id=brand.pk)
    with pytest.raises(ValidationFailed):
        do_create_inbox(admin, kind="api", name="x", slug="fresh", brand_id=None)
    with pytest.raises(ValidationFailed):
        do_create_inbox(admin, kind="pigeon", name="x", slug="fresh", brand_id=brand.pk)
    with pytest.raises(ValidationFailed):
        do_update_inbox(
            admin,
            inboxes["api"].pk,
            **_base(inboxes["api"], granted_agent_ids=[agent.pk]),  # type: ignore[arg-type]
        )


@pytest.mark.parametrize("role", ["agent", "outsourced", "viewer"])
def test_only_leads_and_admins_edit_inboxes(make_agent, brand, inboxes, role):
    actor = make_agent(role)
    with pytest.raises(Forbidden):
        do_create_inbox(actor, kind="api", name="x", slug="fresh", brand_id=brand.pk)
    with pytest.raises(Forbidden):
        do_update_inbox(actor, inboxes["api"].pk, **_base(inboxes["api"], name="x"))  # type: ignore[arg-type]
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("slug", ["", "with space", "ス", "x" * 61])
def test_inbox_slug_follows_the_brand_slug_rules(admin, brand, slug):
    with pytest.raises(ValidationFailed) as caught:
        do_create_inbox(admin, kind="api", name="x", slug=slug, brand_id=brand.pk)
    assert caught.value.code == "invalid_slug"
    assert caught.value.details == {"field": "slug"}
    assert do_create_inbox(
        admin, kind="api", name="x", slug=" New-API ", brand_id=brand.pk
    ).slug == ("new-api")
