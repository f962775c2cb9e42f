"""search_log: one row per search intent, clicks only on what that search showed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from madoguchi.knowledge.models import SearchLog, SearchSource
from madoguchi.knowledge.search_log import (
    SESSION_WINDOW,
    clean_session,
    normalize_query,
    record_click,
    record_search,
)
from madoguchi.knowledge.search_tracking import track_click, track_search
from tests.knowledge.helpcenter_data import make_help_center

SESSION = "abcDEF12-_xy"


@pytest.fixture
def kb(brand):  # type: ignore[no-untyped-def]
    return make_help_center(brand)


def log(kb, query: str, shown: list[int], session: str = SESSION, **kw):  # type: ignore[no-untyped-def]
    return record_search(
        brand_id=kb.brand.pk,
        source=kw.pop("source", SearchSource.HELP_CENTER),
        query=query,
        shown=shown,
        session=session,
        **kw,
    )


def test_normalize_and_session_cleaning():
    assert normalize_query("  ﾆﾓﾂ　イマドコ  ") == "ニモツ イマドコ"
    assert normalize_query("Where  IS my\tOrder") == "where is my order"
    assert clean_session("short") == "" and clean_session("x" * 41) == ""
    assert clean_session("has space1") == "" and clean_session(SESSION) == SESSION


@pytest.mark.django_db
def test_keystrokes_of_one_session_merge_into_one_row_the_last_text_wins(kb):
    first = log(kb, "荷物", [kb.tracking.pk])
    second = log(kb, "荷物いまどこ", [kb.tracking.pk, kb.days.pk])
    assert first is not None and second is not None and first.pk == second.pk
    row = SearchLog.objects.get()
    assert row.query == "荷物いまどこ" and row.result_count == 2
    assert row.shown == [kb.tracking.pk, kb.days.pk]
    # another box (session), another source or another brand is another search
    assert log(kb, "荷物いまどこ", [], session="otherSESSION1").pk != row.pk
    assert log(kb, "荷物いまどこ", [], source=SearchSource.WIDGET).pk != row.pk
    assert record_search(brand_id=None, source="api", query="x", shown=[], session=SESSION)
    assert SearchLog.objects.count() == 4


@pytest.mark.django_db
def test_session_window_and_a_clicked_row_start_a_new_search(kb):
    row = log(kb, "送料", [kb.days.pk])
    SearchLog.objects.filter(pk=row.pk).update(
        updated_at=timezone.now() - SESSION_WINDOW - timedelta(seconds=1)
    )
    later = log(kb, "送料 無料", [kb.days.pk])
    assert later.pk != row.pk
    assert record_click(later.pk, kb.days.pk)
    after_click = log(kb, "送料 無料 条件", [kb.days.pk])
    assert after_click.pk != later.pk
    assert SearchLog.objects.count() == 3


@pytest.mark.django_db
def test_without_session_every_search_is_a_row_and_blank_text_is_not_logged(kb):
    assert log(kb, "   ", [], session="") is None
    a = log(kb, "返品", [], session="")
    b = log(kb, "返品", [], session="")
    assert a.pk != b.pk and a.session == ""


@pytest.mark.django_db
def test_clicks_count_only_on_shown_articles_and_only_the_first(kb):
    row = log(kb, "荷物いまどこ", [kb.tracking.pk])
    assert not record_click(row.pk, kb.days.pk)  # never shown: a forged link
    assert not record_click("nonsense", kb.tracking.pk)
    assert not record_click(0, kb.tracking.pk)
    assert record_click(str(row.pk), kb.tracking.pk)
    assert not record_click(row.pk, kb.tracking.pk)  # the first click counts
    row.refresh_from_db()
    assert row.clicked_article_id == kb.tracking.pk and row.clicked_at is not None


@pytest.mark.django_db
def test_tracking_never_raises_when_the_database_refuses(kb, monkeypatch):
    from django.db import DatabaseError

    from madoguchi.knowledge import search_tracking

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise DatabaseError("disk full")

    monkeypatch.setattr(search_tracking, "record_search", broken)
    monkeypatch.setattr(search_tracking, "record_click", lambda *a, **kw: broken())
    assert track_search(brand_id=kb.brand.pk, source="api", query="x", shown=[]) is None
    assert track_click("5", kb.tracking.pk, brand_id=kb.brand.pk) is False
    # the connection is still usable afterwards (the savepoint was rolled back)
    assert SearchLog.objects.count() == 0


@pytest.mark.django_db
def test_a_click_counts_only_for_the_brand_and_boxes_its_caller_names(kb):
    agent_row = log(kb, "返品", [kb.tracking.pk], source=SearchSource.AGENT)
    # a public article link carrying the agent's search id does not mark it answered
    assert track_click(agent_row.pk, kb.tracking.pk, brand_id=kb.brand.pk) is False
    assert record_click(agent_row.pk, kb.tracking.pk, brand_id=kb.brand.pk + 1000) is False
    assert record_click("²", kb.tracking.pk) is False
    assert record_click("9" * 30, kb.tracking.pk) is False
    public_row = log(kb, "配送状況", [kb.tracking.pk], session="")
    assert track_click(public_row.pk, kb.tracking.pk, brand_id=kb.brand.pk) is True
    agent_row.refresh_from_db()
    assert agent_row.clicked_at is None


@pytest.mark.django_db
def test_nul_characters_never_reach_the_database(kb):
    row = log(kb, "配送\x00状況", [kb.tracking.pk])
    row.refresh_from_db()
    assert row.query == "配送状況" and "\x00" not in row.normalized
