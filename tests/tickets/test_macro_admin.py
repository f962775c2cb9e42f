"""Macro settings: shared vs personal, validation, audit, preview against sample or ticket."""

from __future__ import annotations

import pytest

from madoguchi.accounts.models import AuditEntry
from madoguchi.core.errors import Forbidden, NotFound, ValidationFailed
from madoguchi.tickets.actions.macro_admin import (
    do_create_macro,
    do_delete_macro,
    do_update_macro,
    macros_for_settings,
)
from madoguchi.tickets.models import Macro

pytestmark = pytest.mark.django_db


def _fields(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "配送のお詫び",
        "brand_id": None,
        "body": "{{customer.name}} 様\n{{ticket.number}} の件、{{agent.name}} が担当します。",
        "set_status": "pending",
        "set_priority": "",
        "add_tags": ["配送", "お詫び"],
        "shared": True,
    }
    data.update(overrides)
    return data


def test_create_update_delete_are_audited(make_agent, brand):
    lead = make_agent("lead")
    macro = do_create_macro(lead, **_fields())
    assert macro.owner is None and macro.add_tags == ["配送", "お詫び"]
    do_update_macro(lead, macro.pk, **_fields(brand_id=brand.pk, set_status="", shared=False))
    macro.refresh_from_db()
    assert macro.brand == brand and macro.owner == lead and macro.set_status == ""
    changes = AuditEntry.objects.get(action="macro.update").data["changes"]
    assert changes == {
        "brand": ["", brand.name],
        "set_status": ["pending", ""],
        "shared": [True, False],
    }
    do_delete_macro(lead, macro.pk)
    assert not Macro.objects.exists()
    assert AuditEntry.objects.filter(action="macro.delete").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": " "}, "name"),
        ({"set_status": "exploded"}, "set_status"),
        ({"set_priority": "whenever"}, "set_priority"),
        ({"body": "{{customer.shoe_size}}"}, "body"),
        ({"brand_id": 999999}, "brand"),
    ],
)
def test_bad_input_is_refused(admin, overrides, field):
    with pytest.raises(ValidationFailed) as exc:
        do_create_macro(admin, **_fields(**overrides))
    assert exc.value.details == {"field": field}
    assert not Macro.objects.exists() and not AuditEntry.objects.exists()


def test_names_are_unique_per_brand(admin, brand):
    do_create_macro(admin, **_fields(brand_id=brand.pk))
    with pytest.raises(ValidationFailed):
        do_create_macro(admin, **_fields(brand_id=brand.pk))
    do_create_macro(admin, **_fields())  # all brands: another scope
    with pytest.raises(ValidationFailed):
        do_create_macro(admin, **_fields(shared=False))


def test_personal_macros_stay_personal(make_agent):
    lead, other = make_agent("lead"), make_agent("admin")
    mine = do_create_macro(lead, **_fields(shared=False))
    assert list(macros_for_settings(lead)) == [mine]
    assert list(macros_for_settings(other)) == []
    with pytest.raises(NotFound):
        do_update_macro(other, mine.pk, **_fields())
    with pytest.raises(NotFound):
        do_delete_macro(other, mine.pk)


@pytest.mark.parametrize("role", ["agent", "outsourced", "viewer"])
def test_only_leads_and_admins(make_agent, role):
    with pytest.raises(Forbidden):
        do_create_macro(make_agent(role), **_fields())
    assert not Macro.objects.exists()
