"""The shape of a demo conversation: topics, each with a few coherent scripts.

A script is one believable exchange (customer asks → agent answers → customer follows up →
agent closes). Every step has several paraphrases and `{placeholders}` (product, order number,
carrier, dates …), so a thousand tickets rarely repeat a sentence verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Script:
    subjects: tuple[str, ...]
    opening: tuple[str, ...]  # formal: email, contact form, API, FAX cover note
    casual: tuple[str, ...]  # chat, LINE, Instagram, X, SMS
    call: tuple[str, ...]  # phone: the agent's summary of the customer's call
    reply: tuple[str, ...]  # the agent's first answer (polite body, framed per channel)
    asks: bool = False  # the first answer waits for the customer (ticket goes pending)
    followup: tuple[str, ...] = ()  # the customer's answer (formal)
    followup_casual: tuple[str, ...] = ()
    reply2: tuple[str, ...] = ()  # the agent's closing answer
    outcome: tuple[str, ...] = ()  # one line for call logs and notes: how it was settled
    notes: tuple[str, ...] = ()  # internal notes agents leave on such tickets


@dataclass(frozen=True)
class Topic:
    key: str
    weight: float
    tags: tuple[str, ...]
    scripts: tuple[Script, ...]
    team: str = ""  # a team key from shop.TEAMS; "" keeps the inbox's default team
    high_priority: float = 0.0  # chance the ticket is raised to high
    form_category: str = "other"  # the contact form's topic field
    channels: tuple[str, ...] = ()  # only these channels; empty = any channel
    product_kinds: tuple[str, ...] = ()  # only products of these kinds; empty = any
    apologetic: bool = False  # agent replies open with an apology
    macro: str = ""  # a macro agents use for the first answer
    language: str = "ja"
