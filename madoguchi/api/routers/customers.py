"""Customers: search, read, create, change, merge."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from madoguchi.customers.actions import Handle, do_create_customer, do_update_customer
from madoguchi.customers.models import Customer
from madoguchi.search.index import match
from madoguchi.search.models import DocumentKind
from madoguchi.tickets.access import get_visible_customer, visible_customers, visible_tickets
from madoguchi.tickets.actions import do_merge_customers

from ..auth import current_agent
from ..errors import unknown_query_params
from ..keyset import page_by_id
from ..schemas.common import READ_ERRORS, WRITE_ERRORS, Composite, ErrorOut, PathId
from ..schemas.customers import (
    CustomerCreateIn,
    CustomerDetailOut,
    CustomerListQuery,
    CustomerMergeIn,
    CustomerOut,
    CustomerPageOut,
    CustomerUpdateIn,
    IdentityIn,
)

router = Router(tags=["customers"])

RECENT_TICKETS = 20
SEARCH_CANDIDATES = 2000


def _handles(items: list[IdentityIn]) -> list[Handle]:
    return [Handle(item.kind.value, item.value) for item in items]


def _load(customer_id: int) -> Customer:
    return Customer.objects.prefetch_related("identities").get(pk=customer_id)


@router.get("/customers", response={200: CustomerPageOut, READ_ERRORS: ErrorOut})
def list_customers(request: HttpRequest, filters: Query[CustomerListQuery]) -> dict[str, Any]:
    """Customers in your scope, newest first; `q` searches name, フリガナ, email and phone."""
    unknown_query_params(request, set(CustomerListQuery.model_fields))
    qs = visible_customers(current_agent(request)).prefetch_related("identities")
    if filters.q.strip():
        qs = qs.filter(pk__in=match(DocumentKind.CUSTOMER, filters.q, limit=SEARCH_CANDIDATES))
    items, next_cursor = page_by_id(qs, filters.cursor, filters.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/customers/{customer_id}", response={200: CustomerDetailOut, READ_ERRORS: ErrorOut})
def get_customer(request: HttpRequest, customer_id: PathId) -> Composite:
    """A customer with identities and their latest tickets you may see."""
    agent = current_agent(request)
    customer = get_visible_customer(agent, customer_id)
    recent = visible_tickets(agent).filter(customer=customer).order_by("-updated_at", "-id")
    return Composite(_load(customer.pk), recent_tickets=list(recent[:RECENT_TICKETS]))


@router.post("/customers", response={201: CustomerOut, WRITE_ERRORS: ErrorOut})
def create_customer(request: HttpRequest, payload: CustomerCreateIn) -> Status[Any]:
    """A new customer; 409 `identity_taken` when a handle belongs to someone else."""
    customer = do_create_customer(
        current_agent(request), payload.changed_fields(), _handles(payload.identities)
    )
    return Status(201, _load(customer.pk))


@router.patch("/customers/{customer_id}", response={200: CustomerOut, WRITE_ERRORS: ErrorOut})
def update_customer(
    request: HttpRequest, customer_id: PathId, payload: CustomerUpdateIn
) -> Customer:
    """Change the fields you send; `add_identities` attaches more handles."""
    agent = current_agent(request)
    customer = get_visible_customer(agent, customer_id)
    do_update_customer(agent, customer, payload.changed_fields(), _handles(payload.add_identities))
    return _load(customer.pk)


@router.post("/customers/{customer_id}/merge", response={200: CustomerOut, WRITE_ERRORS: ErrorOut})
def merge_customer(request: HttpRequest, customer_id: PathId, payload: CustomerMergeIn) -> Customer:
    """Move this customer's identities and tickets to `into`; this one then points there."""
    agent = current_agent(request)
    source = get_visible_customer(agent, customer_id)
    target = get_visible_customer(agent, payload.into)
    merged = do_merge_customers(agent, source, target)
    return _load(merged.pk)
