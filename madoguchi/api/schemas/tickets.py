"""Ticket, message and timeline shapes of the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StrictBool, StrictStr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from madoguchi.tickets.models import Priority, Status

from .common import (
    AgentRef,
    BrandRef,
    Cursor,
    CustomerRef,
    Id,
    InboxRef,
    InputSchema,
    Limit,
    QueryId,
    Tags,
    TeamRef,
    refuse_null,
)

Subject = Annotated[StrictStr, Field(max_length=250)]
Body = Annotated[StrictStr, Field(max_length=100_000)]


class TicketListQuery(Schema):
    status: list[str] = Field(default=[], description="repeat or comma-separate: new,open")
    view: str = Field(default="", description="unassigned, mine, team, unsolved, pending, …")
    inbox: QueryId | None = None
    brand: QueryId | None = None
    assignee: str = Field(default="", description="an agent id, `me` or `none`")
    team: QueryId | None = None
    tag: str = Field(default="", max_length=64)
    priority: Priority | None = None
    channel: str = Field(default="", max_length=16)
    customer: QueryId | None = None
    updated_since: datetime | None = None
    q: str = Field(default="", max_length=200, description="full text (Japanese aware)")
    order: Literal["newest", "oldest", "waiting", "priority"] = Field(
        default="newest",
        description="newest / oldest activity, `waiting` (longest-waiting customer first), "
        "`priority` (urgent → low, then longest waiting)",
    )
    cursor: Cursor = ""
    limit: Limit = 50


class TicketOut(Schema):
    id: int
    number: int
    subject: str
    status: Status
    priority: Priority
    channel: str
    inbox: InboxRef
    brand: BrandRef
    customer: CustomerRef
    assignee: AgentRef | None
    team: TeamRef | None
    tags: list[str]
    is_spam: bool
    merged_into_id: int | None
    preview: str
    message_count: int
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    solved_at: datetime | None
    last_customer_message_at: datetime | None
    last_agent_message_at: datetime | None

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return sorted(tag.name for tag in obj.tags.all())


class TicketPageOut(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    created_at: datetime


class RouteOut(Schema):
    transport: str
    to: str
    cc: list[str] = []


class MessageOut(Schema):
    id: int
    ticket_id: int
    direction: str
    author_kind: str
    author_agent: AgentRef | None
    author_customer: CustomerRef | None
    internal: bool
    subject: str
    body_text: str
    body_html: str
    external_id: str
    delivery: str
    created_at: datetime
    attachments: list[AttachmentOut]
    route: RouteOut | None = Field(
        description="where a public reply is delivered (To, Cc); null for inbound messages, "
        "notes and replies that are recorded only"
    )

    @staticmethod
    def resolve_route(obj: Any) -> dict[str, Any] | None:
        route = (obj.meta or {}).get("route")
        return route if isinstance(route, dict) and route.get("to") else None

    @staticmethod
    def resolve_internal(obj: Any) -> bool:
        return bool(obj.is_internal)

    @staticmethod
    def resolve_attachments(obj: Any) -> list[Any]:
        return list(obj.attachments.all())


class TimelineOut(Schema):
    id: int
    kind: str
    field: str
    old_value: str
    new_value: str
    actor_kind: str
    actor_agent: AgentRef | None
    created_at: datetime


class TicketDetailOut(TicketOut):
    messages: list[MessageOut]
    timeline: list[TimelineOut]


class NewTicketCustomer(InputSchema):
    email: Annotated[StrictStr, Field(max_length=254)] | None = None
    phone: Annotated[StrictStr, Field(max_length=40)] | None = None
    external_id: Annotated[StrictStr, Field(max_length=255)] | None = None
    name: Annotated[StrictStr, Field(max_length=200)] = ""
    name_kana: Annotated[StrictStr, Field(max_length=200)] = ""

    @model_validator(mode="after")
    def _one_handle(self) -> NewTicketCustomer:
        if not (self.email or self.phone or self.external_id):
            raise PydanticCustomError(
                "handle_required", "Give the customer's email, phone or external_id."
            )
        return self


class TicketCreateIn(InputSchema):
    inbox: Id
    subject: Subject = ""
    body: Annotated[StrictStr, Field(min_length=1, max_length=100_000)]
    customer: NewTicketCustomer | None = None
    customer_id: Id | None = None
    priority: Priority | None = None
    tags: Tags = []
    external_id: Annotated[StrictStr, Field(min_length=1, max_length=255)] | None = None

    @model_validator(mode="after")
    def _one_customer(self) -> TicketCreateIn:
        if (self.customer is None) == (self.customer_id is None):
            raise PydanticCustomError(
                "customer_required", "Give either customer or customer_id (exactly one)."
            )
        return self


class TicketUpdateIn(InputSchema):
    subject: Subject | None = None
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: Id | None = Field(default=None, description="null unassigns")
    team_id: Id | None = Field(default=None, description="null removes the team")
    tags: Tags | None = Field(default=None, description="replaces all tags")
    add_tags: Tags | None = None
    remove_tags: Tags | None = None

    _not_null = field_validator(
        "subject", "status", "priority", "tags", "add_tags", "remove_tags", mode="before"
    )(refuse_null)


Address = Annotated[StrictStr, Field(max_length=254)]
ExpectedLastMessageId = Annotated[
    Id | None,
    Field(description="the newest message you saw; 409 stale_ticket if others came"),
]


class ReplyIn(InputSchema):
    """A reply or note; To / Cc / Subject are checked by the same action as the console's."""

    body: Body
    internal: StrictBool = False
    expected_last_message_id: ExpectedLastMessageId = None
    status: Status | None = Field(default=None, description="set together with the reply")
    to: Address = Field(
        default="",
        description="email replies: one of the customer's email addresses (422 "
        "invalid_recipient otherwise); empty = the customer's primary address",
    )
    cc: list[Address] = Field(
        default=[],
        description="email replies: up to 10 addresses (422 too_many_cc / invalid_cc)",
    )
    subject: Subject = Field(
        default="",
        description="one line; empty = the ticket's subject (422 invalid_subject on line breaks)",
    )

    _not_null = field_validator("to", "cc", "subject", mode="before")(refuse_null)


class TicketMergeIn(InputSchema):
    into: Id


class MacroApplyIn(InputSchema):
    send: StrictBool = True
    body: Body | None = Field(default=None, description="your edit of the rendered text")
    expected_last_message_id: ExpectedLastMessageId = None


class MacroResultOut(Schema):
    ticket: TicketOut
    message: MessageOut | None
