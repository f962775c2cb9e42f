"""API tokens: shown once at creation, stored as SHA-256, checked in constant time by hash."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import Forbidden, NotFound, ValidationFailed

from .audit import record_audit
from .models import Agent, ApiToken
from .permissions import Capability, can

TOKEN_PREFIX = "mdg_"  # noqa: S105 - a public prefix that marks tokens, not a secret


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def do_create_token(actor: Agent | None, owner: Agent, name: str) -> tuple[ApiToken, str]:
    """Returns the row and the raw token; the raw token is never stored or shown again.

    `actor` None means the command line (a server operator).
    """
    if actor is not None and actor.pk != owner.pk and not can(actor, Capability.MANAGE_AGENTS):
        raise Forbidden(_("You can only create tokens for yourself."), code="forbidden")
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed(
            _("Give the token a name (up to 120 characters)."), code="invalid_name"
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(agent=owner, name=name, prefix=raw[:12], key_hash=_hash(raw))
    record_audit(actor, "token.create", "api_token", token.pk, {"owner": owner.pk, "name": name})
    return token, raw


@transaction.atomic
def do_revoke_token(actor: Agent, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None or (token.agent_id != actor.pk and not can(actor, Capability.MANAGE_AGENTS)):
        raise NotFound(_("Token not found."), code="token_not_found")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_audit(actor, "token.revoke", "api_token", token.pk)
    return token


def agent_for_token(raw: str) -> Agent | None:
    """The active agent behind a bearer token, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("agent", "agent__user")
        .filter(key_hash=_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.agent.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.agent
