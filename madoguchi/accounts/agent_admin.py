"""Admins manage agents: create, edit, set passwords, deactivate. Never delete: tickets,
messages and the audit log keep pointing at the agent who did the work.

Every change is written to the audit log with the fields that changed (old → new).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import Conflict, NotFound, ValidationFailed

from .audit import record_audit
from .models import Agent, Role, Team, validate_time_zone
from .permissions import Capability, require


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value differs; what the audit log shows."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _invalid(message: Any, field: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details={"field": field})


MAX_SIGNATURE_CHARS = 2000


def _clean_profile(
    display_name: str, email: str, role: str, language: str, time_zone: str, signature: str = ""
) -> dict[str, str]:
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 120:
        raise _invalid(
            _("Enter a display name (up to 120 characters)."), "display_name", "invalid_name"
        )
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise _invalid(_("Enter a valid email address."), "email", "invalid_email") from exc
    if role not in Role.values:
        raise _invalid(_("Unknown role."), "role", "invalid_role")
    if language not in dict(settings.LANGUAGES):
        raise _invalid(_("Unsupported language."), "language", "invalid_language")
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        raise _invalid(
            _("Unknown time zone: %(zone)s") % {"zone": time_zone}, "time_zone", "invalid_zone"
        ) from exc
    signature = (signature or "").replace("\r\n", "\n").strip("\n")
    if len(signature) > MAX_SIGNATURE_CHARS:
        raise _invalid(
            _("The signature is too long (up to %(limit)d characters).")
            % {"limit": MAX_SIGNATURE_CHARS},
            "signature",
            "invalid_signature",
        )
    return {
        "display_name": display_name,
        "email": email,
        "role": role,
        "language": language,
        "time_zone": time_zone,
        "signature": signature,
    }


def _teams(team_ids: Iterable[int]) -> list[Team]:
    ids = sorted(set(team_ids))
    teams = list(Team.objects.filter(pk__in=ids).order_by("pk"))
    if len(teams) != len(ids):
        raise _invalid(_("No such team."), "teams", "invalid_team")
    return teams


def _password(password: str, user: Any = None) -> str:
    try:
        validate_password(password or "", user)
    except ValidationError as exc:
        raise _invalid(" ".join(exc.messages), "password", "invalid_password") from exc
    return password


def _snapshot(agent: Agent) -> dict[str, Any]:
    return {
        "display_name": agent.display_name,
        "email": agent.user.email,
        "role": agent.role,
        "teams": sorted(t.name for t in agent.teams.all()),
        "language": agent.language,
        "time_zone": agent.time_zone,
        "signature": agent.signature,
    }


def _locked_agent(agent_id: int) -> Agent:
    target = Agent.objects.select_for_update().select_related("user").filter(pk=agent_id).first()
    if target is None:
        raise NotFound(_("Agent not found."), code="agent_not_found")
    return target


def _other_active_admins(target: Agent) -> int:
    """Locks the active admins' rows so two admins cannot demote each other at once."""
    rows = (
        Agent.objects.select_for_update()
        .filter(role=Role.ADMIN, user__is_active=True)
        .exclude(pk=target.pk)
    )
    return len(list(rows.values_list("pk", flat=True)))


@transaction.atomic
def do_create_agent(
    actor: Agent,
    *,
    username: str,
    display_name: str,
    email: str = "",
    password: str,
    role: str = Role.AGENT,
    team_ids: Iterable[int] = (),
    language: str = "ja",
    time_zone: str = settings.TIME_ZONE,
    signature: str = "",
) -> Agent:
    """A new login with its agent profile; the initial password must pass the site's rules."""
    require(actor, Capability.MANAGE_AGENTS)
    username = (username or "").strip()
    try:
        if not username or len(username) > 150:
            raise ValidationError("length")
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise _invalid(
            _("Enter a username: letters, digits and @ . + - _ only (up to 150)."),
            "username",
            "invalid_username",
        ) from exc
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise _invalid(_("This username is taken."), "username", "username_taken")
    profile = _clean_profile(display_name, email, role, language, time_zone, signature)
    teams = _teams(team_ids)
    _password(password, user_model(username=username, email=profile["email"]))
    user = user_model.objects.create_user(username, profile.pop("email"), password)
    agent = Agent.objects.create(user=user, **profile)
    agent.teams.set(teams)
    data = {"username": username, **_snapshot(agent)}
    record_audit(actor, "agent.create", "agent", agent.pk, data)
    return agent


@transaction.atomic
def do_update_agent(
    actor: Agent,
    agent_id: int,
    *,
    display_name: str,
    email: str,
    role: str,
    team_ids: Iterable[int],
    language: str,
    time_zone: str,
    signature: str = "",
) -> Agent:
    """Profile, role and teams. The last active admin keeps the admin role, and nobody demotes
    themselves (they would lock themselves out of this page)."""
    require(actor, Capability.MANAGE_AGENTS)
    target = _locked_agent(agent_id)
    profile = _clean_profile(display_name, email, role, language, time_zone, signature)
    teams = _teams(team_ids)
    if target.role == Role.ADMIN and profile["role"] != Role.ADMIN:
        if target.pk == actor.pk:
            raise Conflict(_("You cannot change your own role."), code="own_role")
        if target.user.is_active and _other_active_admins(target) == 0:
            raise Conflict(
                _("This is the last active administrator; make someone else admin first."),
                code="last_admin",
            )
    before = _snapshot(target)
    target.user.email = profile.pop("email")
    target.user.save(update_fields=["email"])
    for field, value in profile.items():
        setattr(target, field, value)
    target.save(update_fields=list(profile))
    target.teams.set(teams)
    diff = changed(before, _snapshot(target))
    if diff:
        record_audit(actor, "agent.update", "agent", target.pk, {"changes": diff})
    return target


@transaction.atomic
def do_set_agent_active(actor: Agent, agent_id: int, active: bool) -> Agent:
    """Deactivated agents cannot sign in or use tokens; their work stays attributed."""
    require(actor, Capability.MANAGE_AGENTS)
    target = _locked_agent(agent_id)
    if target.user.is_active == active:
        return target
    if not active:
        if target.pk == actor.pk:
            raise Conflict(_("You cannot deactivate yourself."), code="own_account")
        if target.role == Role.ADMIN and _other_active_admins(target) == 0:
            raise Conflict(
                _("This is the last active administrator; make someone else admin first."),
                code="last_admin",
            )
    target.user.is_active = active
    target.user.save(update_fields=["is_active"])
    action = "agent.reactivate" if active else "agent.deactivate"
    record_audit(actor, action, "agent", target.pk, {"changes": {"active": [not active, active]}})
    return target


@transaction.atomic
def do_set_agent_password(actor: Agent, agent_id: int, password: str) -> Agent:
    """An admin sets a new password (the audit row records that it happened, not the value)."""
    require(actor, Capability.MANAGE_AGENTS)
    target = _locked_agent(agent_id)
    _password(password, target.user)
    target.user.set_password(password)
    target.user.save(update_fields=["password"])
    record_audit(actor, "agent.password", "agent", target.pk)
    return target
