"""The audit log of admin actions."""

from __future__ import annotations

from typing import Any

from .models import Agent, AuditEntry


def record_audit(
    agent: Agent | None,
    action: str,
    target_type: str = "",
    target_id: object = "",
    data: Any = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=agent,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        data=data or {},
    )
