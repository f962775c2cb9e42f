"""Customer CSV import: Excel's encodings, column mapping, all-or-nothing runs, export."""

from __future__ import annotations

import csv
import io

import pytest

from madoguchi.core.errors import Conflict, Forbidden, ValidationFailed
from madoguchi.customers import imports
from madoguchi.customers.actions import Handle, do_create_customer
from madoguchi.customers.import_run import run_import
from madoguchi.customers.imports import (
    decode_csv,
    do_confirm_import,
    do_start_import,
    export_lines,
    suggest_mapping,
)
from madoguchi.customers.models import Customer, CustomerImport, Identity, ImportStatus
from madoguchi.search.index import match
from madoguchi.search.models import DocumentKind

pytestmark = pytest.mark.django_db(transaction=False)

HEADER = "氏名,フリガナ,メールアドレス,電話番号,言語,タグ,備考\r\n"


def _csv(rows: list[str], header: str = HEADER) -> str:
    return header + "".join(r + "\r\n" for r in rows)


def _import(agent, data: bytes, mapping=None):  # type: ignore[no-untyped-def]
    job = do_start_import(agent, "顧客.csv", data)
    do_confirm_import(agent, job, mapping if mapping is not None else job.mapping)
    run_import(job.pk)
    job.refresh_from_db()
    return job


def test_decode_detects_utf8_bom_and_cp932() -> None:
    text = "氏名\r\n髙橋 ①\r\n"
    assert decode_csv(text.encode("utf-8")) == (text, "utf-8")
    assert decode_csv(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")
    # 髙 and ① exist only in CP932 (Microsoft's Shift_JIS), not in plain shift_jis.
    with pytest.raises(UnicodeEncodeError):
        text.encode("shift_jis")
    assert decode_csv(text.encode("cp932")) == (text, "cp932")


def test_mapping_is_suggested_from_japanese_and_english_headers() -> None:
    headers = ["お名前", "氏名（カナ）", "E-mail", "TEL", "Language", "タグ", "メモ", "会員ランク"]
    assert suggest_mapping(headers) == {
        "0": "name",
        "1": "name_kana",
        "2": "email",
        "3": "phone",
        "4": "language",
        "5": "tags",
        "6": "notes",
    }
    assert suggest_mapping(["Name", "Furigana", "Email", "Phone"]) == {
        "0": "name",
        "1": "name_kana",
        "2": "email",
        "3": "phone",
    }


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig", "utf-8"])
def test_import_creates_customers_in_every_encoding(agent, encoding) -> None:  # type: ignore[no-untyped-def]
    data = _csv(
        [
            "髙橋 ①子,タカハシ イチコ,ichiko@example.jp,090-1234-5678,ja,"
            "VIP、リピーター,電話は午後",
            "Jane Doe,,JANE@example.com,+1 650 253 0000,English,,",
        ]
    ).encode(encoding)
    job = _import(agent, data)
    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created_count, job.updated_count, job.total_rows) == (2, 0, 2)
    assert job.percent == 100 and job.finished_at is not None
    takahashi = Customer.objects.get(name="髙橋 ①子")
    assert takahashi.name_kana == "タカハシ イチコ"
    assert takahashi.tags == ["VIP", "リピーター"]
    assert takahashi.notes == "電話は午後"
    handles = set(takahashi.identities.values_list("kind", "handle"))
    assert handles == {("email", "ichiko@example.jp"), ("phone", "+819012345678")}
    jane = Customer.objects.get(name="Jane Doe")
    assert jane.language == "en"
    assert jane.identities.get(kind="email").handle == "jane@example.com"
    # Searchable at once, by any way of writing the number.
    assert match(DocumentKind.CUSTOMER, "０９０１２３４５６７８") == [takahashi.pk]
    assert match(DocumentKind.CUSTOMER, "タカハシ") == [takahashi.pk]


def test_one_bad_row_rejects_the_whole_file(agent) -> None:  # type: ignore[no-untyped-def]
    do_create_customer(agent, {"name": "既存"}, [Handle("email", "owner@example.jp")])
    other = do_create_customer(agent, {"name": "別人"}, [Handle("phone", "03-1111-2222")])
    data = _csv(
        [
            "山田 太郎,ヤマダ タロウ,taro@example.jp,090-0000-1111,ja,,",
            "悪い メール,,not-an-email,,ja,,",
            ",,,,ja,,メモだけ",
            "重複,,TARO@example.jp,,,,",
            "混在,,owner@example.jp,03-1111-2222,,,",
            "言語,,lang@example.jp,,klingon,,",
            "電話,,,12,,,",
        ]
    ).encode("cp932")
    before = Customer.objects.count(), Identity.objects.count()
    job = _import(agent, data)
    assert job.status == ImportStatus.REJECTED
    assert (Customer.objects.count(), Identity.objects.count()) == before
    assert not Customer.objects.filter(name="山田 太郎").exists()
    found = {(e["row"], e["column"]) for e in job.errors}
    assert found == {
        (3, "メールアドレス"),
        (4, "氏名"),
        (5, "メールアドレス"),
        (6, "電話番号"),
        (7, "言語"),
        (8, "電話番号"),
    }
    reasons = {e["row"]: e["reason"] for e in job.errors}
    assert "not-an-email" in reasons[3]
    assert "2" in reasons[5]  # the duplicate names the first row
    assert str(other.pk) in reasons[6]
    report = "".join(imports.report_lines(job))
    assert report.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(report.lstrip("\ufeff"))))
    assert len(rows) == 1 + 6 and rows[1][:2] == ["3", "メールアドレス"]


