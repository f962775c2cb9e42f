"""Imports whose worker died: shown as failed after STALE_AFTER without progress, nothing
half-written, started again from the same file; a slow run taken for dead writes nothing."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from madoguchi.accounts.models import AuditEntry
from madoguchi.core.errors import Conflict, Forbidden, ValidationFailed
from madoguchi.customers import import_run
from madoguchi.customers.import_recovery import (
    STALE_AFTER,
    STALE_MINUTES,
    _without_waiting,
    do_restart_import,
    expire_if_stale,
    fail_stale_imports,
)
from madoguchi.customers.import_run import run_import
from madoguchi.customers.imports import do_confirm_import, do_start_import
from madoguchi.customers.models import Customer, CustomerImport, Identity, ImportStatus

pytestmark = pytest.mark.django_db

CSV = b"name,email\r\nA,a@example.jp\r\nB,b@example.jp\r\nC,c@example.jp\r\n"


class WorkerKilled(BaseException):
    """Stands for the worker process dying: nothing after it runs, its transaction is gone."""


def _queued(agent) -> CustomerImport:  # type: ignore[no-untyped-def]
    job = do_start_import(agent, "顧客.csv", CSV)
    do_confirm_import(agent, job, job.mapping)
    return job


def _later() -> timezone.datetime:
    return timezone.now() + STALE_AFTER + timedelta(seconds=1)


def test_a_run_killed_while_saving_is_failed_and_nothing_was_written(agent, monkeypatch):
    job = _queued(agent)
    real_write = import_run._write
    written = []

    def dies_on_second_row(plan):  # type: ignore[no-untyped-def]
        if written:
            raise WorkerKilled
        written.append(real_write(plan))
        return written[-1]

    monkeypatch.setattr(import_run, "_write", dies_on_second_row)
    with pytest.raises(WorkerKilled):
        run_import(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.WRITING and job.progress_at is not None
    # The first row was written inside the transaction that died with the worker.
    assert written and not Customer.objects.exists() and not Identity.objects.exists()
    # Not stale yet: a live run looks exactly like this.
    assert fail_stale_imports() == 0
    assert expire_if_stale(job).status == ImportStatus.WRITING
    assert fail_stale_imports(now=_later()) == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.is_finished and job.finished_at
    [error] = job.errors
    assert error["row"] == 0 and str(STALE_MINUTES) in error["reason"]
    assert not Customer.objects.exists()
    assert not AuditEntry.objects.filter(action="customer.import").exists()
    # Starting again: the same file and mapping, queued once, and it runs normally.
    monkeypatch.setattr(import_run, "_write", real_write)
    mapping = job.mapping
    again = do_restart_import(agent, job)
    assert again.pk == job.pk and again.status == ImportStatus.QUEUED
    assert again.errors == [] and again.finished_at is None and again.mapping == mapping
    with pytest.raises(Conflict):
        do_restart_import(agent, job)  # a second click
    assert run_import(job.pk) == ImportStatus.DONE
    job.refresh_from_db()
    assert job.created_count == 3 and Customer.objects.count() == 3
    assert CustomerImport.objects.count() == 1


def test_a_conflict_during_the_write_fails_cleanly_and_can_be_started_again(agent, monkeypatch):
    job = _queued(agent)
    real_write = import_run._write
    calls = []

    def conflicting(plan):  # type: ignore[no-untyped-def]
        calls.append(plan.row)
        if len(calls) == 2:
            raise IntegrityError("duplicate key value violates unique constraint")
        return real_write(plan)

    monkeypatch.setattr(import_run, "_write", conflicting)
    assert run_import(job.pk) == ImportStatus.FAILED
    job.refresh_from_db()
    [error] = job.errors  # "another change … run it again", in the uploader's language
    assert job.status == ImportStatus.FAILED and error["row"] == 0 and error["reason"]
    assert not Customer.objects.exists()
    monkeypatch.setattr(import_run, "_write", real_write)
    do_restart_import(agent, job)
    assert run_import(job.pk) == ImportStatus.DONE
    assert Customer.objects.count() == 3


def test_a_run_killed_while_checking_is_failed(agent):
    job = _queued(agent)
    CustomerImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.VALIDATING, progress_at=timezone.now() - STALE_AFTER
    )
    job.refresh_from_db()
    assert expire_if_stale(job).status == ImportStatus.FAILED
    # A dead run's task cannot come back: only a queued import is claimed.
    assert run_import(job.pk) == "skipped"
    assert not Customer.objects.exists()


def test_only_running_imports_without_recent_progress_are_failed(agent):
    old = timezone.now() - STALE_AFTER - timedelta(minutes=1)
    states = {
        "mapping": do_start_import(agent, "a.csv", CSV),
        "queued": _queued(agent),
        "fresh": _queued(agent),
        "old_without_progress_at": _queued(agent),
        "done": _queued(agent),
    }
    run_import(states["done"].pk)
    CustomerImport.objects.filter(pk__in=[states["mapping"].pk, states["queued"].pk]).update(
        created_at=old
    )
    CustomerImport.objects.filter(pk=states["done"].pk).update(progress_at=old)
    CustomerImport.objects.filter(pk=states["fresh"].pk).update(
        status=ImportStatus.VALIDATING, progress_at=timezone.now() - timedelta(minutes=1)
    )
    # Imports that were running before progress_at existed count from their upload.
    CustomerImport.objects.filter(pk=states["old_without_progress_at"].pk).update(
        status=ImportStatus.WRITING, progress_at=None, created_at=old
    )
    assert fail_stale_imports() == 1
    status = dict(CustomerImport.objects.values_list("pk", "status"))
    assert status == {
        states["mapping"].pk: ImportStatus.MAPPING,
        states["queued"].pk: ImportStatus.QUEUED,  # waits for a worker: not dead
        states["fresh"].pk: ImportStatus.VALIDATING,
        states["old_without_progress_at"].pk: ImportStatus.FAILED,
        states["done"].pk: ImportStatus.DONE,
    }


def test_a_slow_run_taken_for_dead_writes_nothing(agent, monkeypatch):
    """Marked stale between "saving" and the write transaction: the run's re-claim inside the
    transaction fails, nothing is written."""
    job = _queued(agent)
    real_progress = import_run._progress

    def marked_stale_meanwhile(job_, owned=ImportStatus.VALIDATING, **values):  # type: ignore[no-untyped-def]
        real_progress(job_, owned, **values)
        if values.get("status") == ImportStatus.WRITING:  # between this and the write
            assert fail_stale_imports(now=_later()) == 1

    monkeypatch.setattr(import_run, "_progress", marked_stale_meanwhile)
    assert run_import(job.pk) == "abandoned"
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and str(STALE_MINUTES) in job.errors[0]["reason"]
    assert not Customer.objects.exists()
    assert not AuditEntry.objects.filter(action="customer.import").exists()


def test_a_slow_run_that_is_rejected_keeps_the_stale_failure(agent, monkeypatch):
    job = do_start_import(agent, "x.csv", b"name,email\r\nA,not-an-address\r\n")
    do_confirm_import(agent, job, job.mapping)
    real_check = import_run.check_against_desk

    def slow_check(plans, errors):  # type: ignore[no-untyped-def]
        fail_stale_imports(now=_later())
        return real_check(plans, errors)

    monkeypatch.setattr(import_run, "check_against_desk", slow_check)
    assert run_import(job.pk) == "abandoned"
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and len(job.errors) == 1


def test_restart_refusals(agent, make_agent):
    job = _queued(agent)
    with pytest.raises(Conflict) as info:
        do_restart_import(agent, job)
    assert info.value.code == "import_not_failed"
    CustomerImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.VALIDATING, progress_at=timezone.now() - STALE_AFTER
    )
    job.refresh_from_db()
    job = expire_if_stale(job)
    assert job.status == ImportStatus.FAILED
    with pytest.raises(Forbidden):
        do_restart_import(make_agent("admin"), job)  # only the uploader starts it
    with pytest.raises(Forbidden):
        do_restart_import(make_agent("outsourced"), job)
    job.file.storage.delete(job.file.name)
    with pytest.raises(ValidationFailed) as missing:
        do_restart_import(agent, job)
    assert missing.value.code == "import_file_missing"
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED


def test_a_slow_first_attempt_stops_once_the_import_was_started_again(agent, monkeypatch):
    """Taken for dead and restarted while it was still checking: the old run gives way."""
    job = _queued(agent)
    real_check = import_run.check_against_desk

    def restarted_meanwhile(plans, errors):  # type: ignore[no-untyped-def]
        assert fail_stale_imports(now=_later()) == 1
        do_restart_import(agent, CustomerImport.objects.get(pk=job.pk))
        # The new attempt is claimed by another worker and is checking rows too.
        CustomerImport.objects.filter(pk=job.pk).update(
            status=ImportStatus.VALIDATING, progress_at=timezone.now()
        )
        return real_check(plans, errors)

    monkeypatch.setattr(import_run, "check_against_desk", restarted_meanwhile)
    assert run_import(job.pk) == "abandoned"
    assert not Customer.objects.exists()
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATING  # left to the new attempt


@pytest.mark.django_db(transaction=True)
def test_a_run_that_is_writing_is_never_failed_and_nobody_waits(agent):
    """PostgreSQL: the write holds the import row, so the check skips it without waiting.

    (SQLite's test database is in memory with a shared cache, whose table locks block even
    readers; the file database in WAL mode does not. SQLite's side is the next test.)
    """
    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections: PostgreSQL")
    job = _queued(agent)
    CustomerImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.WRITING, progress_at=timezone.now() - STALE_AFTER
    )
    locked, release = threading.Event(), threading.Event()

    def writer() -> None:
        try:
            with transaction.atomic():
                CustomerImport.objects.filter(pk=job.pk).update(processed_rows=3)
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        assert fail_stale_imports() == 0
        assert time.monotonic() - started < 3
        assert CustomerImport.objects.get(pk=job.pk).status == ImportStatus.WRITING
    finally:
        release.set()
        thread.join()
    assert fail_stale_imports() == 1


def test_the_check_does_not_wait_for_the_sqlite_write_lock():
    """SQLite: a writing run holds the database; the check gives up at once, then the
    connection waits for locks again as configured."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's busy timeout")

    def busy_timeout() -> int:
        with connection.cursor() as cur:
            cur.execute("PRAGMA busy_timeout")
            return int(cur.fetchone()[0])

    configured = busy_timeout()
    assert configured > 0
    with _without_waiting():
        assert busy_timeout() == 0
    assert busy_timeout() == configured


@pytest.mark.django_db(transaction=True)
def test_the_worker_sweeper_fails_a_dead_import_without_anyone_looking(agent):  # type: ignore[no-untyped-def]
    """The sweeper runs in the worker's own thread (own connection), as in production."""
    from madoguchi.runtime.sweeper import OutboxSweeper

    job = _queued(agent)
    CustomerImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.VALIDATING, progress_at=timezone.now() - STALE_AFTER
    )
    sweeper = OutboxSweeper(interval=60)

    def one_round() -> None:
        try:
            sweeper.run_once()
        finally:
            connections.close_all()

    worker = threading.Thread(target=one_round)
    worker.start()
    worker.join(30)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and not Customer.objects.exists()
