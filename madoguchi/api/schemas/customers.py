"""Customer and identity shapes of the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StrictStr, field_validator

from madoguchi.customers.models import IdentityKind
from madoguchi.tickets.models import Priority, Status

from .common import Cursor, Id, InputSchema, Limit, Tags, refuse_null

Text8 = Annotated[StrictStr, Field(max_length=8)]
Text16 = Annotated[StrictStr, Field(max_length=16)]
Text200 = Annotated[StrictStr, Field(max_length=200)]
Text300 = Annotated[StrictStr, Field(max_length=300)]
Handle = Annotated[StrictStr, Field(min_length=1, max_length=320)]
Notes = Annotated[StrictStr, Field(max_length=10_000)]


class CustomerListQuery(Schema):
    q: str = Field(default="", max_length=200, description="name, フリガナ, email or phone")
    cursor: Cursor = ""
    limit: Limit = 50


class IdentityOut(Schema):
    id: int
    kind: str
    handle: str
    display: str
    is_primary: bool


class CustomerOut(Schema):
    id: int
    name: str
    name_kana: str
    language: str
    preferred_channel: str
    postal_code: str
    address: str
    notes: str
    tags: list[str]
    custom_fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    identities: list[IdentityOut]

    @staticmethod
    def resolve_identities(obj: Any) -> list[Any]:
        return list(obj.identities.all())


class TicketSummaryOut(Schema):
    id: int
    number: int
    subject: str
    status: Status
    priority: Priority
    channel: str
    created_at: datetime
    updated_at: datetime


class CustomerDetailOut(CustomerOut):
    recent_tickets: list[TicketSummaryOut]


class CustomerPageOut(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class IdentityIn(InputSchema):
    kind: IdentityKind
    value: Handle


class CustomerFields(InputSchema):
    name: Text200 | None = None
    name_kana: Text200 | None = None
    language: Text8 | None = None
    preferred_channel: Text16 | None = None
    postal_code: Text16 | None = None
    address: Text300 | None = None
    notes: Notes | None = None
    tags: Tags | None = None
    custom_fields: Annotated[dict[str, Any], Field(max_length=100)] | None = None

    _not_null = field_validator(
        "name", "name_kana", "language", "preferred_channel", "postal_code", "address",
        "notes", "tags", "custom_fields", mode="before",
    )(refuse_null)  # fmt: skip

    def changed_fields(self) -> dict[str, Any]:
        """Only what the client sent: a PATCH leaves everything else alone."""
        data = self.model_dump(exclude_unset=True)
        for key in ("identities", "add_identities"):
            data.pop(key, None)
        return data


class CustomerCreateIn(CustomerFields):
    identities: Annotated[list[IdentityIn], Field(max_length=20)] = []


class CustomerUpdateIn(CustomerFields):
    add_identities: Annotated[list[IdentityIn], Field(max_length=20)] = []


class CustomerMergeIn(InputSchema):
    into: Id
