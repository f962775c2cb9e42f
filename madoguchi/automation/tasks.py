"""Background tasks: thin wrappers around actions, safe to run twice."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="default")
def send_notification_email(notification_id: int) -> str:
    from .emails import send_notification_email as send

    return send(notification_id)
