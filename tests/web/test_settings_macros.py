"""The macros page: search, create, edit, delete, and the live preview fragment."""

from __future__ import annotations

import pytest

from madoguchi.accounts.models import AuditEntry
from madoguchi.core.errors import NotFound
from madoguchi.tickets.actions.macro_admin import preview_macro, sample_variables
from madoguchi.tickets.actions.macros import macro_variables
from madoguchi.tickets.models import Macro

pytestmark = pytest.mark.django_db

FORM = {
    "name": "配送のお詫び",
    "brand": "",
    "shared": "on",
    "body": "{{customer.name}} 様、{{ticket.number}} の件です。",
    "set_status": "pending",
    "set_priority": "high",
    "add_tags": "配送、お詫び",
}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_pages_render(login, make_agent, language):
    client = login(make_agent("lead"), language)
    Macro.objects.create(name="返品の案内", body="返品はこちら")
    page = client.get("/settings/macros/")
    assert page.status_code == 200 and "返品の案内" in page.text
    assert client.get("/settings/macros/new/").status_code == 200


def test_create_search_edit_delete(login, admin):
    client = login(admin, "en")
    response = client.post("/settings/macros/new/", FORM)
    assert response.status_code == 302
    macro = Macro.objects.get()
    assert (macro.set_status, macro.set_priority, macro.add_tags) == (
        "pending",
        "high",
        ["配送", "お詫び"],
    )
    assert "配送のお詫び" in client.get("/settings/macros/?q=お詫び").text
    assert "配送のお詫び" not in client.get("/settings/macros/?q=返品").text
    edit = client.get(f"/settings/macros/{macro.pk}/")
    assert edit.status_code == 200 and "{{agent.name}}" in edit.text
    response = client.post(f"/settings/macros/{macro.pk}/", {**FORM, "name": "お詫び"})
    assert response.status_code == 302
    assert client.post(f"/settings/macros/{macro.pk}/delete/").status_code == 302
    assert not Macro.objects.exists()
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["macro.create", "macro.update", "macro.delete"]


def test_bad_input_is_422_with_message(login, admin):
    client = login(admin, "en")
    response = client.post("/settings/macros/new/", {**FORM, "body": "{{order.total}}"})
    assert response.status_code == 422
    assert "Unknown variables: {{order.total}}" in response.text
    response = client.post("/settings/macros/new/", {**FORM, "set_status": "gone"})
    assert response.status_code == 422
    assert not Macro.objects.exists()


def test_live_preview_fragment(login, admin, make_ticket):
    ticket = make_ticket("form", name="山田 太郎")
    client = login(admin, "en")
    url = "/settings/macros/preview/"
    body = "{{customer.name}} 様 {{ticket.number}} {{nope.x}}"
    sample = client.post(url, {"body": body}, HTTP_HX_REQUEST="true")
    assert sample.status_code == 200
    assert "Rendered with sample values" in sample.text and "{{nope.x}}" in sample.text
    real = client.post(url, {"body": body, "preview_ticket": f"#{ticket.number}"})
    assert real.status_code == 200
    assert f"山田 太郎 様 #{ticket.number}" in real.text
    missing = client.post(url, {"body": body, "preview_ticket": "#1"})
    assert missing.status_code == 422 and "Ticket #1 not found." in missing.text
    bad = client.post(url, {"body": body, "preview_ticket": "abc"})
    assert bad.status_code == 422
    assert client.get(url).status_code == 405


def test_preview_escapes_html(login, admin):
    response = login(admin, "en").post(
        "/settings/macros/preview/", {"body": "<script>alert(1)</script>"}
    )
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_preview_with_sample_and_with_a_ticket(admin, make_ticket):
    body = "{{customer.name}} 様 / {{ticket.number}} / {{agent.name}} / {{x.y}}"
    sample = preview_macro(admin, body)
    assert sample.endswith(f"/ {admin.display_name} / {{{{x.y}}}}")
    ticket = make_ticket("form", name="山田 太郎")
    rendered = preview_macro(admin, body, ticket.pk)
    assert rendered == f"山田 太郎 様 / #{ticket.number} / {admin.display_name} / {{{{x.y}}}}"


def test_sample_has_the_same_variables_as_a_ticket(admin, make_ticket):
    ticket = make_ticket("form")
    real = macro_variables(ticket, admin)
    sample = sample_variables(admin)
    assert {k: sorted(v) for k, v in real.items()} == {k: sorted(v) for k, v in sample.items()}


def test_preview_respects_ticket_visibility(make_agent, make_ticket, inboxes):
    outsider = make_agent("outsourced")
    ticket = make_ticket("email")
    with pytest.raises(NotFound):
        preview_macro(outsider, "{{customer.name}}", ticket.pk)
