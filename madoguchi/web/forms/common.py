"""Forms of the agent console. They parse and validate input; actions decide and write."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.lib.handles import InvalidHandle, normalise_phone

TAG_SPLIT = re.compile(r"[,、，\s]+")


def split_tags(value: str) -> list[str]:
    """`配送, 返品 VIP` → ['配送', '返品', 'VIP'] (comma, Japanese comma or space)."""
    return [t for t in TAG_SPLIT.split(value or "") if t]


def parse_ticket_number(value: str) -> int | None:
    """`#10234`, `10234` or `＃１０２３４` → 10234; empty → None."""
    text = (value or "").strip().translate(str.maketrans("＃０１２３４５６７８９", "#0123456789"))
    if not text:
        return None
    text = text.lstrip("#").strip()
    if not text.isdigit() or len(text) > 18:
        raise ValidationError(_("Enter a ticket number such as #10234."))
    return int(text)


class TicketNumberField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        return parse_ticket_number(super().clean(value))


def _blank(label: Any) -> list[tuple[Any, Any]]:
    return [("", label)]


def set_choices(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    """Fill a choice field from the database when the form is built (one query each)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def valid_phone(value: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            normalise_phone(value, settings.PHONE_DEFAULT_REGION)
        except InvalidHandle as exc:
            raise ValidationError(_("Enter a valid phone number.")) from exc
    return value
