"""Customer imports whose worker died: shown as failed, and started again from the same file.

A run records a sign of life (`CustomerImport.progress_at`) when it is claimed, every few
hundred rows while checking, and when it starts writing. Its write — every customer, the audit
entry and the "done" status — is one transaction that first re-claims the import row, so
nothing of a dead run is ever half-written, and a run that was only slow finds its import
failed when it gets to the write and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import OperationalError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.core.errors import Conflict, Forbidden

from .imports import ImportRefused, require_import
from .models import CustomerImport, ImportStatus

# A running import that shows no progress for this long is taken for dead (its worker was
# stopped or crashed) and shown as failed. While checking, a run records progress every 200
# rows (a second or so). While writing (minutes for 20,000 rows on a small machine) it holds
# its import row (PostgreSQL) or the database write lock (SQLite), and the check skips it
# without waiting, so a live run is never taken for dead however long its write takes.
STALE_MINUTES = 15
STALE_AFTER = timedelta(minutes=STALE_MINUTES)
RUNNING = (ImportStatus.VALIDATING, ImportStatus.WRITING)


def expire_if_stale(job: CustomerImport) -> CustomerImport:
    """The import as it really is: a running import without progress becomes failed."""
    if job.status in RUNNING and fail_stale_imports(CustomerImport.objects.filter(pk=job.pk)):
        job.refresh_from_db()
    return job


def _stale(now: datetime) -> Q:
    cutoff = now - STALE_AFTER
    # Imports started before progress_at existed fall back to their upload time.
    return Q(status__in=RUNNING) & (
        Q(progress_at__lt=cutoff) | Q(progress_at__isnull=True, created_at__lt=cutoff)
    )


def fail_stale_imports(
    imports: QuerySet[CustomerImport] | None = None, *, now: datetime | None = None
) -> int:
    """Mark running imports without progress for STALE_AFTER as failed; returns how many.

    Nothing needs undoing: a run writes in one transaction, and a slow run that was only
    taken for dead finds its import failed when it gets to the write, and writes nothing.
    """
    now = now or timezone.now()
    stale = _stale(now)
    candidates = (imports if imports is not None else CustomerImport.objects.all()).filter(stale)
    return sum(_fail_one(job, stale, now) for job in candidates.select_related("created_by")[:50])


def _fail_one(job: CustomerImport, stale: Q, now: datetime) -> int:
    language = job.created_by.language if job.created_by else None
    with translation.override(language):
        reason = str(
            _(
                "The import stopped: it made no progress for %(minutes)d minutes (the background "
                "worker was probably restarted). Nothing was imported; you can start it again."
            )
            % {"minutes": STALE_MINUTES}
        )
    try:
        with transaction.atomic(), _without_waiting():
            # PostgreSQL: a run that is writing holds this row; it is alive, so skip it
            # rather than wait for it.
            if not (
                CustomerImport.objects.select_for_update(skip_locked=True)
                .filter(stale, pk=job.pk)
                .exists()
            ):
                return 0
            return CustomerImport.objects.filter(stale, pk=job.pk).update(
                status=ImportStatus.FAILED,
                errors=[{"row": 0, "column": "", "reason": reason}],
                finished_at=now,
            )
    except OperationalError:  # SQLite: a run is writing and holds the database; it is alive
        return 0


@contextmanager
def _without_waiting() -> Iterator[None]:
    """SQLite: fail at once instead of waiting for the write lock a writing run holds."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA busy_timeout")
        previous = int(cur.fetchone()[0])
        cur.execute("PRAGMA busy_timeout = 0")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA busy_timeout = {previous}")


def do_restart_import(agent: Agent, job: CustomerImport) -> CustomerImport:
    """Queue a failed import again: the same stored file, the same mapping, every check again.

    Only a failed import can be restarted, once (it is queued at once, so a second click is a
    409); a slow run of the earlier attempt stops at its next sign of life (import_run).
    """
    require_import(agent)
    if job.created_by_id != agent.pk:
        raise Forbidden(_("Only the agent who uploaded the file can start it."), code="forbidden")
    name = job.file.name or ""
    if not name or not job.file.storage.exists(name):
        raise ImportRefused(
            _("The uploaded file is no longer available; upload it again."),
            code="import_file_missing",
        )
    with transaction.atomic():
        restarted = CustomerImport.objects.filter(pk=job.pk, status=ImportStatus.FAILED).update(
            status=ImportStatus.QUEUED,
            errors=[],
            processed_rows=0,
            created_count=0,
            updated_count=0,
            progress_at=None,
            finished_at=None,
        )
        if not restarted:
            raise Conflict(
                _("Only a failed import can be started again."), code="import_not_failed"
            )
        from .tasks import run_customer_import

        transaction.on_commit(lambda: run_customer_import.enqueue(job.pk))
    job.refresh_from_db()
    return job
