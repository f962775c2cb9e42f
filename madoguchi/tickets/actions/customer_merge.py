"""Merging customers moves their tickets too, so it lives with tickets (imports point down)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.audit import record_audit
from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import Conflict, NotFound, ValidationFailed
from madoguchi.core.events import CustomerMerged, emit_on_commit
from madoguchi.customers.indexing import reindex_customer
from madoguchi.customers.models import Customer, Identity
from madoguchi.search.index import remove
from madoguchi.search.models import DocumentKind

from ..indexing import reindex_ticket
from ..models import Ticket


@transaction.atomic
def do_merge_customers(agent: Agent, source: Customer, target: Customer) -> Customer:
    """Move identities and tickets of `source` to `target`; `source` points to `target`."""
    require(agent, Capability.MERGE_CUSTOMERS)
    if source.pk == target.pk:
        raise ValidationFailed(_("A customer cannot be merged into itself."), code="merge_self")
    # Lock both rows in id order and work on fresh copies, so two merges cannot interleave.
    rows = Customer.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
    locked = {c.pk: c for c in rows.order_by("pk")}
    if len(locked) != 2:
        raise NotFound(_("Customer not found."), code="customer_not_found")
    given_source = source
    source, target = locked[source.pk], locked[target.pk]
    if source.merged_into_id or target.merged_into_id:
        raise Conflict(_("One of these customers was already merged."), code="already_merged")
    moved_kinds = set(Identity.objects.filter(customer=source).values_list("kind", flat=True))
    Identity.objects.filter(customer=source).update(customer=target, is_primary=False)
    for kind in moved_kinds:
        mine = Identity.objects.filter(customer=target, kind=kind)
        first = mine.order_by("id").first()
        if first and not mine.filter(is_primary=True).exists():
            Identity.objects.filter(pk=first.pk).update(is_primary=True)
    ticket_ids = list(Ticket.objects.filter(customer=source).values_list("pk", flat=True))
    Ticket.objects.filter(pk__in=ticket_ids).update(customer=target)
    for field in ("name", "name_kana", "postal_code", "address"):
        if not getattr(target, field) and getattr(source, field):
            setattr(target, field, getattr(source, field))
    if source.notes:
        target.notes = (target.notes + "\n\n" + source.notes).strip()
    target.tags = sorted(set(target.tags) | set(source.tags))
    target.custom_fields = {**source.custom_fields, **target.custom_fields}
    target.save()
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    given_source.merged_into = target
    reindex_customer(target)
    remove(DocumentKind.CUSTOMER, source.pk)
    for ticket in Ticket.objects.filter(pk__in=ticket_ids):
        reindex_ticket(ticket)
    record_audit(agent, "customer.merge", "customer", source.pk, {"into": target.pk})
    emit_on_commit(CustomerMerged(source_id=source.pk, target_id=target.pk))
    return target
