"""Shared pieces of the API schemas: strict ids, input base class, small references."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Schema
from ninja.params.functions import Path
from pydantic import ConfigDict, Field, Strict
from pydantic_core import PydanticCustomError

MAX_ID = 2**63 - 1

# Ids in JSON bodies must be JSON numbers: "5" or 5.0 is a type error, not a guess.
Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
# Ids in query strings arrive as text and are converted.
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]
# Ids in paths: /tickets/{id}; a number beyond the database's range is a 422, not a crash.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
Tag = Annotated[str, Strict(), Field(min_length=1, max_length=64)]
Tags = Annotated[list[Tag], Field(max_length=50)]
Cursor = Annotated[str, Field(max_length=500)]
Limit = Annotated[int, Field(ge=1, le=100)]


class InputSchema(Schema):
    """Request bodies: unknown fields are refused (422 `unknown_fields`), never ignored."""

    model_config = ConfigDict(extra="forbid")


class EmptyIn(InputSchema):
    """For actions without parameters: a body, if any, must be `{}`."""


def refuse_null(value: Any) -> Any:
    """For PATCH fields that may be left out but not set to null."""
    if value is None:
        raise PydanticCustomError("null_not_allowed", "This field cannot be null.")
    return value


class Composite:
    """An object plus extra attributes (messages, recent tickets …) read as one by a schema."""

    def __init__(self, base: Any, **extra: Any) -> None:
        self._base = base
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_base":
            raise AttributeError(name)
        return getattr(self._base, name)


# Statuses documented per operation (all answer with ErrorOut).
READ_ERRORS = frozenset({400, 401, 403, 404, 422})
WRITE_ERRORS = frozenset({400, 401, 403, 404, 409, 413, 422})


class ErrorOut(Schema):
    code: str = Field(examples=["validation_error"])
    message: str
    details: Any = None


class BrandRef(Schema):
    id: int
    name: str


class TeamRef(Schema):
    id: int
    name: str


class AgentRef(Schema):
    id: int
    display_name: str


class InboxRef(Schema):
    id: int
    kind: str
    name: str


class CustomerRef(Schema):
    id: int
    name: str
    name_kana: str
