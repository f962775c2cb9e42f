"""Background tasks of the customer directory: thin wrappers, safe to run twice."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="default")
def run_customer_import(import_id: int) -> str:
    """Validate and (all or nothing) write one uploaded customer CSV."""
    from .import_run import run_import

    return run_import(import_id)
