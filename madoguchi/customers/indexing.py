"""Keeping the customer search document current (name, フリガナ, emails, phones)."""

from __future__ import annotations

from django.conf import settings

from madoguchi.lib.handles import phone_search_forms
from madoguchi.search.index import index
from madoguchi.search.models import DocumentKind

from .models import Customer, Identity, IdentityKind


def handle_terms(customer_id: int) -> list[str]:
    """Exact terms for a customer's handles: phone numbers in every typed form."""
    terms: list[str] = []
    for kind, handle in Identity.objects.filter(customer_id=customer_id).values_list(
        "kind", "handle"
    ):
        if kind in (IdentityKind.PHONE, IdentityKind.FAX):
            terms.extend(phone_search_forms(handle, settings.PHONE_DEFAULT_REGION))
    return terms


def reindex_customer(customer: Customer) -> None:
    handles = list(customer.identities.values_list("kind", "handle"))
    parts = [customer.name, customer.name_kana, *(h for k, h in handles if k == IdentityKind.EMAIL)]
    index(DocumentKind.CUSTOMER, customer.pk, parts, handle_terms(customer.pk))
