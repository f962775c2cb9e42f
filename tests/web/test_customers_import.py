"""Console: customer CSV upload, column mapping, progress fragment, report and export.

The test settings use django-tasks' DummyBackend (nothing runs by itself), so the tests play
the worker: they call the task function the worker would run, then read the pages.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from madoguchi.accounts.models import AuditEntry
from madoguchi.customers.import_run import run_import
from madoguchi.customers.models import Customer, CustomerImport, ImportStatus

pytestmark = pytest.mark.django_db


def _upload(client, data: bytes, name: str = "顧客一覧.csv"):  # type: ignore[no-untyped-def]
    return client.post(
        "/customers/import/", {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    )


def test_upload_map_run_and_progress(login, agent) -> None:  # type: ignore[no-untyped-def]
    client = login(agent)
    data = (
        "お名前,カナ,メール,電話,会員ランク\r\n髙橋 ①子,タカハシ,t@example.jp,03-1234-5678,金\r\n"
    )
    response = _upload(client, data.encode("cp932"))
    job = CustomerImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/customers/import/{job.pk}/"
    page = client.get(f"/customers/import/{job.pk}/").content.decode()
    assert "髙橋 ①子" in page  # the sample values, decoded from CP932
    assert 'value="name" selected' in page and 'value="email" selected' in page
    response = client.post(
        f"/customers/import/{job.pk}/",
        {
            "col-0": "name",
            "col-1": "name_kana",
            "col-2": "email",
            "col-3": "phone",
            "col-4": "custom",
        },
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
    fragment = client.get(f"/customers/import/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    run_import(job.pk)
    fragment = client.get(f"/customers/import/{job.pk}/progress/").content.decode()
    assert 'data-status="done"' in fragment and "hx-trigger" not in fragment
    customer = Customer.objects.get(name="髙橋 ①子")
    assert customer.custom_fields == {"会員ランク": "金"}
    audit = AuditEntry.objects.get(action="customer.import")
    assert audit.actor == agent and audit.data["created"] == 1


def test_rejected_import_shows_rows_and_downloads_report(login, agent) -> None:  # type: ignore[no-untyped-def]
    client = login(agent, "en")
    data = b"name,email\r\nGood,good@example.jp\r\nBad,bad@@example\r\n"
    _upload(client, data)
    job = CustomerImport.objects.get()
    client.post(f"/customers/import/{job.pk}/", {"col-0": "name", "col-1": "email"})
    run_import(job.pk)
    page = client.get(f"/customers/import/{job.pk}/").content.decode()
    assert "Nothing was imported" in page and "bad@@example" in page
    assert not Customer.objects.exists()
    report = client.get(f"/customers/import/{job.pk}/report.csv")
    text = b"".join(report.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][:2] == ["3", "email"]


def test_bad_uploads_get_a_clear_error(login, agent) -> None:  # type: ignore[no-untyped-def]
    client = login(agent, "en")
    response = _upload(client, b"\x00\x01binary")
    assert response.status_code == 422
    assert "neither UTF-8 nor Shift_JIS" in response.content.decode()
    response = client.post("/customers/import/", {})
    assert response.status_code == 422
    assert not CustomerImport.objects.exists()


def test_bad_mapping_is_refused(login, agent) -> None:  # type: ignore[no-untyped-def]
    client = login(agent, "en")
    _upload(client, b"a,b\r\n1,2\r\n")
    job = CustomerImport.objects.get()
    response = client.post(f"/customers/import/{job.pk}/", {"col-0": "tags", "col-1": ""})
    assert response.status_code == 422
    assert "Map at least one" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.MAPPING


def test_imports_of_others_are_not_found(login, agent, make_agent) -> None:  # type: ignore[no-untyped-def]
    _upload(login(agent), b"name\r\nA\r\n")
    job = CustomerImport.objects.get()
    other = login(make_agent("agent"))
    assert other.get(f"/customers/import/{job.pk}/").status_code == 404
    assert other.post(f"/customers/import/{job.pk}/", {"col-0": "name"}).status_code == 404


def test_outsourced_agent_cannot_import_or_export(login, make_agent) -> None:  # type: ignore[no-untyped-def]
    client = login(make_agent("outsourced"))
    assert client.get("/customers/import/").status_code == 403
    assert client.get("/customers/export.csv").status_code == 403


def test_export_streams_utf8_with_bom(login, agent, make_ticket) -> None:  # type: ignore[no-untyped-def]
    make_ticket(email="hanako@example.jp", phone="090-1111-2222", name="鈴木 花子")
    response = login(agent).get("/customers/export.csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[1][1] == "鈴木 花子"
    assert "hanako@example.jp" in rows[1] and "090-1111-2222" in rows[1]
    assert AuditEntry.objects.filter(action="customer.export", actor=agent).exists()


def test_too_large_upload_is_refused_before_reading(login, agent, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from madoguchi.web.forms import customers as forms

    monkeypatch.setattr(forms, "MAX_IMPORT_BYTES", 1024 * 1024)
    response = _upload(login(agent, "en"), b"name\r\n" + b"a" * (1024 * 1024) + b"\r\n")
    assert response.status_code == 422
    assert "larger than 1 MB" in response.content.decode()
    assert not CustomerImport.objects.exists()
