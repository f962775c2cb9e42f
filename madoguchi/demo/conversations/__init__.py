"""The demo's conversation material: topics with scripts, and per-channel framing."""

from __future__ import annotations

from . import account, english, orders, returns, shipping
from .english import SPAM
from .model import Script, Topic

TOPICS: tuple[Topic, ...] = (
    shipping.TOPICS + returns.TOPICS + orders.TOPICS + account.TOPICS + english.TOPICS
)

__all__ = ["SPAM", "TOPICS", "Script", "Topic"]
