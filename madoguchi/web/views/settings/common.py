"""What the settings views share: rendering with the nav marker, errors into forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from madoguchi.core.errors import DomainError


def page(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    return render(request, template, context, status=status)


def form_error(form: forms.Form, exc: DomainError) -> int:
    """Put an action's refusal next to the field it names (else on top); returns the status."""
    field = exc.details.get("field") if isinstance(exc.details, dict) else None
    form.add_error(field if field in form.fields else None, str(exc.message))
    return exc.status


def ids_from(values: list[str]) -> list[int]:
    """Checkbox values as ints; anything else is dropped by the form before this."""
    return [int(v) for v in values]