def test_existing_identity_updates_that_customer(agent) -> None:  # type: ignore[no-untyped-def]
    existing = do_create_customer(
        agent, {"name": "旧姓", "tags": ["既存"]}, [Handle("email", "hanako@example.jp")]
    )
    data = _csv(["新姓 花子,シンセイ ハナコ,Hanako@Example.jp,03-5555-0000,,新規,"]).encode()
    job = _import(agent, data)
    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created_count, job.updated_count) == (0, 1)
    existing.refresh_from_db()
    assert existing.name == "新姓 花子"
    assert existing.tags == ["新規", "既存"]
    assert existing.identities.filter(kind="phone", handle="+81355550000").exists()
    assert Customer.objects.count() == 1


def test_custom_field_columns_and_id_column(agent) -> None:  # type: ignore[no-untyped-def]
    existing = do_create_customer(agent, {"name": "会員"}, [])
    data = f"ID,氏名,会員ランク\r\n{existing.pk},会員 更新,ゴールド\r\n,新しい人,シルバー\r\n"
    job = do_start_import(agent, "x.csv", data.encode("utf-8-sig"))
    assert job.mapping == {"0": "id", "1": "name"}
    do_confirm_import(agent, job, {"0": "id", "1": "name", "2": "custom"})
    run_import(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.errors
    existing.refresh_from_db()
    assert existing.name == "会員 更新" and existing.custom_fields == {"会員ランク": "ゴールド"}
    assert Customer.objects.get(name="新しい人").custom_fields == {"会員ランク": "シルバー"}


def test_unknown_id_is_an_error(agent) -> None:  # type: ignore[no-untyped-def]
    job = _import(agent, b"ID,name\r\n999999,Nobody\r\n")
    assert job.status == ImportStatus.REJECTED
    assert job.errors[0]["row"] == 2 and job.errors[0]["column"] == "ID"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "import_empty"),
        (b"name,email\r\n", "import_empty"),
        (b"\xff\xfe\x00n\x00a", "import_encoding"),
    ],
)
def test_unusable_files_are_refused(agent, data, code) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as caught:
        do_start_import(agent, "x.csv", data)
    assert caught.value.code == code
    assert not CustomerImport.objects.exists()


def test_size_and_row_limits(agent, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(imports, "MAX_IMPORT_ROWS", 2)
    with pytest.raises(ValidationFailed) as caught:
        do_start_import(agent, "x.csv", b"name\r\na\r\nb\r\nc\r\n")
    assert caught.value.code == "import_too_many_rows"
    monkeypatch.setattr(imports, "MAX_IMPORT_BYTES", 10)
    with pytest.raises(ValidationFailed) as caught:
        do_start_import(agent, "x.csv", b"name\r\nabcdefghijk\r\n")
    assert caught.value.code == "import_too_large"


def test_mapping_must_identify_customers_and_not_repeat(agent) -> None:  # type: ignore[no-untyped-def]
    job = do_start_import(agent, "x.csv", b"a,b\r\n1,2\r\n")
    with pytest.raises(ValidationFailed):
        do_confirm_import(agent, job, {"0": "tags"})
    with pytest.raises(ValidationFailed):
        do_confirm_import(agent, job, {"0": "name", "1": "name"})
    do_confirm_import(agent, job, {"0": "name"})
    with pytest.raises(Conflict):
        do_confirm_import(agent, job, {"0": "name"})


def test_custom_field_headers_get_the_profile_limits(agent) -> None:  # type: ignore[no-untyped-def]
    """A mapped header becomes a custom field name: the same limits as do_update_customer."""
    long_header = "x" * 65
    job = do_start_import(
        agent, "x.csv", f"name,{long_header}, 会員ランク \r\nA,1,ゴールド\r\n".encode()
    )
    with pytest.raises(ValidationFailed) as caught:
        do_confirm_import(agent, job, {"0": "name", "1": "custom"})
    assert caught.value.code == "bad_mapping" and "64" in str(caught.value.message)
    do_confirm_import(agent, job, {"0": "name", "2": "custom"})
    run_import(job.pk)
    # The header's spaces are trimmed, as a name typed on the profile would be.
    assert Customer.objects.get(name="A").custom_fields == {"会員ランク": "ゴールド"}


def test_run_twice_writes_once(agent) -> None:  # type: ignore[no-untyped-def]
    job = _import(agent, b"name,email\r\nA,a@example.jp\r\n")
    assert run_import(job.pk) == "skipped"
    assert Customer.objects.count() == 1


def test_outsourced_and_viewer_cannot_import(make_agent) -> None:  # type: ignore[no-untyped-def]
    for role in ("outsourced", "viewer"):
        with pytest.raises(Forbidden):
            do_start_import(make_agent(role), "x.csv", b"name\r\na\r\n")


def test_export_round_trips_through_import(agent) -> None:  # type: ignore[no-untyped-def]
    customer = do_create_customer(
        agent,
        {"name": "=HYPERLINK()", "name_kana": "テスト", "tags": ["VIP"]},
        [Handle("email", "round@example.jp"), Handle("phone", "09011112222")],
    )
    text = "".join(export_lines(Customer.objects.all()))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][0] == str(customer.pk)
    assert rows[1][1] == "'=HYPERLINK()"  # no formula for Excel
    assert "090-1111-2222" in rows[1]
    job = _import(agent, text.encode("utf-8"))
    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created_count, job.updated_count) == (0, 1)
    customer.refresh_from_db()
    assert customer.name == "=HYPERLINK()" and customer.identities.count() == 2
