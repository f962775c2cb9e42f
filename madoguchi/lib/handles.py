"""Normalised channel handles, so one person is one identity however they typed it."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

MAX_EMAIL_CHARS = 254
# Dashes people type between digit groups; NFKC leaves these alone.
_DASHES = str.maketrans({"ー": "-", "−": "-", "‐": "-", "‑": "-", "–": "-", "—": "-", "―": "-"})
_PHONE_CHARS = re.compile(r"[\d\s()+.\-]+")
# Cheap test before the (slower) phone matcher runs over a message body.
_DIGIT_RUN = re.compile(r"\+?\(?\d[\d \t().\-]{7,}\d")


class InvalidHandle(ValueError):
    pass


def normalise_email(raw: str) -> str:
    """Lower-cased, NFKC (`ＴＡＲＯ＠example.jp` → `taro@example.jp`); raises InvalidHandle."""
    value = unicodedata.normalize("NFKC", raw or "").strip().lower()
    if len(value) > MAX_EMAIL_CHARS:
        raise InvalidHandle(raw)
    try:
        validate_email(value)
    except ValidationError as exc:
        raise InvalidHandle(raw) from exc
    return value


def _phone_text(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw or "").translate(_DASHES).strip()


def normalise_phone(raw: str, region: str = "JP") -> str:
    """E.164: `090-1234-5678`, `09012345678`, `+81 90 1234 5678` → `+819012345678`."""
    value = _phone_text(raw)
    if not value or not _PHONE_CHARS.fullmatch(value):
        raise InvalidHandle(raw)
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidHandle(raw) from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidHandle(raw)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_valid_phone(e164: str, region: str = "JP") -> bool:
    """Stricter than normalise_phone: the number belongs to a real numbering plan."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(e164, region))
    except phonenumbers.NumberParseException:
        return False


def phone_search_forms(e164: str, region: str = "JP") -> list[str]:
    """The ways people type a number, for the search index: E.164, national digits."""
    try:
        parsed = phonenumbers.parse(e164, region)
    except phonenumbers.NumberParseException:
        return [e164]
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    digits = re.sub(r"\D", "", national)
    return sorted({e164, e164.lstrip("+"), digits})


def phones_in_text(text: str, region: str = "JP") -> list[str]:
    """Valid phone numbers written in free text (a message body), as E.164, in order."""
    value = _phone_text(text)
    found: list[str] = []
    # The matcher is slow on long text; run it only over the digit runs that could be numbers.
    for run in _DIGIT_RUN.finditer(value):
        candidate = value[max(run.start() - 1, 0) : run.end()]
        for match in phonenumbers.PhoneNumberMatcher(
            candidate, region, leniency=phonenumbers.Leniency.VALID, max_tries=50
        ):
            e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in found:
                found.append(e164)
    return found


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
    """A search query that is a phone number and nothing else (full-width digits allowed)."""
    value = _phone_text(raw)
    digits = re.sub(r"\D", "", value)
    return 9 <= len(digits) <= 15 and bool(_PHONE_CHARS.fullmatch(value))
