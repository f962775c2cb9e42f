"""Every console and public page renders for an agent, in Japanese and in English."""

from __future__ import annotations

import pytest
from django.urls import reverse

from madoguchi.tickets.models import Macro

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["ja", "en"])
def language(request):  # type: ignore[no-untyped-def]
    return request.param


def _ok(response, language: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content[:2000]
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    return html


def test_console_pages_render(login, agent, make_ticket, language, settings):
    settings.DEBUG = True
    ticket = make_ticket()
    Macro.objects.create(
        name="配送遅延のお詫び", body="{{customer.name}} 様\nご迷惑をおかけしております。"
    )
    client = login(agent, language)
    pages = [
        reverse("web:inbox"),
        reverse("web:inbox") + "?view=mine",
        reverse("web:inbox") + "?view=&q=配送",
        reverse("web:inbox") + f"?view=&status=new&channel=form&priority=normal&assignee=none"
        f"&inbox={ticket.inbox_id}&brand={ticket.brand_id}&tag=x&order=oldest",
        reverse("web:ticket", args=[ticket.pk]),
        reverse("web:customers"),
        reverse("web:customers") + "?q=山田",
        reverse("web:customer", args=[ticket.customer_id]),
        reverse("web:call_new"),
        reverse("web:fax_new"),
        reverse("web:outbox"),
        reverse("web:tokens"),
        reverse("web:dev_mail"),
    ]
    for url in pages:
        html = _ok(client.get(url), language)
        assert "窓口" in html
    picker = client.get(reverse("web:customer_picker") + "?q=山田")
    assert picker.status_code == 200
    assert f'data-pick-customer="{ticket.customer_id}"' in picker.content.decode()
    inbox_html = client.get(reverse("web:inbox")).content.decode()
    assert f"#{ticket.number}" in inbox_html
    assert "山田 太郎" in inbox_html
    ticket_html = client.get(reverse("web:ticket", args=[ticket.pk])).content.decode()
    assert "注文した商品がまだ届きません" in ticket_html
    assert "配送遅延のお詫び" in ticket_html


def test_public_pages_render(client, inboxes, language):
    session = client.session
    session["language"] = language
    session.save()
    _ok(client.get(reverse("web:login")), language)
    html = _ok(client.get(reverse("web:contact", args=[inboxes["form"].slug])), language)
    assert "窓口テスト商店" in html
    _ok(client.get(reverse("web:contact_thanks", args=[inboxes["form"].slug])), language)


def test_not_found_page_is_translated_template(client, db, language):
    session = client.session
    session["language"] = language
    session.save()
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert f'<html lang="{language}">' in response.content.decode()
    assert "data-error-message" in response.content.decode()


@pytest.mark.parametrize(
    ("view", "status"),
    [
        ("bad_request", 400),
        ("permission_denied", 403),
        ("page_not_found", 404),
        ("server_error", 500),
    ],
)
def test_error_templates_are_ours(rf, db, view, status):
    from django.core.exceptions import PermissionDenied, SuspiciousOperation
    from django.http import Http404
    from django.views import defaults

    request = rf.get("/somewhere/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    handler = getattr(defaults, view)
    exception = {400: SuspiciousOperation(), 403: PermissionDenied(), 404: Http404()}.get(status)
    response = handler(request) if exception is None else handler(request, exception)
    assert response.status_code == status
    html = response.content.decode()
    assert "madoguchi.css" in html and "窓口" in html
