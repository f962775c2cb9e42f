"""Console: a customer import whose worker died shows as failed and can be started again."""

from __future__ import annotations

import pytest
from django.utils import timezone

from madoguchi.customers.import_recovery import STALE_AFTER
from madoguchi.customers.import_run import run_import
from madoguchi.customers.imports import do_confirm_import, do_start_import
from madoguchi.customers.models import Customer, CustomerImport, ImportStatus

pytestmark = pytest.mark.django_db

CSV = "氏名,メール\r\n髙橋 一子,t@example.jp\r\n".encode("cp932")


@pytest.fixture
def dead_import(agent):  # type: ignore[no-untyped-def]
    """Claimed by a worker that then died while checking rows."""
    job = do_start_import(agent, "顧客一覧.csv", CSV)
    do_confirm_import(agent, job, job.mapping)
    CustomerImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.VALIDATING, progress_at=timezone.now() - STALE_AFTER
    )
    return job


def test_the_progress_fragment_shows_the_failure_and_stops_polling(login, agent, dead_import):
    client = login(agent)
    fragment = client.get(f"/customers/import/{dead_import.pk}/progress/").content.decode()
    assert 'data-status="failed"' in fragment and "hx-trigger" not in fragment
    assert "15" in fragment and 'name="restart"' in fragment
    dead_import.refresh_from_db()
    assert dead_import.status == ImportStatus.FAILED


def test_a_live_run_keeps_polling(login, agent, dead_import):
    CustomerImport.objects.filter(pk=dead_import.pk).update(progress_at=timezone.now())
    client = login(agent)
    fragment = client.get(f"/customers/import/{dead_import.pk}/progress/").content.decode()
    assert 'data-status="validating"' in fragment and 'hx-trigger="every 1s"' in fragment


def test_start_again_from_the_status_page(login, agent, dead_import):
    client = login(agent)
    page = client.get(f"/customers/import/{dead_import.pk}/").content.decode()
    assert 'data-status="failed"' in page and 'name="restart"' in page
    response = client.post(f"/customers/import/{dead_import.pk}/", {"restart": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/customers/import/{dead_import.pk}/"
    dead_import.refresh_from_db()
    assert dead_import.status == ImportStatus.QUEUED and not dead_import.errors
    fragment = client.get(f"/customers/import/{dead_import.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    # Started once only: a second click is refused with the page's error message.
    twice = client.post(f"/customers/import/{dead_import.pk}/", {"restart": "1"})
    assert twice.status_code == 409 and "data-error-message" in twice.content.decode()
    assert run_import(dead_import.pk) == ImportStatus.DONE
    assert Customer.objects.get().name == "髙橋 一子"
    assert CustomerImport.objects.count() == 1


def test_the_recent_list_shows_it_as_failed(login, agent, dead_import):
    client = login(agent)
    page = client.get("/customers/import/").content.decode()
    assert str(ImportStatus.FAILED.label) in page
    assert "15" in page  # the documented limit on the rules panel


def test_a_lead_sees_the_failure_but_cannot_restart_anothers_import(login, make_agent, dead_import):
    lead = make_agent("admin")
    client = login(lead)
    fragment = client.get(f"/customers/import/{dead_import.pk}/progress/").content.decode()
    assert 'data-status="failed"' in fragment and 'name="restart"' not in fragment
    response = client.post(f"/customers/import/{dead_import.pk}/", {"restart": "1"})
    assert response.status_code == 403 and CustomerImport.objects.count() == 1
