"""The public contact form: one ticket per submission, spam and floods kept out."""

from __future__ import annotations

import re

import pytest
from django.core import signing
from django.urls import reverse

from madoguchi.customers.models import Customer, Identity
from madoguchi.inboxes.models import FormSubmission
from madoguchi.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def _token(client, inbox) -> str:  # type: ignore[no-untyped-def]
    html = client.get(reverse("web:contact", args=[inbox.slug])).content.decode()
    return re.search(r'name="token" value="([0-9a-f-]{36})"', html).group(1)


def _form(token: str, **fields: str) -> dict[str, str]:
    data = {
        "name": "山田 太郎",
        "name_kana": "ヤマダ タロウ",
        "email": "Taro.Yamada@Example.JP",
        "phone": "090-1234-5678",
        "order_number": "SK-10234",
        "category": "order",
        "subject": "注文した商品が届きません",
        "body": "5月1日に注文したマグカップがまだ届いていません。",
        "website": "",
        "token": token,
    }
    data.update(fields)
    return data


def _nothing_stored() -> bool:
    return not (
        Ticket.objects.exists()
        or Customer.objects.exists()
        or Message.objects.exists()
        or FormSubmission.objects.exists()
    )


def test_form_shows_brand_and_a_fresh_token(client, inboxes):
    response = client.get(reverse("web:contact", args=[inboxes["form"].slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "窓口テスト商店" in html and 'name="website"' in html
    assert '<html lang="ja">' in html  # the shop's language, whatever the browser says
    assert _token(client, inboxes["form"]) != _token(client, inboxes["form"])


def test_valid_submission_creates_one_ticket_and_customer(client, inboxes):
    inbox = inboxes["form"]
    response = client.post(reverse("web:contact", args=[inbox.slug]), _form(_token(client, inbox)))
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    customer = Customer.objects.get()
    assert ticket.customer_id == customer.pk and ticket.channel == "form"
    assert customer.name == "山田 太郎" and customer.name_kana == "ヤマダ タロウ"
    handles = set(Identity.objects.values_list("kind", "handle"))
    assert handles == {("email", "taro.yamada@example.jp"), ("phone", "+819012345678")}
    assert "SK-10234" in ticket.messages.get().body_text
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert f"#{ticket.number}" in thanks.content.decode()


def test_double_submit_with_the_same_token_is_one_ticket(client, inboxes):
    inbox = inboxes["form"]
    data = _form(_token(client, inbox))
    first = client.post(reverse("web:contact", args=[inbox.slug]), data)
    second = client.post(reverse("web:contact", args=[inbox.slug]), data)
    assert first.status_code == second.status_code == 302
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1
    assert FormSubmission.objects.count() == 1
    number = Ticket.objects.get().number
    assert f"#{number}" in client.get(second["Location"]).content.decode()


def test_honeypot_pretends_success_and_stores_nothing(client, inboxes):
    inbox = inboxes["form"]
    data = _form(_token(client, inbox), website="http://spam.example")
    response = client.post(reverse("web:contact", args=[inbox.slug]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:contact_thanks", args=[inbox.slug])
    assert _nothing_stored()
    thanks = client.get(response["Location"]).content.decode()
    assert "data-ticket-number" not in thanks


def test_rate_limit_answers_429_and_stores_nothing(client, inboxes, settings):
    settings.FORM_RATE_LIMIT_PER_HOUR = 2
    inbox = inboxes["form"]
    for n in range(2):
        data = _form(_token(client, inbox), email=f"user{n}@example.jp", phone="")
        assert client.post(reverse("web:contact", args=[inbox.slug]), data).status_code == 302
    before = (Ticket.objects.count(), Customer.objects.count(), Message.objects.count())
    data = _form(_token(client, inbox), email="third@example.jp", phone="")
    response = client.post(reverse("web:contact", args=[inbox.slug]), data)
    assert response.status_code == 429
    assert "data-error-message" in response.content.decode()
    assert (Ticket.objects.count(), Customer.objects.count(), Message.objects.count()) == before
    assert FormSubmission.objects.count() == 2


@pytest.mark.parametrize(
    "fields",
    [
        {"email": "not-an-email"},
        {"email": ""},
        {"phone": "12"},
        {"body": ""},
        {"category": "unknown"},
        {"token": "forged"},
    ],
)
def test_invalid_input_shows_errors_and_stores_nothing(client, inboxes, fields):
    inbox = inboxes["form"]
    data = {**_form(_token(client, inbox)), **fields}
    response = client.post(reverse("web:contact", args=[inbox.slug]), data)
    assert response.status_code == 422
    assert "alert-error" in response.content.decode()
    assert _nothing_stored()


def test_attachment_type_is_checked(client, inboxes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    inbox = inboxes["form"]
    data = _form(_token(client, inbox))
    data["attachment"] = SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")
    response = client.post(reverse("web:contact", args=[inbox.slug]), data)
    assert response.status_code == 422
    assert _nothing_stored()


def test_only_active_form_inboxes_have_a_page(client, inboxes):
    assert client.get(reverse("web:contact", args=[inboxes["email"].slug])).status_code == 404
    assert client.get(reverse("web:contact", args=["no-such-inbox"])).status_code == 404
    inboxes["form"].is_active = False
    inboxes["form"].save()
    assert client.get(reverse("web:contact", args=[inboxes["form"].slug])).status_code == 404


def test_thanks_page_does_not_trust_forged_receipts(client, inboxes):
    inbox = inboxes["form"]
    url = reverse("web:contact_thanks", args=[inbox.slug])
    forged = client.get(url + "?r=eyJuIjoxMjN9:bad:signature").content.decode()
    assert "data-ticket-number" not in forged
    other_inbox = signing.dumps(
        {"n": 55555, "i": inbox.pk + 1}, salt="madoguchi.web.contact.receipt"
    )
    assert "#55555" not in client.get(url + f"?r={other_inbox}").content.decode()


def test_english_visitor_can_switch_language(client, inboxes):
    inbox = inboxes["form"]
    client.post(reverse("web:language"), {"language": "en", "next": "/contact/test-form/"})
    html = client.get(reverse("web:contact", args=[inbox.slug])).content.decode()
    assert '<html lang="en">' in html
