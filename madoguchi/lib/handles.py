"""Normalised channel handles, so one person is one identity however they typed it."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidHandle(ValueError):
    pass


def normalise_email(raw: str) -> str:
    value = unicodedata.normalize("NFKC", raw or "").strip().lower()
    if not _EMAIL_RE.match(value):
        raise InvalidHandle(raw)
    return value


def normalise_phone(raw: str, region: str = "JP") -> str:
    """E.164: `090-1234-5678`, `09012345678`, `+81 90 1234 5678` → `+819012345678`."""
    value = unicodedata.normalize("NFKC", raw or "").strip()
    value = value.replace("ー", "-").replace("−", "-").replace("‐", "-")
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidHandle(raw) from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidHandle(raw)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_search_forms(e164: str, region: str = "JP") -> list[str]:
    """The ways people type a number, for the search index: E.164, national digits."""
    try:
        parsed = phonenumbers.parse(e164, region)
    except phonenumbers.NumberParseException:
        return [e164]
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    digits = re.sub(r"\D", "", national)
    return sorted({e164, e164.lstrip("+"), digits})


def format_phone(e164: str, region: str = "JP") -> str:
    """Display form: national format for numbers of the home region, international otherwise."""
    try:
        parsed = phonenumbers.parse(e164, region)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(parsed) == region:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def looks_like_phone(raw: str) -> bool:
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", raw or ""))
    return 9 <= len(digits) <= 15 and bool(re.fullmatch(r"[\d\s()+\-ー−‐]+", raw.strip()))
