"""`@name` mentions in internal notes: which active agents a note names.

An agent can be named by display name (with or without the space, half- or full-width:
`@佐藤 花子`, `@佐藤花子`, `@佐藤　花子`), by login name (`@agent-3`), or by family name alone
(`@佐藤`) when no other active agent shares it. The longest name wins, so `@佐藤 花子` is not
read as `@佐藤` followed by text; a name that fits several agents names nobody.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from madoguchi.accounts.models import Agent

MARKS = ("@", "＠")
_SPACES = re.compile(r"[\s\u3000]+")
_WORDISH = re.compile(r"[0-9A-Za-z_.\-]")
_WORD = re.compile(r"[0-9A-Za-z_]")


@dataclass(frozen=True)
class Mention:
    start: int  # index of the `@`
    end: int  # index after the name
    agent_id: int


def _variants(name: str) -> set[str]:
    name = name.strip().lower()
    if not name:
        return set()
    parts = _SPACES.split(name)
    return {name, " ".join(parts), "\u3000".join(parts), "".join(parts)}


def name_keys(agents: Iterable[Agent]) -> dict[str, int]:
    """Every name an agent answers to → agent id; names that fit several agents are left out."""
    owners: dict[str, set[int]] = {}
    family: dict[str, set[int]] = {}
    for agent in agents:
        keys = _variants(agent.display_name) | {agent.user.username.lower()}
        for key in keys:
            owners.setdefault(key, set()).add(agent.pk)
        parts = _SPACES.split(agent.display_name.strip())
        if len(parts) > 1 and parts[0]:
            family.setdefault(parts[0].lower(), set()).add(agent.pk)
    for key, ids in family.items():
        owners.setdefault(key, set()).update(ids)
    return {key: next(iter(ids)) for key, ids in owners.items() if len(ids) == 1 and key}


def active_agents() -> list[Agent]:
    return list(Agent.objects.filter(user__is_active=True).select_related("user"))


def mention_spans(text: str, keys: dict[str, int]) -> list[Mention]:
    """Where the text names an agent, left to right; longest name first at each `@`."""
    if not text or not keys:
        return []
    by_length = sorted(keys, key=len, reverse=True)
    lowered = text.lower()
    found: list[Mention] = []
    i = 0
    while i < len(text):
        if text[i] not in MARKS or (i > 0 and _WORDISH.match(text[i - 1])):
            # `taro@example.jp` is an address, not a mention.
            i += 1
            continue
        start = i + 1
        for key in by_length:
            if not lowered.startswith(key, start):
                continue
            end = start + len(key)
            # `@sato` must not match inside `@satoshi`; Japanese runs on without spaces.
            if end < len(text) and _WORD.match(key[-1]) and _WORD.match(text[end]):
                continue
            found.append(Mention(i, end, keys[key]))
            i = end
            break
        else:
            i += 1
    return found


def find_mentions(text: str) -> list[int]:
    """Ids of the active agents a note names, in order of first mention, each once."""
    if not text or not any(mark in text for mark in MARKS):
        return []
    spans = mention_spans(text, name_keys(active_agents()))
    return list(dict.fromkeys(m.agent_id for m in spans))


def matching_agents(prefix: str, *, limit: int = 8) -> list[Agent]:
    """Active agents whose display name, name without spaces or login starts with the prefix
    (or whose name contains it), for the `@` autocomplete of the note box."""
    needle = _SPACES.sub("", prefix.strip().lstrip("@＠")).lower()
    agents = sorted(active_agents(), key=lambda a: a.display_name)
    if not needle:
        return agents[:limit]
    starts, contains = [], []
    for agent in agents:
        names = [_SPACES.sub("", agent.display_name).lower(), agent.user.username.lower()]
        names += [p.lower() for p in _SPACES.split(agent.display_name.strip()) if p]
        if any(n.startswith(needle) for n in names):
            starts.append(agent)
        elif any(needle in n for n in names):
            contains.append(agent)
    return (starts + contains)[:limit]
