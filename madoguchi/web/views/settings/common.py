"""What the settings views share: an action's refusal shown in the form it came from."""

from __future__ import annotations

from django import forms

from madoguchi.core.errors import DomainError


def form_error(form: forms.Form, exc: DomainError) -> int:
    """Put an action's refusal next to the field it names (else on top); returns the status."""
    field = exc.details.get("field") if isinstance(exc.details, dict) else None
    form.add_error(field if field in form.fields else None, str(exc.message))
    return exc.status
