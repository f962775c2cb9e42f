"""GET /tickets: every filter, Japanese full text, keyset pagination, bad parameters."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from madoguchi.accounts.models import Brand, Team
from madoguchi.inboxes.models import Inbox
from madoguchi.tickets.actions import do_update_ticket
from madoguchi.tickets.models import Ticket

from .client import receive


def ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_list_shape(api, ticket):
    response = api.get("/tickets")
    body = response.json()
    assert body["next_cursor"] is None
    (item,) = body["items"]
    assert item["id"] == ticket.pk and item["number"] == ticket.number
    assert item["inbox"]["kind"] == "email" and item["brand"]["name"] == "窓口テスト商店"
    assert item["customer"]["name"] == "山田 太郎" and item["assignee"] is None


def test_filters(api, agent, inboxes, make_agent):
    team = Team.objects.create(name="返品チーム")
    other_brand = Brand.objects.create(name="姉妹店", slug="sister")
    sister_inbox = Inbox.objects.create(
        brand=other_brand, kind="form", name="姉妹店フォーム", slug="s"
    )
    a = receive(inboxes["email"], "配送について", email="a@example.jp")
    b = receive(inboxes["form"], "返品したい", email="b@example.jp")
    c = receive(sister_inbox, "ログインできない", email="c@example.jp")
    colleague = make_agent("agent")
    do_update_ticket(agent, a.pk, {"assignee_id": agent.pk, "priority": "high", "tags": ["配送"]})
    do_update_ticket(agent, b.pk, {"assignee_id": colleague.pk, "team_id": team.pk})
    do_update_ticket(agent, c.pk, {"status": "solved"})

    assert set(ids(api.get("/tickets", {"status": "new,open"}))) == {a.pk, b.pk}
    assert set(ids(api.get("/tickets?status=solved&status=new"))) == {a.pk, b.pk, c.pk}
    assert ids(api.get("/tickets", {"status": "solved"})) == [c.pk]
    assert ids(api.get("/tickets", {"inbox": inboxes["form"].pk})) == [b.pk]
    assert ids(api.get("/tickets", {"brand": other_brand.pk})) == [c.pk]
    assert ids(api.get("/tickets", {"assignee": agent.pk})) == [a.pk]
    assert ids(api.get("/tickets", {"assignee": "me"})) == [a.pk]
    assert ids(api.get("/tickets", {"assignee": "none"})) == [c.pk]
    assert ids(api.get("/tickets", {"team": team.pk})) == [b.pk]
    assert ids(api.get("/tickets", {"tag": "配送"})) == [a.pk]
    assert ids(api.get("/tickets", {"priority": "high"})) == [a.pk]
    assert ids(api.get("/tickets", {"channel": "form"})) == [c.pk, b.pk]
    assert ids(api.get("/tickets", {"customer": b.customer_id})) == [b.pk]
    assert ids(api.get("/tickets", {"view": "mine"})) == [a.pk]
    assert set(ids(api.get("/tickets", {"view": "unsolved"}))) == {a.pk, b.pk}
    assert ids(api.get("/tickets", {"order": "oldest"}))[0] == a.pk


def test_updated_since(api, inboxes):
    old = receive(inboxes["email"], "古い問い合わせ", email="old@example.jp")
    Ticket.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=10))
    new = receive(inboxes["email"], "新しい問い合わせ", email="new@example.jp")
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids(api.get("/tickets", {"updated_since": since})) == [new.pk]
    # a naive time is read in the desk's time zone (Asia/Tokyo)
    naive = timezone.localtime(timezone.now() - timedelta(days=1)).replace(tzinfo=None)
    assert ids(api.get("/tickets", {"updated_since": naive.isoformat()})) == [new.pk]


def test_japanese_full_text(api, inboxes):
    moving = receive(inboxes["email"], "来月引っ越しするので住所を変えたい", email="m@example.jp")
    login = receive(inboxes["form"], "ﾛｸﾞｲﾝできません", email="l@example.jp")
    phone = receive(inboxes["email"], "電話ください", email="p@example.jp", phone="090-1234-5678")
    assert ids(api.get("/tickets", {"q": "引越し"})) == [moving.pk]
    assert ids(api.get("/tickets", {"q": "ログイン"})) == [login.pk]
    assert ids(api.get("/tickets", {"q": "09012345678"})) == [phone.pk]
    assert ids(api.get("/tickets", {"q": "+81 90-1234-5678"})) == [phone.pk]
    assert ids(api.get("/tickets", {"q": f"#{login.number}"})) == [login.pk]
    assert ids(api.get("/tickets", {"q": str(moving.number)})) == [moving.pk]
    assert ids(api.get("/tickets", {"q": "存在しない言葉"})) == []
    # full text combines with filters
    assert ids(api.get("/tickets", {"q": "引越し", "channel": "form"})) == []


def test_pagination_walk_collects_every_row_once(api, inboxes):
    made = {
        receive(inboxes["email"], f"問い合わせ {n}", email=f"c{n}@example.jp").pk for n in range(7)
    }
    # two tickets share one updated_at: the id breaks the tie
    stamp = timezone.now()
    Ticket.objects.filter(pk__in=sorted(made)[:2]).update(updated_at=stamp)
    for order in ("newest", "oldest"):
        seen: list[int] = []
        cursor = ""
        pages = 0
        while True:
            params = {"limit": 3, "order": order} | ({"cursor": cursor} if cursor else {})
            body = api.get("/tickets", params).json()
            seen += [item["id"] for item in body["items"]]
            pages += 1
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert pages == 3
        assert len(seen) == len(set(seen)) == 7 and set(seen) == made


def test_bad_parameters(api, ticket):
    cases = [
        ({"stauts": "open"}, "unknown_fields"),
        ({"status": "bogus"}, "invalid_status"),
        ({"view": "everything"}, "invalid_view"),
        ({"limit": 0}, "validation_error"),
        ({"limit": 101}, "validation_error"),
        ({"limit": "ten"}, "validation_error"),
        ({"cursor": "not-a-cursor"}, "invalid_cursor"),
        ({"assignee": "bob"}, "invalid_assignee"),
        ({"updated_since": "yesterday"}, "validation_error"),
        ({"inbox": "email"}, "validation_error"),
        ({"priority": "asap"}, "validation_error"),
        ({"order": "random"}, "validation_error"),
        ({"q": "x" * 201}, "validation_error"),
    ]
    for params, code in cases:
        response = api.get("/tickets", params)
        assert (response.status_code, response.json()["code"]) == (422, code), params
    details = api.get("/tickets", {"limit": 0}).json()["details"]
    assert details[0]["location"] == "query" and details[0]["field"] == "limit"
