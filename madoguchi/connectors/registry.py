"""Connector lookup by inbox kind. Connectors register themselves when their module loads."""

from __future__ import annotations

from .base import Connector

_registry: dict[str, Connector] = {}


def register(connector: Connector) -> Connector:
    _registry[connector.kind] = connector
    return connector


def get(kind: str) -> Connector:
    """The connector for a kind. Kinds whose package is not built yet record replies only."""
    _load()
    return _registry.get(kind) or _RecordOnly(kind)


def kinds() -> list[str]:
    _load()
    return sorted(_registry)


class _RecordOnly(Connector):
    """Replies are stored on the ticket but not sent; the console says so next to the reply."""

    def __init__(self, kind: str) -> None:
        self.kind = kind  # type: ignore[misc]


_loaded = False


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from . import api, email, fax, form, phone  # noqa: F401  (each registers itself)
