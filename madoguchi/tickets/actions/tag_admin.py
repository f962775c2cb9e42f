"""Tag settings: usage counts, rename, merge one tag into another, delete. All audited.

Macros add tags by name, so renames and merges carry over to their `add_tags` lists.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.audit import record_audit
from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import NotFound, ValidationFailed

from ..models import Macro, Tag, Ticket

TicketTag = Ticket.tags.through


def tags_with_usage() -> QuerySet[Tag]:
    """Every tag with the number of tickets carrying it, in one query."""
    return Tag.objects.annotate(ticket_count=Count("tickets")).order_by("name")


def _locked(tag_id: int) -> Tag:
    tag = Tag.objects.select_for_update().filter(pk=tag_id).first()
    if tag is None:
        raise NotFound(_("Tag not found."), code="tag_not_found")
    return tag


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise ValidationFailed(
            _("Enter a tag name (up to 64 characters)."),
            code="invalid_name",
            details={"field": "name"},
        )
    return name


def _retag_macros(old: str, new: str | None) -> int:
    """Replace (or drop, when new is None) a tag name in every macro's add_tags."""
    changed = 0
    for macro in Macro.objects.select_for_update().order_by("pk"):
        tags = list(macro.add_tags or [])
        if old not in tags:
            continue
        replaced = [new if t == old else t for t in tags if new is not None or t != old]
        macro.add_tags = list(dict.fromkeys(t for t in replaced if t))
        macro.save(update_fields=["add_tags"])
        changed += 1
    return changed


@transaction.atomic
def do_rename_tag(actor: Agent, tag_id: int, name: str) -> Tag:
    require(actor, Capability.MANAGE_SETTINGS)
    tag = _locked(tag_id)
    name = _clean_name(name)
    if name == tag.name:
        return tag
    if Tag.objects.filter(name=name).exclude(pk=tag.pk).exists():
        raise ValidationFailed(
            _("A tag with this name exists; merge into it instead."),
            code="tag_exists",
            details={"field": "name"},
        )
    old = tag.name
    tag.name = name
    tag.save(update_fields=["name"])
    macros = _retag_macros(old, name)
    record_audit(
        actor, "tag.rename", "tag", tag.pk, {"changes": {"name": [old, name]}, "macros": macros}
    )
    return tag


@transaction.atomic
def do_merge_tag(actor: Agent, source_id: int, into_name: str) -> Tag:
    """Every ticket tagged `source` gets `into` instead; `source` is deleted."""
    require(actor, Capability.MANAGE_SETTINGS)
    source = _locked(source_id)
    into = Tag.objects.select_for_update().filter(name=_clean_name(into_name)).first()
    if into is None:
        raise ValidationFailed(
            _("There is no tag with this name; rename the tag instead."),
            code="no_such_tag",
            details={"field": "into"},
        )
    if into.pk == source.pk:
        raise ValidationFailed(
            _("A tag cannot be merged into itself."), code="same_tag", details={"field": "into"}
        )
    already = TicketTag.objects.filter(tag_id=into.pk).values("ticket_id")
    moved = TicketTag.objects.filter(tag_id=source.pk).exclude(ticket_id__in=already)
    moved_count = moved.update(tag_id=into.pk)
    TicketTag.objects.filter(tag_id=source.pk).delete()
    macros = _retag_macros(source.name, into.name)
    record_audit(
        actor,
        "tag.merge",
        "tag",
        source.pk,
        {"from": source.name, "into": into.name, "tickets": moved_count, "macros": macros},
    )
    source.delete()
    return into


@transaction.atomic
def do_delete_tag(actor: Agent, tag_id: int) -> None:
    """The tag comes off every ticket (and out of macros); tickets themselves stay."""
    require(actor, Capability.MANAGE_SETTINGS)
    tag = _locked(tag_id)
    tickets = TicketTag.objects.filter(tag_id=tag.pk).count()
    macros = _retag_macros(tag.name, None)
    record_audit(
        actor, "tag.delete", "tag", tag.pk, {"name": tag.name, "tickets": tickets, "macros": macros}
    )
    tag.delete()
