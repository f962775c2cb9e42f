"""The calling agent, as `GET /me` shows it."""

from __future__ import annotations

from ninja import Schema

from .common import TeamRef


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    language: str
    teams: list[TeamRef]
    capabilities: list[str]
