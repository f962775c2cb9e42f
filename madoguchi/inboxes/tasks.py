"""Background tasks: thin wrappers around actions, safe to run twice."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="outbox")
def deliver_outbox(outbox_id: int) -> str:
    from .delivery import deliver

    return deliver(outbox_id)
