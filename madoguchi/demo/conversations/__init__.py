"""The demo's conversation material: topics with scripts (TOML files next to this module,
easy to edit without touching code), and per-channel framing (framing.py)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from .model import Script, Topic

FILES = ("shipping", "returns", "orders", "account", "english")
SPAM_KEY = "spam"


def _script(data: dict[str, Any]) -> Script:
    values: dict[str, Any] = {key: _frozen(value) for key, value in data.items()}
    script = Script(**values)
    # reply[i], followup[i], reply2[i] and outcome[i] are one exchange; a list of one fits all.
    answers = len(script.reply)
    for name in ("followup", "followup_casual", "reply2", "outcome"):
        if len(getattr(script, name)) not in (0, 1, answers):
            raise ValueError(f"script {script.subjects[:1]}: {name} must have 1 or {answers} items")
    return script


def _topic(data: dict[str, Any]) -> Topic:
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key == "script":
            values["scripts"] = tuple(_script(item) for item in value)
        else:
            values[key] = _frozen(value)
    return Topic(**values)


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


@cache
def load_topics() -> tuple[Topic, ...]:
    """Every topic of every file, spam included (it has weight 0 and is drawn separately)."""
    folder = Path(__file__).parent
    topics: list[Topic] = []
    for name in FILES:
        with open(folder / f"{name}.toml", "rb") as fh:
            topics.extend(_topic(item) for item in tomllib.load(fh)["topic"])
    return tuple(topics)


TOPICS: tuple[Topic, ...] = tuple(t for t in load_topics() if t.key != SPAM_KEY)
SPAM: Topic = next(t for t in load_topics() if t.key == SPAM_KEY)

__all__ = ["SPAM", "TOPICS", "Script", "Topic"]
