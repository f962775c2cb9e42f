"""Teams and brands: create, rename, delete only while nothing uses them. All audited."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import models, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import Conflict, NotFound, ValidationFailed

from .agent_admin import changed
from .audit import record_audit
from .models import Agent, Brand, Team
from .permissions import Capability, require


def _invalid(message: object, field: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details={"field": field})  # type: ignore[arg-type]


# Some models have no plural verbose name (Japanese builds "エージェントs" from it).
_USAGE_LABELS = {
    "accounts.agent": _("Agents"),
    "inboxes.inbox": _("Inboxes"),
    "tickets.ticket": _("Tickets"),
    "tickets.macro": _("Macros"),
}


def usage(obj: models.Model) -> list[tuple[str, int]]:
    """What still points at a row, by kind (every model that refers to it, found from the
    model graph so new apps are counted without changes here)."""
    found = []
    for rel in obj._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and rel.is_relation):
            continue
        related = rel.related_model
        assert isinstance(related, type) and issubclass(related, models.Model)
        if related._meta.auto_created:  # an M2M through table: counted by its M2M field
            continue
        field = rel.field.name  # type: ignore[union-attr]
        count = related._default_manager.filter(**{field: obj}).count()
        if count:
            label = _USAGE_LABELS.get(related._meta.label_lower) or capfirst(
                related._meta.verbose_name
            )
            found.append((str(label), count))
    return found


def _refuse_if_used(obj: models.Model, message: object) -> None:
    used = usage(obj)
    if used:
        detail = ", ".join(f"{label}: {count}" for label, count in used)
        raise Conflict(f"{message} ({detail})", code="in_use", details=dict(used))


def _team_name(name: str, exclude: int | None = None) -> str:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise _invalid(_("Enter a team name (up to 120 characters)."), "name", "invalid_name")
    clash = Team.objects.filter(name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise _invalid(_("A team with this name exists."), "name", "name_taken")
    return name


def _locked(model: type[models.Model], pk: int, message: object) -> models.Model:
    obj = model._default_manager.select_for_update().filter(pk=pk).first()
    if obj is None:
        raise NotFound(message, code="not_found")  # type: ignore[arg-type]
    return obj


@transaction.atomic
def do_create_team(actor: Agent, name: str) -> Team:
    require(actor, Capability.MANAGE_SETTINGS)
    team = Team.objects.create(name=_team_name(name))
    record_audit(actor, "team.create", "team", team.pk, {"name": team.name})
    return team


@transaction.atomic
def do_rename_team(actor: Agent, team_id: int, name: str) -> Team:
    require(actor, Capability.MANAGE_SETTINGS)
    team = _locked(Team, team_id, _("Team not found."))
    assert isinstance(team, Team)
    name = _team_name(name, exclude=team.pk)
    if name != team.name:
        record_audit(
            actor, "team.rename", "team", team.pk, {"changes": {"name": [team.name, name]}}
        )
        team.name = name
        team.save(update_fields=["name"])
    return team


@transaction.atomic
def do_delete_team(actor: Agent, team_id: int) -> None:
    """Only an unused team goes; members, inboxes routed to it or its tickets block it."""
    require(actor, Capability.MANAGE_SETTINGS)
    team = _locked(Team, team_id, _("Team not found."))
    assert isinstance(team, Team)
    _refuse_if_used(
        team, _("This team is still in use; move its members, inboxes and tickets first.")
    )
    record_audit(actor, "team.delete", "team", team.pk, {"name": team.name})
    team.delete()


def clean_slug(slug: str) -> str:
    """A brand's or inbox's slug, lower-cased: it appears in URLs and addresses."""
    slug = (slug or "").strip().lower()
    try:
        if not slug or len(slug) > 60:
            raise ValidationError("length")
        validate_slug(slug)
    except ValidationError as exc:
        raise _invalid(
            _("Enter a slug: letters, digits, hyphens and underscores (up to 60)."),
            "slug",
            "invalid_slug",
        ) from exc
    return slug


def _clean_brand(
    name: str, slug: str, support_email: str, default_language: str, exclude: int | None = None
) -> dict[str, str]:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise _invalid(_("Enter a brand name (up to 120 characters)."), "name", "invalid_name")
    slug = clean_slug(slug)
    clash = Brand.objects.filter(slug=slug)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise _invalid(_("Another brand uses this slug."), "slug", "slug_taken")
    support_email = (support_email or "").strip()
    if support_email:
        try:
            validate_email(support_email)
        except ValidationError as exc:
            raise _invalid(
                _("Enter a valid email address."), "support_email", "invalid_email"
            ) from exc
    if default_language not in dict(settings.LANGUAGES):
        raise _invalid(_("Unsupported language."), "default_language", "invalid_language")
    return {
        "name": name,
        "slug": slug,
        "support_email": support_email,
        "default_language": default_language,
    }


@transaction.atomic
def do_create_brand(
    actor: Agent, *, name: str, slug: str, support_email: str = "", default_language: str = "ja"
) -> Brand:
    require(actor, Capability.MANAGE_SETTINGS)
    data = _clean_brand(name, slug, support_email, default_language)
    brand = Brand.objects.create(**data)
    record_audit(actor, "brand.create", "brand", brand.pk, data)
    return brand


@transaction.atomic
def do_update_brand(
    actor: Agent,
    brand_id: int,
    *,
    name: str,
    slug: str,
    support_email: str,
    default_language: str,
) -> Brand:
    require(actor, Capability.MANAGE_SETTINGS)
    brand = _locked(Brand, brand_id, _("Brand not found."))
    assert isinstance(brand, Brand)
    data = _clean_brand(name, slug, support_email, default_language, exclude=brand.pk)
    diff = changed({k: getattr(brand, k) for k in data}, data)
    if diff:
        for key, value in data.items():
            setattr(brand, key, value)
        brand.save(update_fields=list(data))
        record_audit(actor, "brand.update", "brand", brand.pk, {"changes": diff})
    return brand


@transaction.atomic
def do_delete_brand(actor: Agent, brand_id: int) -> None:
    """Only a brand with no inboxes, tickets or macros goes."""
    require(actor, Capability.MANAGE_SETTINGS)
    brand = _locked(Brand, brand_id, _("Brand not found."))
    assert isinstance(brand, Brand)
    _refuse_if_used(brand, _("This brand is still in use; remove its inboxes and macros first."))
    record_audit(actor, "brand.delete", "brand", brand.pk, {"name": brand.name, "slug": brand.slug})
    brand.delete()
